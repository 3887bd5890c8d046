"""`ror` given wrong input on purpose: one or two lines on stderr that say what to do, a documented exit code, no
traceback; and every command's --help shows an example."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from orchestration.cli import EXIT_FAILED, EXIT_INPUT, EXIT_USAGE, build_parser, main
from orchestration.failures import WHAT_TO_DO

ROR = Path(sys.executable).with_name("ror")
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"

COMMANDS = ("refresh", "backfill", "demo", "ingest", "enrich", "report")


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    try:
        code = main(list(argv))
    except SystemExit as exit:  # argparse's own usage errors
        code = exit.code
    return code, capsys.readouterr().err


def assert_short_error(stderr: str, *expected: str) -> None:
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert 1 <= len(lines) <= 2, stderr
    assert "Traceback" not in stderr
    for text in expected:
        assert text in stderr


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help_with_an_example(command: str) -> None:
    parser = build_parser()
    subparser = parser._subparsers._group_actions[0].choices[command]
    help_text = subparser.format_help()
    assert "example:" in help_text and f"ror {command}" in help_text
    assert "exit codes:" in help_text


def test_reversed_backfill_range_is_refused(capsys) -> None:
    code, err = run(capsys, "backfill", "--from", "2026-09-01", "--to", "2026-08-01")
    assert code == EXIT_USAGE
    assert_short_error(err, "--from 2026-09-01 is after --to 2026-08-01")


def test_malformed_day_is_refused(capsys) -> None:
    code, err = run(capsys, "backfill", "--from", "2026-13-01", "--to", "2026-12-01")
    assert code == EXIT_USAGE
    assert "write it as YYYY-MM-DD" in err and "Traceback" not in err


def test_enrich_missing_file(capsys, tmp_path: Path) -> None:
    code, err = run(
        capsys,
        "enrich",
        "--input",
        str(tmp_path / "nope.csv"),
        "--text-column",
        "message",
        "--output",
        str(tmp_path / "out.parquet"),
    )
    assert code == EXIT_INPUT
    assert_short_error(err, "no such file", "nope.csv")


def test_evaluate_without_tweeteval_says_what_to_pass(capsys, tmp_path: Path) -> None:
    code, err = run(capsys, "evaluate", "--tweeteval-dir", str(tmp_path / "nowhere"))
    assert code == EXIT_USAGE
    assert_short_error(err, "TweetEval not found", "pass --tweeteval-dir")


def test_evaluate_without_banking77_stops_before_any_work(capsys, tmp_path: Path) -> None:
    """BANKING77 is read last, 25 minutes in: it is checked with TweetEval at the start."""
    tweeteval = tmp_path / "tweeteval" / "sentiment"
    tweeteval.mkdir(parents=True)
    (tweeteval / "test_text.txt").write_text("a tweet\n")
    argv = ["--tweeteval-dir", str(tmp_path / "tweeteval"), "--banking77-dir", str(tmp_path / "nowhere")]
    code, err = run(capsys, "evaluate", *argv, "--output", str(tmp_path / "EVALUATION.md"))
    assert code == EXIT_USAGE
    assert_short_error(err, "BANKING77 not found", "pass --banking77-dir")
    assert not (tmp_path / "EVALUATION.md").exists()


def test_enrich_wrong_column_names_the_columns(capsys, tmp_path: Path) -> None:
    source = tmp_path / "comments.csv"
    source.write_text("id,message\n1,love it\n")
    code, err = run(
        capsys, "enrich", "--input", str(source), "--text-column", "body", "--output", str(tmp_path / "out.parquet")
    )
    assert code == EXIT_INPUT
    assert_short_error(err, "'body'", "message")
    assert not (tmp_path / "out.parquet").exists()


def test_enrich_scores_with_the_models_the_environment_names(capsys, monkeypatch, tmp_path: Path) -> None:
    """`ror enrich` reads the enrichment variables at its edge, as a refresh does (models/README.md)."""
    monkeypatch.setenv("ROR_ENRICH_INT8", "maybe")
    source = tmp_path / "comments.csv"
    source.write_text("id,message\n1,love it\n")
    code, err = run(
        capsys, "enrich", "--input", str(source), "--text-column", "message", "--output", str(tmp_path / "out.parquet")
    )
    assert code == EXIT_INPUT
    assert_short_error(err, "expected a boolean", "'maybe'")


def test_ingest_missing_path(capsys, tmp_path: Path) -> None:
    code, err = run(capsys, "ingest", str(tmp_path / "missing"), "--dry-run")
    assert code == EXIT_INPUT
    assert_short_error(err, "no such file or folder")


@pytest.mark.parametrize("command", [("refresh", "--landing"), ("ingest",)])
def test_a_memory_limit_duckdb_would_not_take_stops_the_command_in_one_line(capsys, monkeypatch, tmp_path, command):
    monkeypatch.setenv("ROR_DUCKDB_MEMORY_LIMIT", "lots")
    code, stderr = run(capsys, *command, str(tmp_path), "--warehouse", str(tmp_path / "ror.duckdb"))
    assert code == EXIT_USAGE
    assert_short_error(stderr, "ROR_DUCKDB_MEMORY_LIMIT must be a size such as 4GB", "got 'lots'")


def test_report_without_a_warehouse(capsys, tmp_path: Path) -> None:
    code, err = run(capsys, "report", "--warehouse", str(tmp_path / "none.duckdb"), "--out", str(tmp_path))
    assert code == EXIT_INPUT
    assert_short_error(err, "no warehouse at", "ror refresh")


def test_report_with_half_a_period(capsys, tmp_path: Path) -> None:
    warehouse = tmp_path / "ror.duckdb"
    warehouse.touch()
    code, err = run(capsys, "report", "--warehouse", str(warehouse), "--out", str(tmp_path), "--from", "2026-08-01")
    assert code == EXIT_USAGE
    assert_short_error(err, "both --from and --to")


@pytest.mark.slow
def test_a_refresh_right_after_a_copy_loads_the_files_and_names_the_one_it_could_not(tmp_path: Path) -> None:
    """No --settle-seconds, as a person runs it: the files copied a moment ago are loaded, the unrecognised one is
    named with what to do, and the exit status says a file was not loaded."""
    landing, serving = tmp_path / "landing", tmp_path / "wh" / "ror.duckdb"
    shutil.copytree(FIXTURES / "x_twitter_v2", landing / "x")
    (landing / "notes.bin").write_bytes(bytes(range(256)) * 4)
    env = {k: v for k, v in os.environ.items() if k not in ("ROR_SETTLE_SECONDS", "ROR_CONFIG")}
    env["DAGSTER_HOME"] = str(tmp_path / "dagster")
    refresh = subprocess.run(
        [ROR, "refresh", "--landing", landing, "--warehouse", serving],
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert refresh.returncode == EXIT_FAILED, refresh.stdout[-3000:] + refresh.stderr[-3000:]
    out = " ".join(refresh.stdout.split())
    assert "1 landing file not loaded:" in out and f"unrecognised (1): {WHAT_TO_DO['unrecognised']}" in out
    assert "notes.bin: not an export: binary data, not text" in out
    assert "Refresh finished with 1 file not loaded" in out and "succeeded" not in out
    with duckdb.connect(str(serving), read_only=True) as con:
        (interactions,) = con.execute("select count(*) from marts.fct_interactions").fetchone()
    assert interactions > 0


def _unwritable_folder(tmp_path: Path) -> Path:
    """A folder this user cannot create files in: read-only by its mode, or (root ignores modes) the kernel's /sys."""
    if os.geteuid() == 0:
        return Path("/sys")
    folder = tmp_path / "read_only"
    folder.mkdir(mode=0o555)
    return folder


