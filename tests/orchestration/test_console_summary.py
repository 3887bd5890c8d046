"""The one-screen summary after a refresh: paths stay whole on a narrow terminal, so they can be copied; every file
not loaded is named with why and what to do."""

from __future__ import annotations

import io
from pathlib import Path

from rich.console import Console

from orchestration.console import SHOWN, SHOWN_FILES, CheckTally, RunOutcome, print_summary
from orchestration.failures import WHAT_TO_DO, FileNotLoaded, FilesNotLoaded, RowsQuarantined


def test_paths_are_never_wrapped_on_a_narrow_terminal(tmp_path: Path) -> None:
    out = io.StringIO()
    console = Console(file=out, width=40, highlight=False, color_system=None)
    report = tmp_path / "reports" / "ror-report-northwind-2026-09-18-2026-10-29.html"
    print_summary(
        console,
        ok=True,
        seconds=12,
        serving_path=tmp_path / "missing" / "ror.duckdb",
        working_path=tmp_path / "ror.work.duckdb",
        outcome=None,
        reports=[report],
    )
    lines = out.getvalue().splitlines()
    assert any(line.endswith(str(report)) for line in lines)
    assert any(line.endswith(str(tmp_path / "ror.work.duckdb")) for line in lines)
    assert "No serving warehouse" in out.getvalue()


def test_checks_beyond_the_screen_are_counted_not_dropped(tmp_path: Path) -> None:
    out = io.StringIO()
    warned = [f"raw/interactions:check_{n}" for n in range(SHOWN + 2)]
    outcome = RunOutcome(checks=CheckTally(passed=3, warned=warned, failed=["marts/x:one"]))
    print_summary(
        Console(file=out, width=100, color_system=None),
        ok=False,
        seconds=1,
        serving_path=tmp_path / "none.duckdb",
        working_path=tmp_path / "w.duckdb",
        outcome=outcome,
        reports=[],
    )
    text = out.getvalue()
    assert f"Checks: 3 passed, {SHOWN + 2} warned, 1 failed" in text
    assert sum(line.strip().startswith("warn ") for line in text.splitlines()) == SHOWN
    assert "... and 2 more warned" in text
    assert "fail marts/x:one" in text and "more failed" not in text


def test_every_file_not_loaded_is_named_by_reason_with_what_to_do(tmp_path: Path) -> None:
    files = [FileNotLoaded(f"x/bad_{n:02}.jsonl", "failed", "ValueError: broken page\nsecond line") for n in range(12)]
    files += [FileNotLoaded("notes.bin", "unrecognised", "no known export layout matched the start of the file")]
    files += [FileNotLoaded("big.csv", "still_changing", "still being written (its size changed)")]
    out = io.StringIO()
    print_summary(
        Console(file=out, width=100, color_system=None),
        ok=True,
        seconds=1,
        serving_path=tmp_path / "none.duckdb",
        working_path=tmp_path / "w.duckdb",
        outcome=None,
        reports=[],
        not_loaded=FilesNotLoaded.of(files),
    )
    text = out.getvalue()
    assert "14 landing files not loaded:" in text
    assert f"failed (12): {WHAT_TO_DO['failed']}" in " ".join(text.split())
    assert "x/bad_00.jsonl: ValueError: broken page" in text and "second line" not in text
    assert sum(line.startswith("    x/bad_") for line in text.splitlines()) == SHOWN_FILES
    assert "unrecognised (1)" in text and "still being written (1)" in text
    assert f"... and {14 - SHOWN_FILES} more" in text
    assert "Refresh finished with 14 files not loaded" in text and "succeeded" not in text


def test_a_file_loaded_less_some_rows_is_named_with_its_counts_and_reasons(tmp_path: Path) -> None:
    partly = [
        RowsQuarantined("x/pages.jsonl", 3, 120, ["created_at before the platform existed", "malformed JSON"]),
        RowsQuarantined("crm/contacts.csv", 1, 40, ["8 fields where the header has 7"]),
    ]
    landed = FilesNotLoaded.from_metadata(FilesNotLoaded.of([], partly).to_metadata())  # as the CLI reads it back
    out = io.StringIO()
    print_summary(
        Console(file=out, width=100, color_system=None),
        ok=True,
        seconds=1,
        serving_path=tmp_path / "none.duckdb",
        working_path=tmp_path / "w.duckdb",
        outcome=None,
        reports=[],
        not_loaded=landed,
    )
    text = out.getvalue()
    assert "Rows quarantined in 2 loaded files" in text
    assert "x/pages.jsonl: 3 of 120 rows (created_at before the platform existed; malformed JSON)" in text
    assert "crm/contacts.csv: 1 of 40 rows (8 fields where the header has 7)" in text
    assert "Refresh succeeded" in text  # a bad row fails alone: the exit status stays that of the files
