"""Personal contact data (emails, phone numbers) is hashed in the reader and never stored in clear.

The hash is HMAC-SHA256 keyed with a secret salt, so the same email gives the same hash across files and runs (CRM
contacts can be joined to other sources that carry the same salted hash) while a dictionary of known emails cannot be
hashed by someone who only holds the warehouse file. The salt comes from ``ROR_HASH_SALT``. In production
(``ROR_ENV=production``) a missing salt is an error; elsewhere a fixed development salt is used with a warning, so a
fresh clone runs with no configuration.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import warnings

import polars as pl

SALT_VARIABLE = "ROR_HASH_SALT"
ENVIRONMENT_VARIABLE = "ROR_ENV"
DEVELOPMENT_SALT = "ror-warehouse-development-salt (not secret: set ROR_HASH_SALT)"

_NON_DIGITS = re.compile(r"\D+")


class MissingSaltError(RuntimeError):
    """Raised in production when no hashing salt is configured."""


class DevelopmentSaltWarning(UserWarning):
    """Emitted when hashes are made with the public development salt."""


def hash_salt() -> bytes:
    """The salt from the environment, read on every call so a changed environment takes effect."""
    salt = os.environ.get(SALT_VARIABLE, "")
    if salt:
        return salt.encode("utf-8")
    if os.environ.get(ENVIRONMENT_VARIABLE, "").strip().lower() == "production":
        raise MissingSaltError(
            f"{SALT_VARIABLE} is not set while {ENVIRONMENT_VARIABLE}=production: emails and phone numbers cannot be"
            f" hashed safely. Set {SALT_VARIABLE} to a long random secret, and keep it: changing it changes every"
            " hash."
        )
    warnings.warn(
        f"{SALT_VARIABLE} is not set: hashing emails and phone numbers with the public development salt."
        f" Set {SALT_VARIABLE} (and {ENVIRONMENT_VARIABLE}=production) for real data.",
        DevelopmentSaltWarning,
        stacklevel=2,
    )
    return DEVELOPMENT_SALT.encode("utf-8")


def _keyed_hash(salt: bytes, value: str) -> str:
    return hmac.new(salt, value.encode("utf-8"), hashlib.sha256).hexdigest()


def normalise_email(email: str | None) -> str | None:
    """Trimmed and lowercased; None when blank. Values that are not addresses (an export that already masked them)
    are hashed as they are, so equal values still join."""
    if email is None:
        return None
    normalised = email.strip().lower()
    return normalised or None


def normalise_phone(phone: str | None) -> str | None:
    """The digits of a phone number ("+1 (555) 010-0199" -> "15550100199"); None when it has none."""
    if phone is None:
        return None
    digits = _NON_DIGITS.sub("", phone)
    return digits or None


def hash_email(email: str | None, *, salt: bytes | None = None) -> str | None:
    """Salted hash of the trimmed, lowercased email; None when blank."""
    normalised = normalise_email(email)
    return None if normalised is None else _keyed_hash(salt or hash_salt(), normalised)


def hash_phone(phone: str | None, *, salt: bytes | None = None) -> str | None:
    """Salted hash of the digits of a phone number; None when it has no digits."""
    normalised = normalise_phone(phone)
    return None if normalised is None else _keyed_hash(salt or hash_salt(), normalised)


def email_hash_expr(column: str) -> pl.Expr:
    """``hash_email`` over a string column (the salt is read once per call)."""
    salt = hash_salt()
    return pl.col(column).map_elements(lambda value: hash_email(value, salt=salt), return_dtype=pl.String)


def phone_hash_expr(column: str) -> pl.Expr:
    """``hash_phone`` over a string column (the salt is read once per call)."""
    salt = hash_salt()
    return pl.col(column).map_elements(lambda value: hash_phone(value, salt=salt), return_dtype=pl.String)
