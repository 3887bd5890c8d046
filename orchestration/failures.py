"""Failures that explain themselves: which blocking check failed, a few of the offending rows, what to do next.

``explain_dbt_failure`` turns dbt's run_results.json into that paragraph (a failed test's compiled SQL selects the
offending rows, so a sample is one more query on the working database); ``explain_run`` gathers the paragraphs of a
finished Dagster run for the `ror` command.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

SAMPLE_ROWS = 5
MAX_FAILURES_EXPLAINED = 3

# Callable running a query on the working database: (sql) -> (column names, rows).
QueryRunner = Callable[[str], tuple[list[str], list[tuple]]]


def failed_dbt_nodes(run_results: dict[str, Any]) -> list[dict[str, Any]]:
    """Results dbt reports as failed (a test's 'fail', any node's 'error'), in run order; warnings are not failures."""
    return [result for result in run_results.get("results", []) if result.get("status") in ("fail", "error")]


def _node_label(unique_id: str) -> str:
    kind, _project, *name = unique_id.split(".")
    return f"dbt {kind} {name[0] if name else unique_id}"


def _format_rows(columns: list[str], rows: Iterable[tuple]) -> str:
    lines = []
    for row in rows:
        lines.append("    " + ", ".join(f"{column}={value!r}" for column, value in zip(columns, row, strict=False)))
    return "\n".join(lines)


def explain_dbt_failure(run_results: dict[str, Any], query: QueryRunner | None, working_path: str) -> str:
    """One short paragraph per failed node (the first few), each with a sample of offending rows when it is a test."""
    failures = failed_dbt_nodes(run_results)
    if not failures:
        return "dbt failed before building anything: run `ror refresh --verbose` to see dbt's own message."
    paragraphs = []
    for result in failures[:MAX_FAILURES_EXPLAINED]:
        unique_id = result.get("unique_id", "?")
        label = _node_label(unique_id)
        if unique_id.startswith("test.") and result.get("status") == "fail":
            failing = result.get("failures")
            text = f"Blocking check failed: {label}, {failing} offending row{'' if failing == 1 else 's'}."
            sql = result.get("compiled_code")
            if query is not None and sql:
                try:
                    columns, rows = query(f"select * from ({sql}) as offending limit {SAMPLE_ROWS}")
                    text += f" First rows:\n{_format_rows(columns, rows)}"
                except Exception as error:  # the sample is a courtesy: the failure itself is already explained
                    text += f" (the offending rows could not be sampled: {error})"
        else:
            message = (result.get("message") or "").strip().splitlines()
            text = f"{label} failed: {' '.join(message[:3]) or 'no message from dbt'}"
        paragraphs.append(text)
    if len(failures) > MAX_FAILURES_EXPLAINED:
        paragraphs.append(f"... and {len(failures) - MAX_FAILURES_EXPLAINED} more failed dbt nodes.")
    paragraphs.append(
        "The serving file keeps the last good version. Next: look at these rows in the working database "
        f"({working_path}, which holds this run's tables), fix the export, the mapping or the configuration that "
        "produced them, then run `ror refresh` again (`--verbose` shows the whole log)."
    )
    return "\n".join(paragraphs)


def explain_row_accounting(metadata: dict[str, Any]) -> str:
    return (
        "Blocking check failed: raw_row_accounting (rows read <> rows accepted + rows quarantined) for "
        f"{metadata.get('unbalanced_files', '?')}. A reader lost or invented rows: nothing was published, the serving "
        "file keeps the last good version. Next: run `ror ingest FILE --dry-run` on those files and report the reader "
        "that miscounts."
    )
