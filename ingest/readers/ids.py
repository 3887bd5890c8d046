"""Ids and counts as users' tools write them: exact integers stay exact, ``N.0`` is the integer N when that is exact,
and an id that went through a floating-point number beyond 2^53 is refused (its exact value is lost)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import polars as pl

from ingest.base import RecordProblem

INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1  # what the warehouse's integer columns hold


def to_int(value: Any) -> int | None:
    """An exact integer from a JSON/CSV value ("12", 12, 12.0); None when missing; ``RecordProblem`` when not whole,
    or beyond a 64-bit integer (JSON's integers have no bound; polars would fail the whole file on one)."""
    if type(value) is int and INT64_MIN <= value <= INT64_MAX:  # the usual case, answered first
        return value
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise RecordProblem("not a count (true/false)")
    if isinstance(value, int):
        number = value
    else:
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise RecordProblem("not a number") from None
        if not number.is_integer():
            raise RecordProblem("not a whole number")
    if not INT64_MIN <= number <= INT64_MAX:
        raise RecordProblem("a number beyond a 64-bit integer's range")
    return int(number)


MAX_EXACT_FLOAT_INTEGER = 2**53  # every whole number up to this survives a trip through a 64-bit float exactly


def id_text(value: Any) -> str | None:
    """An id as an exact string. Integers stay exact (json parses big ints exactly); a float is accepted only when it
    is a whole number a float holds exactly (``3.0``, up to 2^53), because an 18-digit id that went through a float
    is already wrong."""
    if type(value) is str and value and not (value[0].isspace() or value[-1].isspace()):  # the usual case, first
        return value
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, float):
        if not (value.is_integer() and abs(value) <= MAX_EXACT_FLOAT_INTEGER):
            raise RecordProblem(
                "id is a floating-point number that is not a whole number up to 2^53: the exact id is lost"
            )
        return str(int(value))
    text = str(value).strip()
    return text or None


_FLOAT_LOOKING_ID = r"^(?:[0-9.]+[eE][+-]?[0-9]+|[0-9]+\.[0-9]+)$"
_WHOLE_WITH_ZERO_DECIMALS = r"^([+-]?[0-9]+)\.0+$"  # 3.0, 3.00: what spreadsheets and pandas write for integers


def _exact_whole_part(column: str) -> pl.Expr:
    """The integer part of ``N.0`` / ``N.00`` when |N| <= 2^53 (such a number is exact), else null."""
    whole = pl.col(column).str.strip_chars().str.extract(_WHOLE_WITH_ZERO_DECIMALS, 1)
    exact = whole.cast(pl.Int64, strict=False).abs() <= MAX_EXACT_FLOAT_INTEGER
    return pl.when(exact).then(whole)


def exact_id(column: str) -> pl.Expr:
    """A string id column, trimmed, with ``N.0`` / ``N.00`` written as ``N`` where that is exact; other values as
    they are (``mangled_id`` quarantines the ones that lost their exact value)."""
    return pl.coalesce(_exact_whole_part(column), pl.col(column).str.strip_chars()).alias(column)


def exact_ids(frame: pl.DataFrame, columns: Iterable[str]) -> pl.DataFrame:
    """``exact_id`` applied to the given id columns that the frame has."""
    return frame.with_columns(exact_id(name) for name in columns if name in frame.columns)


def mangled_id(column: str) -> pl.Expr:
    """Reason expression: an id that went through a float and lost its exact value (scientific notation, a fraction,
    or ``N.0`` beyond 2^53), as spreadsheets and some JSON writers produce. ``N.0`` up to 2^53 is exact and fine.
    The reason does not quote the value."""
    looks_float = pl.col(column).str.strip_chars().str.contains(_FLOAT_LOOKING_ID)
    return pl.when(looks_float & _exact_whole_part(column).is_null()).then(
        pl.lit(
            f"{column} went through a floating-point number (an exponent, a fraction, or beyond 2^53):"
            " the exact id is lost; export ids as text"
        )
    )
