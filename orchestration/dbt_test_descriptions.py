"""What each dbt test checks, in words, for its asset check in the Dagster UI: dbt's generic tests carry no description
of their own (dagster-dbt takes one from the test's `meta.description`, which no test sets), and a list of checks all
saying "No description provided" tells the reader nothing."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

_REF = re.compile(r"""ref\(\s*['"]([^'"]+)['"]\s*\)""")


def describe_dbt_test(test: Mapping[str, Any], relation: str) -> str:
    """The test's own description when its YAML gives one, else what its generic test asserts about ``relation``
    (schema.table), then what a failure does to the run. Names columns and configured values, never a row's."""
    own = test.get("description") or ""
    return f"{own or _what_it_asserts(test, relation)} {_what_a_failure_does(test)}"


def _what_it_asserts(test: Mapping[str, Any], relation: str) -> str:
    generic = test.get("test_metadata") or {}
    kwargs = generic.get("kwargs") or {}
    column = kwargs.get("column_name") or test.get("column_name")
    match generic.get("name"):
        case "not_null":
            return f"{relation}.{column} is never null (dbt not_null)."
        case "unique":
            return f"{relation}.{column} is unique: no two rows share one (dbt unique)."
        case "unique_combination_of_columns":
            columns = ", ".join(kwargs.get("combination_of_columns") or [])
            return f"No two rows of {relation} share the same ({columns}): the table's grain."
        case "accepted_values":
            values = ", ".join(str(value) for value in kwargs.get("values") or [])
            return f"{relation}.{column} only holds the accepted values: {values} (dbt accepted_values)."
        case "relationships":
            target = _REF.search(str(kwargs.get("to", "")))
            parent = target.group(1) if target else kwargs.get("to")
            return f"Every {relation}.{column} exists as {parent}.{kwargs.get('field')} (dbt relationships)."
        case None:
            return f"The dbt test {test.get('original_file_path')} on {relation} returns no row."
        case name:
            return f"The dbt test {name} on {relation}{f' ({column})' if column else ''} returns no row."


def _what_a_failure_does(test: Mapping[str, Any]) -> str:
    config = test.get("config") or {}
    if str(config.get("severity", "error")).lower() == "error":
        effect = "Blocking: a failure stops the run before publication."
    else:
        effect = "A failure warns and the run goes on."
    return f"{effect} A failed check carries a sample of its failing rows."
