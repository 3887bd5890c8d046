"""Emails and phone numbers are hashed with a secret salt, given as a value; production refuses to run without one."""

from __future__ import annotations

import hashlib
import hmac

import polars as pl
import pytest

from ingest.privacy import (
    ContactSalt,
    DevelopmentSaltWarning,
    MissingSaltError,
    email_hash_expr,
    hash_email,
    hash_phone,
    hash_salt,
    hashing_with,
    phone_hash_expr,
)
from orchestration.settings import contact_salt


def test_same_contact_same_hash_whatever_the_spelling():
    with hashing_with(ContactSalt("s3cret")):
        assert hash_email(" Jo.Bean@Example.COM ") == hash_email("jo.bean@example.com")
        assert hash_phone("+1 (555) 010-0199") == hash_phone("15550100199")
        assert hash_email("") is None and hash_phone("n/a") is None


def test_the_salt_changes_the_hash():
    with hashing_with(ContactSalt("one")):
        first = hash_email("jo@example.com")
    with hashing_with(ContactSalt("two")):
        assert hash_email("jo@example.com") != first
    assert "jo@example.com" not in first


def test_the_same_salt_gives_the_same_hash_as_before_it_was_a_value():
    """HMAC-SHA256 of the normalised value keyed with the secret's UTF-8 bytes: hashes already in warehouses stay."""
    import hashlib
    import hmac

    expected = hmac.new(b"test-salt", b"jo@example.com", hashlib.sha256).hexdigest()
    assert hash_email("Jo@Example.com", salt=ContactSalt("test-salt").resolve()) == expected
    with hashing_with(contact_salt({"ROR_HASH_SALT": "test-salt"})):
        assert hash_email("Jo@Example.com") == expected


def test_production_without_a_salt_is_an_error_when_something_is_hashed():
    salt = contact_salt({"ROR_ENV": "production"})
    with hashing_with(salt), pytest.raises(MissingSaltError, match="ROR_HASH_SALT"):
        hash_email("jo@example.com")


def test_development_without_a_salt_warns_and_uses_a_fixed_salt():
    with hashing_with(contact_salt({})):
        with pytest.warns(DevelopmentSaltWarning):
            first = hash_salt()
        with pytest.warns(DevelopmentSaltWarning):
            assert hash_salt() == first


def test_the_secret_is_read_once_at_the_edge_and_never_shown():
    env = {"ROR_HASH_SALT": "hunter2-salt", "ROR_ENV": " Production "}
    salt = contact_salt(env)
    env["ROR_HASH_SALT"] = "changed later"
    assert salt == ContactSalt("hunter2-salt", production=True)
    assert "hunter2" not in repr(salt) and "hunter2" not in str(salt)


def test_a_column_is_hashed_as_each_value_is_on_its_own():
    emails = [
        "Ana@Example.com",
        "  ana@example.com ",
        "",
        "   ",
        None,
        "Zoë@Exämple.de",
        "not an address",
        "İSTANBUL@x.tr",
    ]
    phones = ["+1 (555) 010-0199", "15550100199", "no digits", "", None, "٣٤٥", "00 44 20 7946 0000", " 7 "]
    frame = pl.DataFrame({"email": emails, "phone": phones})
    with hashing_with(ContactSalt("s3cret")):
        hashed = frame.select(email_hash_expr("email"), phone_hash_expr("phone"))
        assert hashed["email"].to_list() == [hash_email(value) for value in emails]
        assert hashed["phone"].to_list() == [hash_phone(value) for value in phones]
        assert frame.head(0).select(email_hash_expr("email"))["email"].to_list() == []
    digest = hmac.new(b"s3cret", b"ana@example.com", hashlib.sha256).hexdigest()
    assert hashed["email"][0] == hashed["email"][1] == digest  # HMAC-SHA256 of the normalised value, as before
