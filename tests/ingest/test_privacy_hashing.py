"""Emails and phone numbers are hashed with a secret salt; production refuses to run without one."""

from __future__ import annotations

import pytest

from ingest.privacy import DevelopmentSaltWarning, MissingSaltError, hash_email, hash_phone, hash_salt


def test_same_contact_same_hash_whatever_the_spelling(monkeypatch):
    monkeypatch.setenv("ROR_HASH_SALT", "s3cret")
    assert hash_email(" Jo.Bean@Example.COM ") == hash_email("jo.bean@example.com")
    assert hash_phone("+1 (555) 010-0199") == hash_phone("15550100199")
    assert hash_email("") is None and hash_phone("n/a") is None


def test_the_salt_changes_the_hash(monkeypatch):
    monkeypatch.setenv("ROR_HASH_SALT", "one")
    first = hash_email("jo@example.com")
    monkeypatch.setenv("ROR_HASH_SALT", "two")
    assert hash_email("jo@example.com") != first
    assert "jo@example.com" not in first


def test_production_without_a_salt_is_an_error(monkeypatch):
    monkeypatch.delenv("ROR_HASH_SALT", raising=False)
    monkeypatch.setenv("ROR_ENV", "production")
    with pytest.raises(MissingSaltError, match="ROR_HASH_SALT"):
        hash_email("jo@example.com")


def test_development_without_a_salt_warns_and_uses_a_fixed_salt(monkeypatch):
    monkeypatch.delenv("ROR_HASH_SALT", raising=False)
    monkeypatch.delenv("ROR_ENV", raising=False)
    with pytest.warns(DevelopmentSaltWarning):
        first = hash_salt()
    with pytest.warns(DevelopmentSaltWarning):
        assert hash_salt() == first
