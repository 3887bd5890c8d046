"""What `ror` shows while a refresh runs and after it: one progress bar per stage, then a one-screen summary.

The bars follow the run's Dagster events (an instance event listener): step starts and ends, the progress lines the
assets log (see orchestration.progress), dbt's materializations and test results. Nothing here changes what runs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import duckdb
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from orchestration.failures import LABELS, WHAT_TO_DO, FilesNotLoaded
from orchestration.progress import parse_progress_line

# asset node -> what the bar says; a graph-backed asset's steps are "<node>.<op>" (the enrichment's buckets
# "<node>.score_bucket[bucket_N]") and share its bar
STAGES = {
    "raw_exports": "ingest",
    "enrichment__text_enrichment": "enrichment",
    "ror_dbt_models": "dbt models and tests",
    "serving_warehouse": "publish",
    "ror_report": "report",
}
# The step that ends a graph-backed stage: its other steps' success does not fill the bar.
STAGE_LAST_STEPS = {"enrichment__text_enrichment": "enrichment__text_enrichment.land_scores"}


def stage_of(step: str) -> str | None:
    """The stage a step key belongs to, or None for the steps of asset checks outside dbt."""
    return STAGES.get(step.split(".", 1)[0])


def _ends_stage(step: str) -> bool:
    node = step.split(".", 1)[0]
    return STAGE_LAST_STEPS.get(node, node) == step


# Warned and failed checks named on the summary screen; the rest are counted (the UI lists them all).
SHOWN = 5
# Landing files not loaded named on the summary screen; the rest are counted.
SHOWN_FILES = 10


@dataclass
class CheckTally:
    passed: int = 0
    warned: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)


@dataclass
class RunOutcome:
    checks: CheckTally = field(default_factory=CheckTally)
    step_errors: list[str] = field(default_factory=list)


class RunProgress:
    """A rich progress display fed by Dagster events of one run: ``listen`` is the instance event callback."""

    def __init__(self, console: Console):
        self.console = console
        self.progress = Progress(
            SpinnerColumn(),
            TextColumn("{task.description:<22}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[detail]}"),
            TimeElapsedColumn(),
            console=console,
            transient=False,
            redirect_stdout=False,
            redirect_stderr=False,
        )
        self.tasks: dict[str, int] = {}
        # stage -> step -> (done, total) from the steps' progress lines: parallel steps of a stage add up on its bar
        self.step_progress: dict[str, dict[str, tuple[int, int]]] = {}
        self.outcome = RunOutcome()

    def __enter__(self) -> RunProgress:
        self.progress.start()
        return self

    def __exit__(self, *exc) -> None:
        for task in self.progress.tasks:
            if task.total is None:  # the checks bar: its size is known only at the end
                self.progress.update(task.id, total=task.completed)
        self.progress.stop()

    def _task(self, step: str) -> int:
        """One bar per stage; the steps of asset checks outside dbt share a single `checks` bar."""
        stage = stage_of(step) or "checks"
        if stage not in self.tasks:
            self.tasks[stage] = self.progress.add_task(stage, total=None, detail="")
        return self.tasks[stage]

    def listen(self, entry) -> None:
        step = entry.step_key
        event = entry.dagster_event
        if event is None:
            parsed = parse_progress_line(entry.user_message or "")
            if parsed is not None and step is not None:
                steps = self.step_progress.setdefault(stage_of(step) or "checks", {})
                steps[step] = (parsed.done, parsed.total)
                done, total = (sum(counts) for counts in zip(*steps.values(), strict=True))
                detail = parsed.detail if len(steps) == 1 else f"{len(steps)} workers"
                self.progress.update(self._task(step), total=total, completed=done, detail=detail)
            return
        kind = event.event_type_value
        if step is None:  # run-level events: the summary reports the outcome
            return
        if kind == "STEP_START":
            self._task(step)
        elif kind == "ASSET_CHECK_EVALUATION":
            self._tally(event.event_specific_data)
            if step == "ror_dbt_models":
                self.progress.advance(self._task(step))
        elif kind == "ASSET_MATERIALIZATION" and step == "ror_dbt_models":
            self.progress.advance(self._task(step))
        elif kind == "STEP_SUCCESS" and stage_of(step) is None:
            self.progress.advance(self._task(step))
        elif kind == "STEP_SUCCESS" and _ends_stage(step):
            task = self._task(step)
            total = self.progress.tasks[task].total
            self.progress.update(task, total=total or 1, completed=total or 1)
        elif kind == "STEP_FAILURE":
            error = event.event_specific_data.error
            message = error.message.strip().splitlines()[0] if error else "failed"
            self.outcome.step_errors.append(f"{stage_of(step) or step}: {message}")
            self.progress.update(self._task(step), detail="[red]failed[/red]")

    def _tally(self, evaluation) -> None:
        name = f"{evaluation.asset_key.to_user_string()}:{evaluation.check_name}"
        if evaluation.passed:
            self.outcome.checks.passed += 1
        elif evaluation.severity.value == "WARN":
            # a check that names what it found (metadata `summary`) says it on the screen, ahead of the rest
            summary = evaluation.metadata.get("summary")
            if summary is None:
                self.outcome.checks.warned.append(name)
            else:
                self.outcome.checks.warned.insert(0, f"{name}: {summary.value}")
        else:
            self.outcome.checks.failed.append(name)


def mart_rows(serving_path: Path) -> tuple[str | None, list[tuple[str, int]]]:
    """(refresh id, [(table, rows)]) of the published serving file."""
    with duckdb.connect(str(serving_path), read_only=True) as con:
        rows = con.execute(
            "select table_name, row_count, refresh_id from marts.refresh_log order by table_name"
        ).fetchall()
    return (rows[0][2] if rows else None), [(name, count) for name, count, _ in rows]


def print_files_not_loaded(console: Console, not_loaded: FilesNotLoaded) -> None:
    """Every file the refresh did not load, grouped by why, with what to do: the first SHOWN_FILES by name."""
    console.print(f"[yellow]{not_loaded.total} landing file{'s' if not_loaded.total > 1 else ''} not loaded:[/yellow]")
    shown = 0
    for status, count in not_loaded.counts.items():
        console.print(f"  [yellow]{LABELS[status]}[/yellow] ({count}): {WHAT_TO_DO[status]}", soft_wrap=True)
        for file in [f for f in not_loaded.files if f.status == status][: max(SHOWN_FILES - shown, 0)]:
            console.print(f"    {file.file}: {file.short_reason()}", soft_wrap=True, crop=False)
            shown += 1
    if not_loaded.total > shown:
        console.print(
            f"  ... and {not_loaded.total - shown} more (the run's metadata `files_not_loaded` in the UI, "
            "and raw.file_manifest of the working database, list them)"
        )


def print_rows_quarantined(console: Console, landed: FilesNotLoaded) -> None:
    """The files that loaded less some rows: how many rows, and the first reasons (never a value)."""
    files = landed.partly_loaded_files
    console.print(
        f"[yellow]Rows quarantined in {files} loaded file{'s' if files > 1 else ''}[/yellow] (the rest of "
        "each file loaded; raw.quarantine of the working database holds every row with its line and reason):",
        soft_wrap=True,
    )
    for file in landed.partly_loaded[:SHOWN_FILES]:
        reasons = "; ".join(file.reasons)
        console.print(
            f"    {file.file}: {file.rows_quarantined:,} of {file.rows_read:,} rows ({reasons})",
            soft_wrap=True,
            crop=False,
        )
    if files > SHOWN_FILES:
        console.print(
            f"  ... and {files - SHOWN_FILES} more (the run's metadata `files_not_loaded` in the UI lists them)"
        )


def print_summary(
    console: Console,
    *,
    ok: bool,
    seconds: float,
    serving_path: Path,
    working_path: Path,
    outcome: RunOutcome | None,
    reports: list[Path],
    what: str = "Refresh",
    not_loaded: FilesNotLoaded | None = None,
    brands_named: bool = False,
) -> None:
    """The screen a person reads after a refresh: what was built, what the checks said, which files were not loaded
    and why, where things are, next steps."""
    console.print()
    _print_marts(console, serving_path)
    if outcome is not None:
        _print_checks(console, outcome)
    files_missed = not_loaded is not None and not_loaded.total > 0
    if files_missed:
        print_files_not_loaded(console, not_loaded)
    if not_loaded is not None and not_loaded.partly_loaded_files:
        print_rows_quarantined(console, not_loaded)
    _print_paths(console, serving_path, working_path)
    for report in reports:
        console.print(f"Report:                          {report}", soft_wrap=True, crop=False)
    if not ok:
        verdict = "[red]FAILED[/red]"
    elif files_missed:
        files = f"{not_loaded.total} file{'s' if not_loaded.total > 1 else ''}"
        verdict = f"[yellow]finished with {files} not loaded[/yellow]"
    else:
        verdict = "[green]succeeded[/green]"
    console.print(f"[bold]{what} {verdict} in {seconds:.0f} s[/bold]")
    console.print("Next: " + _next_step(ok, files_missed, bool(reports), brands_named))


def print_published(console: Console, serving_path: Path, working_path: Path) -> None:
    """The published marts and where the warehouse is (a refresh with nothing new: orchestration.refresh_state)."""
    _print_marts(console, serving_path)
    _print_paths(console, serving_path, working_path)


def _print_paths(console: Console, serving_path: Path, working_path: Path) -> None:
    # paths are never wrapped (a narrow terminal would break them mid-name), so they can be copied whole
    console.print(f"Warehouse (BI tools, read-only): {serving_path}", soft_wrap=True, crop=False)
    console.print(f"Working database:                {working_path}", soft_wrap=True, crop=False)


def _print_marts(console: Console, serving_path: Path) -> None:
    if not serving_path.exists():
        console.print("[yellow]No serving warehouse has been published yet.[/yellow]")
        return
    refresh_id, rows = mart_rows(serving_path)
    console.print(f"Published marts (refresh {refresh_id or '-'})", soft_wrap=True, crop=False)
    table = Table(box=None, show_header=False, pad_edge=False)
    table.add_column("mart")
    table.add_column("rows", justify="right")
    for name, count in rows:
        table.add_row(f"marts.{name}", f"{count:,}")
    console.print(table)


def _print_checks(console: Console, outcome: RunOutcome) -> None:
    checks = outcome.checks
    line = f"Checks: [green]{checks.passed} passed[/green], "
    line += f"[yellow]{len(checks.warned)} warned[/yellow], " if checks.warned else "0 warned, "
    line += f"[red]{len(checks.failed)} failed[/red]" if checks.failed else "0 failed"
    console.print(line)
    for name in checks.warned[:SHOWN]:
        console.print(f"  [yellow]warn[/yellow] {name}")
    if len(checks.warned) > SHOWN:
        console.print(f"  ... and {len(checks.warned) - SHOWN} more warned (`make dev` lists them all)")
    for name in checks.failed[:SHOWN]:
        console.print(f"  [red]fail[/red] {name}")
    if len(checks.failed) > SHOWN:
        console.print(f"  ... and {len(checks.failed) - SHOWN} more failed (`make dev` lists them all)")
    for error in outcome.step_errors[:5]:
        console.print(f"  [red]error[/red] {error}")


def _next_step(ok: bool, files_missed: bool, reports: bool, brands_named: bool) -> str:
    ui = "`make dev` shows the run, its checks and metadata at http://127.0.0.1:3000."
    if not ok:
        return (
            "run again with --verbose for the full log, or open the run in the UI (`make dev`, "
            "http://127.0.0.1:3000); the serving file still holds the last good data."
        )
    if files_missed:
        return f"deal with the files listed above and refresh again (what was loaded is published); {ui}"
    if reports:
        return f"open the report in a browser; {ui}"
    if brands_named:
        return (
            "no brand has data to report on yet: check that the accounts in the configuration are the ones the "
            f"exports name (`ror ingest DIR --dry-run` shows what each file holds); {ui}"
        )
    return f"name your brands in a configuration file (docs/your-own-data.md) to attribute and report; {ui}"
