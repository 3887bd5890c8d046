"""The closing screen of a refresh: what failed and why, the files not loaded, the summary table."""

from __future__ import annotations

import sys
import time

from orchestration.cli.errors import EXIT_FAILED, EXIT_OK
from orchestration.settings import Settings


def _error_chain(error) -> list:
    """A step's serialized error and every cause and context under it, outermost first."""
    chain = []
    while error is not None and len(chain) < 20:
        chain.append(error)
        error = error.cause or error.context
    return chain


def explain_step_error(step_key: str, error) -> str:
    """One line for a step's error: a file-system cause in the project's words (the path and what to do), else the
    innermost error (Dagster wraps the one raised by the step's own code)."""
    from orchestration.failures import file_system_cause

    chain = _error_chain(error)
    for link in chain:
        if cause := file_system_cause(link.message):
            return f"Step {step_key} failed: {cause[1]}"
    innermost = chain[-1] if chain else None
    first_line = (innermost.message.strip().splitlines() or [""])[0] if innermost else "no error recorded"
    return f"Step {step_key} failed: {first_line}"


def explain_failed_run(result, verbose: bool) -> str:
    """What failed, in a few lines: failed blocking checks with their explanation, failed steps with theirs."""
    from orchestration.failures import explain_row_accounting

    lines = []
    # dbt tests' failures are explained, with their rows, by the dbt step's failure below.
    for evaluation in result.get_asset_check_evaluations():
        if not evaluation.passed and evaluation.check_name == "raw_row_accounting":
            metadata = {key: value.value for key, value in evaluation.metadata.items()}
            lines.append(explain_row_accounting(metadata))
    for event in result.all_events:
        if not event.is_step_failure:
            continue
        failure = event.step_failure_data
        description = failure.user_failure_data.description if failure.user_failure_data else None
        lines.append(description or explain_step_error(event.step_key, failure.error))
        if verbose and failure.error is not None:
            lines.append(failure.error.to_string())
    if not lines:
        lines.append("The refresh failed: run it again with --verbose to see the whole log.")
    return "\n".join(lines)


def console():
    from rich.console import Console

    return Console(highlight=False, file=sys.stdout)


def files_not_loaded(result):
    """The landing files the run's ingest step did not load, from its metadata; None when it did not run."""
    from orchestration.assets.ingest import NOT_LOADED_KEY, NOT_LOADED_METADATA, raw_key
    from orchestration.failures import FilesNotLoaded

    for event in result.get_asset_materialization_events():
        materialization = event.event_specific_data.materialization
        if materialization.asset_key == raw_key(NOT_LOADED_KEY) and NOT_LOADED_METADATA in materialization.metadata:
            return FilesNotLoaded.from_metadata(materialization.metadata[NOT_LOADED_METADATA].value)
    return None


def finish(settings: Settings, result, outcome, started: float, what: str, verbose: bool) -> int:
    """The closing screen: the summary (with every file not loaded), and on failure what failed (on stderr). Exit
    status: EXIT_FAILED when the run failed or a landing file was not loaded."""
    from orchestration.assets.report import written_report_paths
    from orchestration.console import print_summary

    if not result.success:
        print(explain_failed_run(result, verbose), file=sys.stderr)
    not_loaded = files_not_loaded(result)
    reports = written_report_paths(result) if result.success else []
    print_summary(
        console(),
        ok=result.success,
        seconds=time.perf_counter() - started,
        serving_path=settings.serving_path,
        working_path=settings.working_path,
        outcome=outcome,
        reports=reports,
        what=what,
        not_loaded=not_loaded,
        brands_named=settings.config_path is not None,
    )
    return EXIT_OK if result.success and not (not_loaded and not_loaded.total) else EXIT_FAILED


def print_nothing_new(console, settings: Settings, last, seconds: float) -> None:
    """The closing screen of a refresh that found nothing new (orchestration.refresh_state): what is published, and
    that nothing was rebuilt."""
    from orchestration.console import print_published

    console.print()
    print_published(console, settings.serving_path, settings.working_path)
    refreshed_at = last.refreshed_at.strftime("%Y-%m-%d %H:%M UTC")
    console.print(
        f"Nothing new since the refresh of {refreshed_at} (run {last.run_id}): every landing file is loaded and the "
        "configuration, dbt project and models are unchanged; the warehouse was left as it was.",
        soft_wrap=True,
    )
    console.print(f"[bold]Refresh [green]succeeded[/green]: nothing new, in {seconds:.0f} s[/bold]")
    console.print("Next: deliver new export files to the landing folder and refresh again (--full-refresh rebuilds).")