def test_a_warehouse_folder_that_cannot_be_written_is_one_line_naming_it(capsys, tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    shutil.copytree(FIXTURES / "x_twitter_v2", landing)
    folder = _unwritable_folder(tmp_path)
    code, err = run(capsys, "ingest", str(landing), "--warehouse", str(folder / "wh" / "ror.duckdb"))
    assert code == EXIT_USAGE
    assert_short_error(err, str(folder / "wh"), "give your user write access there")
    assert "PermissionError" not in err and "Errno" not in err


def test_a_warehouse_path_under_a_file_is_one_line_naming_it(capsys, tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    shutil.copytree(FIXTURES / "x_twitter_v2", landing)
    (tmp_path / "notes.txt").write_text("a file, not a folder")
    for warehouse in (tmp_path / "notes.txt" / "ror.duckdb", tmp_path / "notes.txt" / "wh" / "ror.duckdb"):
        code, err = run(capsys, "ingest", str(landing), "--warehouse", str(warehouse))
        assert code == EXIT_USAGE
        assert_short_error(err, str(tmp_path / "notes.txt"), "a part of that path is a file, not a folder")
        assert "FileExistsError" not in err and "NotADirectoryError" not in err


@pytest.fixture
def full_disk(tmp_path: Path):
    """A small file system of its own (tmpfs) with all but 16 KB taken, which a warehouse fills at once; skipped where
    mounting is not allowed."""
    mount_point = tmp_path / "small_disk"
    mount_point.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", mount_point], capture_output=True)
    if mounted.returncode != 0:
        pytest.skip("mounting a small tmpfs needs root")
    free = os.statvfs(mount_point)
    (mount_point / "filler").write_bytes(b"\0" * (free.f_bavail * free.f_frsize - 16 * 1024))
    yield mount_point
    subprocess.run(["umount", mount_point], check=True)


def test_a_full_disk_is_one_line_naming_the_file_and_the_cause(capsys, tmp_path: Path, full_disk: Path) -> None:
    landing = tmp_path / "landing"
    shutil.copytree(FIXTURES / "x_twitter_v2", landing)
    code, err = run(capsys, "ingest", str(landing), "--warehouse", str(full_disk / "ror.duckdb"))
    assert code == EXIT_FAILED
    assert_short_error(err, str(full_disk), "No space left on device", "free some space")
    assert "no transaction is active" not in err and "Exception" not in err


def test_a_step_error_names_the_full_disk_a_failed_rollback_would_hide(tmp_path: Path) -> None:
    from dagster import asset, materialize

    from orchestration.cli import explain_step_error

    @asset
    def writes_the_warehouse() -> None:
        con = duckdb.connect(str(tmp_path / "w.duckdb"))
        try:
            wal = tmp_path / "w.duckdb.wal"
            raise duckdb.IOException(f'IO Error: Could not write file "{wal}": No space left on device')
        except duckdb.IOException:
            con.execute("rollback")  # DuckDB already ended the transaction: "cannot rollback - no transaction..."

    result = materialize([writes_the_warehouse], raise_on_error=False)
    (failure,) = [event for event in result.all_events if event.is_step_failure]
    line = explain_step_error(failure.step_key, failure.step_failure_data.error)
    assert line == (
        f"Step writes_the_warehouse failed: {tmp_path}/w.duckdb.wal: No space left on device. Next: free some space "
        "on that disk (or choose a path on another one) and run the command again."
    )
