"""Failures that explain themselves: which blocking check failed, a few of the offending rows, what to do next.

``explain_dbt_failure`` turns dbt's run_results.json into that paragraph (a failed test's compiled SQL selects the
offending rows, so a sample is one more query on the working database). ``FilesNotLoaded`` is every landing file a
refresh did not load, with the reason and what to do: the ingest step writes it into its metadata, `ror` prints it.
"""

from __future__ import annotations

import errno
import os
import re
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

SAMPLE_ROWS = 5
MAX_FAILURES_EXPLAINED = 3
# How DuckDB's error for a query that outgrew its memory_limit begins.
OUT_OF_MEMORY = "Out of Memory Error"

# Callable running a query on the working database: (sql) -> (column names, rows).
QueryRunner = Callable[[str], tuple[list[str], list[tuple]]]


def failed_dbt_nodes(run_results: dict[str, Any]) -> list[dict[str, Any]]:
    """Results dbt reports as failed (a test's 'fail', any node's 'error'), in run order; warnings are not failures."""
    return [result for result in run_results.get("results", []) if result.get("status") in ("fail", "error")]


def sample_of_failing_rows(compiled_sql: str, rows: int) -> str:
    """The first ``rows`` rows a failed test's compiled SQL selects (the rows dbt counted as failures)."""
    return f"select * from ({compiled_sql}) as failing_rows limit {rows}"


def compiled_code_by_node(run_results: dict[str, Any]) -> dict[str, str]:
    """Each node's SQL as dbt ran it, by unique id: a test's selects its failing rows."""
    return {
        result["unique_id"]: result["compiled_code"]
        for result in run_results.get("results", [])
        if result.get("unique_id") and result.get("compiled_code")
    }


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
                    columns, rows = query(sample_of_failing_rows(sql, SAMPLE_ROWS))
                    text += f" First rows:\n{_format_rows(columns, rows)}"
                except Exception as error:  # the sample is a courtesy: the failure itself is already explained
                    text += f" (the offending rows could not be sampled: {type(error).__name__})"
        else:
            message = (result.get("message") or "").strip().splitlines()
            text = f"{label} failed: {' '.join(message[:3]) or 'no message from dbt'}"
        paragraphs.append(text)
    if len(failures) > MAX_FAILURES_EXPLAINED:
        paragraphs.append(f"... and {len(failures) - MAX_FAILURES_EXPLAINED} more failed dbt nodes.")
    if any(OUT_OF_MEMORY in (result.get("message") or "") for result in failures):
        # not the data's fault: the same rows build with more memory, so "fix the export" would mislead
        next_step = (
            "DuckDB needed more memory than it is allowed (ROR_DUCKDB_MEMORY_LIMIT, a fifth of this machine's memory "
            "and at most 2 GiB unless set): set it higher, for example ROR_DUCKDB_MEMORY_LIMIT=4GB, and run `ror "
            "refresh` again (what does not fit spills to ROR_DUCKDB_TEMP_DIR)."
        )
    else:
        next_step = (
            f"look at these rows in the working database ({working_path}, which holds this run's tables), fix the "
            "export, the mapping or the configuration that produced them, then run `ror refresh` again (`--verbose` "
            "shows the whole log)."
        )
    paragraphs.append(f"The serving file keeps the last good version. Next: {next_step}")
    return "\n".join(paragraphs)


def explain_row_accounting(metadata: dict[str, Any]) -> str:
    return (
        "Blocking check failed: raw_row_accounting (rows read <> rows accepted + rows quarantined) for "
        f"{metadata.get('unbalanced_files', '?')}. A reader lost or invented rows: nothing was published, the serving "
        "file keeps the last good version. Next: run `ror ingest FILE --dry-run` on those files and report the reader "
        "that miscounts."
    )


# Why a landing file was not loaded -> what to do about it. Skipped files (a known layout deliberately not used) and
# duplicates of loaded content are not on this list: nothing is to be done about them.
WHAT_TO_DO = {
    "failed": "could not be read: fix or re-export the file, then refresh again "
    "(`ror ingest FILE --dry-run` shows the error)",
    "unrecognised": "not a format the warehouse knows: add a column mapping (ingest/mappings/README.md) or move the "
    "file out of the landing folder",
    "refused": "a link to a file outside the landing folder: copy the file itself into the landing folder",
    "still_changing": "refresh again once the copy has finished (under `make dev` the sensor takes it by itself)",
}
NOT_LOADED = tuple(WHAT_TO_DO)
LABELS = {
    "failed": "failed",
    "unrecognised": "unrecognised",
    "refused": "refused",
    "still_changing": "still being written",
}
# Files named in the run's metadata: the counts cover every file, raw.file_manifest keeps each failed one.
MAX_FILES_IN_METADATA = 100
REASON_CHARACTERS = 160


@dataclass(frozen=True)
class RowsQuarantined:
    """A file that loaded, less some rows: they wait in raw.quarantine with file, line and reason."""

    file: str  # relative to the landing folder
    rows_quarantined: int
    rows_read: int
    reasons: list[str] = field(default_factory=list)  # the first distinct reasons (a reason never quotes a row)


