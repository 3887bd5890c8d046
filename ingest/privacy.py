"""Personal contact data (emails, phone numbers) is hashed in the reader and never stored in clear, in quarantined
records neither (``protect_contact_fields``: a contact source's quarantined rows keep only an allow-list of columns,
other records have names and addresses redacted).

The hash is HMAC-SHA256 keyed with a secret salt, so the same email gives the same hash across files and runs (CRM
contacts can be joined to other sources that carry the same salted hash) while a dictionary of known emails cannot be
hashed by someone who only holds the warehouse file. The salt is a value given to ``ingest.pipeline.ingest_paths``
(``hashing_with`` hands it to the readers of that call); the edge reads it from the secret ``ROR_HASH_SALT``
(orchestration.settings.contact_salt), and ``ContactSalt.resolve`` decides what a missing one means when something
is hashed: in production (``ROR_ENV=production``) an error, elsewhere a fixed development salt with a warning, so a
fresh clone runs with no configuration. Nothing here reads the environment.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import warnings
from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

import polars as pl

SALT_VARIABLE = "ROR_HASH_SALT"
ENVIRONMENT_VARIABLE = "ROR_ENV"
DEVELOPMENT_SALT = "ror-warehouse-development-salt (not secret: set ROR_HASH_SALT)"

_NON_DIGITS = re.compile(r"\D+")
# Contact fields by column name, as CRMs and spreadsheets name them (HubSpot property_email, property_firstname ...).
_EMAIL_FIELD = re.compile(r"e-?mail", re.IGNORECASE)
_PHONE_FIELD = re.compile(r"phone|mobile|fax", re.IGNORECASE)
_PERSONAL_FIELD = re.compile(
    r"(first|last|middle|full|given|family|sur)_?name|salutation|address|street|city|zip|postal|birth",
    re.IGNORECASE,
)
REDACTED = "[redacted]"
# bounded (RFC 5321 limits) so a long text without an address is scanned in linear time
_EMAIL_ADDRESS = re.compile(r"[\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63}){1,8}")


class MissingSaltError(RuntimeError):
    """Raised in production when no hashing salt is configured."""


class DevelopmentSaltWarning(UserWarning):
    """Emitted when hashes are made with the public development salt."""


@dataclass(frozen=True)
class ContactSalt:
    """What the edge read about the salt: the secret (``ROR_HASH_SALT``; never shown in a repr or a log) and whether
    this is production. Resolved only when something is hashed, so that a run without contact data needs no salt."""

    secret: str | None = field(default=None, repr=False)
    production: bool = False

    def resolve(self) -> bytes:
        """The secret; without one, an error in production, else the public development salt with a warning."""
        if self.secret:
            return self.secret.encode("utf-8")
        if self.production:
            raise MissingSaltError(
                f"{SALT_VARIABLE} is not set while {ENVIRONMENT_VARIABLE}=production: emails and phone numbers cannot"
                f" be hashed safely. Set {SALT_VARIABLE} to a long random secret, and keep it: changing it changes"
                " every hash."
            )
        warnings.warn(
            f"{SALT_VARIABLE} is not set: hashing emails and phone numbers with the public development salt."
            f" Set {SALT_VARIABLE} (and {ENVIRONMENT_VARIABLE}=production) for real data.",
            DevelopmentSaltWarning,
            stacklevel=3,
        )
        return DEVELOPMENT_SALT.encode("utf-8")


# The salt of the ingest under way (``hashing_with``): every reader hashes with it without taking it as an argument.
_CURRENT_SALT: ContextVar[ContactSalt | None] = ContextVar("ror_contact_salt", default=None)


@contextmanager
def hashing_with(salt: ContactSalt) -> Iterator[None]:
    """Hash contact data with ``salt`` inside this block (the reading of one ingest call), whatever reader hashes."""
    token = _CURRENT_SALT.set(salt)
    try:
        yield
    finally:
        _CURRENT_SALT.reset(token)


def current_salt() -> ContactSalt | None:
    """The salt of the ingest under way (``hashing_with``), None outside one."""
    return _CURRENT_SALT.get()


def hash_in_this_process_with(salt: ContactSalt) -> None:
    """Hash with ``salt`` for the rest of this process: an ingest worker process, which reads for one ingest call."""
    _CURRENT_SALT.set(salt)


def hash_salt() -> bytes:
    """The salt of the ingest under way (``hashing_with``), resolved now; outside one, no secret and not production:
    the development salt, with a warning."""
    return (_CURRENT_SALT.get() or ContactSalt()).resolve()


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
    return _hashed_column(column, hash_email)


def phone_hash_expr(column: str) -> pl.Expr:
    """``hash_phone`` over a string column (the salt is read once per call)."""
    return _hashed_column(column, hash_phone)


def _hashed_column(column: str, hash_value: Callable[..., str | None]) -> pl.Expr:
    """``hash_value`` of each value of a string column, one pass over the whole column (no polars call per value).
    The normalising and HMAC stay the Python functions' own, so a hash made here equals one made record by record."""
    salt = hash_salt()

    def hashed(values: pl.Series) -> pl.Series:
        return pl.Series([hash_value(value, salt=salt) for value in values], dtype=pl.String)

    return pl.col(column).map_batches(hashed, return_dtype=pl.String)


