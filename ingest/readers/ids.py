"""Ids and counts as users' tools write them: exact integers stay exact, ``N.0`` is the integer N when that is exact,
and an id that went through a floating-point number beyond 2^53 is refused (its exact value is lost)."""

from __future__ import annotations

import re
from typing import Any

import polars as pl


def to_int(value: Any) -> int | None:
    """An exact integer from a JSON/CSV value ("12", 12, 12.0); None when missing; ValueError when not whole."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise ValueError(f"not a count: {value!r}")
    if isinstance(value, int):
        return value
    number = float(value)
    if not number.is_integer():
        raise ValueError(f"not a whole number: {value!r}")
    return int(number)


def id_text(value: Any) -> str | None:
    """An id as an exact string. Integers stay exact (json parses big ints exactly); floats are refused because an
    18-digit id that went through a float is already wrong."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, float):
        raise ValueError(f"id {value!r} is a floating-point number; ids must be strings or integers to stay exact")
    text = str(value).strip()
    return text or None


_FLOAT_LOOKING_ID = re.compile(r"[0-9.]+[eE][+-]?[0-9]+|[0-9]+\.[0-9]+")


def mangled_id(column: str) -> pl.Expr:
    """Reason expression: an id that went through a float (scientific notation or a decimal point), as spreadsheets
    and some JSON writers produce; the exact id is lost, so the row cannot be trusted."""
    bad = pl.col(column).str.strip_chars().str.contains(rf"^(?:{_FLOAT_LOOKING_ID.pattern})$")
    return pl.when(bad).then(
        pl.format(f"{column} '{{}}' went through a floating-point number: the exact id is lost", pl.col(column))
    )
