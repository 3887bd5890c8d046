"""Portable SQL by construction: a model calls only functions that DuckDB and Spark both have, with one meaning.

Everything engine-specific (list lambdas, percentiles, time zones, regex escapes, types) lives in a macro with a
variant per adapter (dbt_project/macros). This check reads each model's SQL with its Jinja, comments and string
literals removed - what is left is the SQL the model itself writes - and fails on any function call outside
PORTABLE_FUNCTIONS. To use a new function: add it here if both engines have it with the same semantics, else write a
macro with a duckdb__ and a spark__ variant.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

MODELS_DIR = Path(__file__).resolve().parents[2] / "dbt_project" / "models"

# Functions with the same name, arguments and result on DuckDB and Spark SQL (and in the SQL standard).
PORTABLE_FUNCTIONS = frozenset(
    {
        # aggregates
        "avg",
        "count",
        "max",
        "min",
        "sum",
        "stddev_samp",
        # window functions
        "dense_rank",
        "lag",
        "lead",
        "row_number",
        # scalars
        "cast",
        "coalesce",
        "greatest",
        "least",
        "lower",
        "nullif",
        "round",
        "sqrt",
        "upper",
    }
)
# Words that a parenthesis follows without being a function call.
SQL_KEYWORDS = frozenset(
    {
        "and",
        "as",
        "exists",
        "from",
        "in",
        "join",
        "not",
        "on",
        "or",
        "over",
        "select",
        "then",
        "using",
        "when",
        "where",
        "with",
        "all",
        "any",
        "else",
        "filter",
        "values",
    }
)

_JINJA = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.DOTALL)
_COMMENT = re.compile(r"--[^\n]*|/\*.*?\*/", re.DOTALL)
_STRING = re.compile(r"'(?:[^']|'')*'")
_CALL = re.compile(r"\b([a-z_][a-z0-9_]*)\s*\(", re.IGNORECASE)


def functions_called(sql: str) -> set[str]:
    """Names of the functions a model's own SQL calls (Jinja, comments and string literals removed)."""
    bare = _STRING.sub("''", _COMMENT.sub(" ", _JINJA.sub(" ", sql)))
    return {name.lower() for name in _CALL.findall(bare)} - SQL_KEYWORDS


MODEL_FILES = sorted(MODELS_DIR.rglob("*.sql"))


def test_every_model_is_checked() -> None:
    assert len(MODEL_FILES) > 40


@pytest.mark.parametrize("model", MODEL_FILES, ids=lambda path: path.stem)
def test_model_calls_only_portable_functions(model: Path) -> None:
    outside = functions_called(model.read_text()) - PORTABLE_FUNCTIONS
    assert not outside, (
        f"{model.relative_to(MODELS_DIR)} calls {sorted(outside)}: not in the portable set of "
        "tests/dbt/test_portable_sql.py. Add a macro with a duckdb__ and a spark__ variant (dbt_project/macros), or "
        "add the function to PORTABLE_FUNCTIONS if both engines have it with the same meaning."
    )


def test_the_check_catches_an_engine_specific_call() -> None:
    sql = "select list_filter(xs, lambda x: x > 1) as kept, {{ first_url_parameter('links', 'u') }} -- quantile(\n"
    assert functions_called(sql) - PORTABLE_FUNCTIONS == {"list_filter"}