def protect_contact_fields(record: dict[str, Any], *, keep: Collection[str] | None = None) -> dict[str, Any]:
    """A record fit for quarantine: emails and phone numbers replaced by their salted hashes (``hashed:<hex>``, the
    value ``crm_contacts`` carries, so the row can still be matched); an e-mail address in any other field (a shifted
    column, a note) is hashed too. The quarantine entry's file and line point to the original for whoever may read it.

    ``keep`` is the allow-list of a contact source (a CRM): only the columns the warehouse needs (ids, timestamps,
    lifecycle, attribution) stay in clear, every other one is ``[redacted]``, so a phone number typed into a job-title
    field does not survive. Without it (public social data), names, addresses and birth dates are redacted by name.
    """
    salts: list[bytes] = []  # read once, and only when something is hashed (no salt needed for a clean record)

    def salt() -> bytes:
        if not salts:
            salts.append(hash_salt())
        return salts[0]

    def hashed(digest: str | None) -> str | None:
        return None if digest is None else f"hashed:{digest}"

    kept = None if keep is None else {name.lower() for name in keep}
    protected: dict[str, Any] = {}
    for name, value in record.items():
        if value is None:
            protected[name] = value
        elif _EMAIL_FIELD.search(name) and isinstance(value, str | int):
            protected[name] = hashed(hash_email(str(value), salt=salt()))
        elif _PHONE_FIELD.search(name) and isinstance(value, str | int):
            protected[name] = hashed(hash_phone(str(value), salt=salt()))
        elif kept is not None and name.lower() not in kept:
            protected[name] = REDACTED
        elif not isinstance(value, str | int):
            protected[name] = value
        elif _PERSONAL_FIELD.search(name):
            protected[name] = REDACTED
        elif isinstance(value, str) and "@" in value and _EMAIL_ADDRESS.search(value):
            protected[name] = _EMAIL_ADDRESS.sub(lambda found: hashed(hash_email(found[0], salt=salt())), value)
        else:
            protected[name] = value
    return protected


def protect_text(text: str, *, keep: Collection[str] | None = None) -> str:
    """A record kept as text because it could not be split into fields (a broken line): from a contact source
    (``keep`` given) nothing of it is kept; otherwise e-mail addresses in it are hashed."""
    if keep is not None:
        return REDACTED
    if "@" not in text or not _EMAIL_ADDRESS.search(text):
        return text
    salt = hash_salt()
    return _EMAIL_ADDRESS.sub(lambda found: f"hashed:{hash_email(found[0], salt=salt)}", text)