@dataclass(frozen=True)
class FileNotLoaded:
    file: str  # relative to the landing folder
    status: str  # one of NOT_LOADED
    reason: str

    def short_reason(self) -> str:
        first_line = (self.reason.strip().splitlines() or [""])[0]
        return first_line if len(first_line) <= REASON_CHARACTERS else first_line[: REASON_CHARACTERS - 3] + "..."


@dataclass(frozen=True)
class FilesNotLoaded:
    """Every file of one refresh that was not loaded: counts by status, and the first files with their reason; beside
    them, the files that loaded less some quarantined rows (they do not change the exit status: a bad row fails alone,
    but the summary names its file)."""

    counts: dict[str, int] = field(default_factory=dict)
    files: list[FileNotLoaded] = field(default_factory=list)
    partly_loaded: list[RowsQuarantined] = field(default_factory=list)
    partly_loaded_files: int = 0  # every file with quarantined rows (partly_loaded lists the first of them)

    @classmethod
    def of(cls, files: list[FileNotLoaded], partly_loaded: Iterable[RowsQuarantined] = ()) -> FilesNotLoaded:
        counts = {status: sum(f.status == status for f in files) for status in NOT_LOADED}
        ordered = sorted(files, key=lambda f: (NOT_LOADED.index(f.status), f.file))
        partly = sorted(partly_loaded, key=lambda f: f.file)
        return cls(
            {status: n for status, n in counts.items() if n},
            ordered[:MAX_FILES_IN_METADATA],
            partly[:MAX_FILES_IN_METADATA],
            len(partly),
        )

    @property
    def rows_quarantined(self) -> int:
        return sum(f.rows_quarantined for f in self.partly_loaded)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def to_metadata(self) -> dict[str, Any]:
        """Names and reasons only (a reason never quotes a row): for the run's metadata and `ror`'s summary."""
        return {
            "counts": self.counts,
            "files": [{"file": f.file, "status": f.status, "reason": f.short_reason()} for f in self.files],
            "partly_loaded_files": self.partly_loaded_files,
            "partly_loaded": [asdict(f) for f in self.partly_loaded],
        }

    @classmethod
    def from_metadata(cls, value: dict[str, Any]) -> FilesNotLoaded:
        return cls(
            dict(value.get("counts", {})),
            [FileNotLoaded(**f) for f in value.get("files", [])],
            [RowsQuarantined(**f) for f in value.get("partly_loaded", [])],
            value.get("partly_loaded_files", 0),
        )

    def warning(self) -> str:
        """One line for the run's log."""
        counts = ", ".join(f"{n} {LABELS[status]}" for status, n in self.counts.items())
        files = f"{self.total} landing file{'s' if self.total > 1 else ''}"
        return f"{files} not loaded ({counts}): the metadata files_not_loaded of raw/file_manifest names each"


# File-system causes -> what to do. They reach `ror` as an OSError (its own writes) or as text (DuckDB's and a run
# step's errors), where the operating system's wording is matched.
_NOT_WRITABLE = "give your user write access there, or choose another path (--warehouse, --landing, --out)"
_UNDER_A_FILE = "a part of that path is a file, not a folder: choose another path"
FILE_SYSTEM_ADVICE = {
    errno.ENOSPC: "free some space on that disk (or choose a path on another one) and run the command again",
    errno.EDQUOT: "free some space within your quota (or choose a path on another disk) and run the command again",
    errno.EACCES: _NOT_WRITABLE,
    errno.EPERM: _NOT_WRITABLE,
    errno.EROFS: "that file system is read-only: choose a path on a writable disk",
    errno.ENOTDIR: _UNDER_A_FILE,
    errno.EEXIST: _UNDER_A_FILE,
}
# Where a file system is full rather than the path wrong, the run failed (exit 1); otherwise it could not start.
DISK_FULL = (errno.ENOSPC, errno.EDQUOT)
_QUOTED_PATH = re.compile(r"""["'](/[^"']*)["']""")


def file_system_cause(error: BaseException | str) -> tuple[int, str] | None:
    """(errno, one line naming the path and the cause, with what to do) when ``error`` is, or its text tells of, a
    file-system problem this module knows; None otherwise."""
    if isinstance(error, OSError) and error.errno in FILE_SYSTEM_ADVICE:
        code, path = error.errno, error.filename
    else:
        text = str(error)
        code = next((code for code in FILE_SYSTEM_ADVICE if os.strerror(code) in text), None)
        if code is None:
            return None
        # the path quoted nearest before the cause, as DuckDB writes it: Could not write file "PATH": No space ...
        paths = _QUOTED_PATH.findall(text[: text.index(os.strerror(code))])
        path = paths[-1] if paths else None
    cause = os.strerror(code)
    if code == errno.EEXIST:  # mkdir met a file where a folder must be
        cause = "a file is in the way of a folder"
    where = f"{path}: " if path else ""
    return code, f"{where}{cause}. Next: {FILE_SYSTEM_ADVICE[code]}."
