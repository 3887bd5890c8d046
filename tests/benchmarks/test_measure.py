"""The benchmark suite's measuring tools: memory is the whole process tree's, stages come from Dagster's step keys."""

import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from benchmarks.marts_digest import differing_marts, marts_digest
from benchmarks.measure import run_measured
from benchmarks.run import OUTSIDE_STEPS, _add_day_ratio, _stage, cpu_model, markdown, stage_peaks
from benchmarks.run import main as run_benchmarks
from benchmarks.versions import baseline

HOLD = "import time; block = bytearray({mib} * 2**20); block[::4096] = b'x' * len(block[::4096]); time.sleep(1.5)"


def test_peak_memory_counts_the_children_a_command_starts(tmp_path):
    # The parent holds little; its child holds 300 MiB: the tree's peak must include the child (dbt runs as one).
    child = HOLD.format(mib=300)
    parent = f"import subprocess, sys; subprocess.run([sys.executable, '-c', {child!r}], check=True)"
    measured = run_measured([sys.executable, "-c", parent], env={}, cwd=Path.cwd(), log=tmp_path / "log", timeout=60)
    assert measured.returncode == 0
    assert measured.peak_rss_bytes > 300 * 2**20
    assert measured.seconds >= 1.5
    assert max(rss for _, rss in measured.samples) == measured.peak_rss_bytes


def test_a_failing_command_reports_its_output(tmp_path):
    command = [sys.executable, "-c", "import sys; print('what went wrong'); sys.exit(3)"]
    measured = run_measured(command, env={}, cwd=Path.cwd(), log=tmp_path / "log", timeout=60)
    assert measured.returncode == 3
    assert "what went wrong" in measured.output_tail


def test_step_keys_map_to_the_refresh_stages():
    assert _stage("raw_exports") == "ingest"
    assert _stage("enrichment__text_enrichment.export_pending_texts") == "enrichment"
    assert _stage("enrichment__text_enrichment.score_bucket[bucket_1]") == "enrichment"
    assert _stage("enrichment__text_enrichment.land_scores") == "enrichment"
    assert _stage("ror_dbt_models") == "dbt"
    assert _stage("serving_warehouse") == "publish"
    assert _stage("raw__file_manifest_raw_row_accounting") == "checks"
    assert _stage("marts__sentiment_trend_negative_sentiment_spike") == "checks"
    # named stages, not the checks' catch-all
    assert _stage("interaction_themes") == "themes"
    assert _stage("ror_report") == "report"
    assert _stage("configuration_tables") == "configuration"
    assert _stage("extract__bluesky") == "ingest"


def test_each_stage_gets_the_peak_of_the_samples_taken_while_its_steps_ran():
    steps = [
        {"step": "raw_exports", "stage": "ingest", "start": 10.0, "end": 20.0},
        {"step": "interaction_themes", "stage": "themes", "start": 20.5, "end": 30.0},
    ]
    gib = 2**30
    samples = ((5.0, 1 * gib), (12.0, 2 * gib), (19.0, 3 * gib), (25.0, 1.5 * gib), (31.0, 0.5 * gib))
    assert stage_peaks(samples, steps) == {"ingest": 3.0, "themes": 1.5, OUTSIDE_STEPS: 1.0}


def _run(code: str, seconds: float) -> dict:
    return {
        "code": code,
        "ok": True,
        "seconds": seconds,
        "peak_rss_gib": 1.5,
        "startup_and_other_seconds": 20.0,
        "stage_seconds": {"ingest": 50.0, "enrichment": 80.0, "themes": 4.0, "dbt": 40.0, "checks": 5.0, "report": 2.0},
        "stage_peak_rss_gib": {"ingest": 1.2, "enrichment": 1.5, "dbt": 0.9},
        "enrichment": {"texts_encoded": 40_000, "texts_per_second": 500.0, "texts_from_cache": 0},
    }


def _history(days: int, day_seconds: tuple[float, float], same: bool) -> dict:
    verdict = {"marts": 21, "equal": same, "differ": [] if same else ["advocacy"]}
    return {
        "interactions": 100_000,
        "days": days,
        "added_interactions": 550,
        "first_refresh": [_run("baseline abc1234", 250.0), _run("new def5678", 200.0)],
        "one_more_day": [_run("baseline abc1234", day_seconds[0]), _run("new def5678", day_seconds[1])],
        "same_marts": {"first_refresh": verdict, "one_more_day": verdict},
    }


def test_the_table_shows_both_versions_every_stage_share_the_marts_verdict_and_the_add_a_day_ratio():
    results = {
        "measured_at": "2026-11-30T05:00:00+00:00",
        "command": "python -m benchmarks.run --baseline abc1234",
        "machine": {
            "cpu": "AMD EPYC",
            "cpus": 2,
            "memory_gib": 24,
            "platform": "Linux",
            "python": "3.11",
            "load_average_at_start": [1],
        },
        "refresh": [_history(365, (40.0, 30.0), same=True)],
        "add_day": [_history(7, (40.0, 20.0), same=False), _history(365, (44.0, 25.0), same=False)],
    }
    results["add_day_ratio"] = _add_day_ratio(results["add_day"])
    table = markdown(results)
    first_row = (
        "| 100,000 / 365 days: first refresh | new def5678 | 200.0 s | 1.5 GiB, enrichment | 0 s (0%) | 50.0 s (25%) |"
    )
    assert first_row in table
    # themes and report are stages of their own, then the time outside the steps
    assert "| 80.0 s (40%) | 4.0 s (2%) | 40.0 s (20%) | 5.0 s (2%) | 0 s (0%) | 2.0 s (1%) | 20.0 s |" in table
    assert "| themes |" in table and "| report |" in table
    assert "| 100,000 / 365 days: first refresh | baseline abc1234 | 250.0 s |" in table
    assert "| 100,000 / 7 days: one more day (550 new) | new def5678 | 20.0 s |" in table
    assert "After the one more day of 100,000 interactions, the 21 marts of both versions are equal." in table
    assert "of the 21 marts, these DIFFER between the versions: advocacy." in table
    assert "costs 1.25x one more day on 7 days" in table  # the new code's 25 s over its 20 s
    assert "Machine: 2 CPUs (AMD EPYC), 24 GiB" in table  # figures from another processor are not compared


def test_the_processor_is_named_from_cpuinfo(tmp_path):
    cpuinfo = tmp_path / "cpuinfo"
    cpuinfo.write_text("processor\t: 0\nvendor_id\t: GenuineIntel\nmodel name\t: Intel(R) Xeon(R) Platinum 8481C\n")
    assert cpu_model(cpuinfo) == "Intel(R) Xeon(R) Platinum 8481C"


def test_the_digest_tells_equal_marts_from_a_changed_value_and_ignores_run_bookkeeping(tmp_path):
    def warehouse(name: str, score: float, refresh_id: str) -> Path:
        path = tmp_path / f"{name}.duckdb"
        with duckdb.connect(str(path)) as con:
            con.execute("create schema marts")
            con.execute(
                "create table marts.trend (day date, score double, refresh_id varchar, loaded_at_utc timestamp)"
            )
            con.execute(
                "insert into marts.trend values ('2026-01-01', ?, ?, now()), ('2026-01-02', 0.25, ?, now())",
                [score, refresh_id, refresh_id],
            )
            con.execute("create table marts.ingest_audit (batch varchar)")
            con.execute("insert into marts.ingest_audit values (?)", [name])
        return path

    one, rerun = warehouse("one", 0.5, "r1"), warehouse("rerun", 0.5, "r2")
    nudged = warehouse("nudged", 0.5 + 2**-52, "r1")  # the smallest change a double can carry
    assert differing_marts(marts_digest(one), marts_digest(rerun)) == []
    assert differing_marts(marts_digest(one), marts_digest(nudged)) == ["trend"]
    assert "ingest_audit" not in marts_digest(one)  # a log of batches, different in every warehouse


def test_a_baseline_is_that_commits_tree_and_a_wrong_ref_is_refused(tmp_path):
    head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True)
    version = baseline("HEAD", tmp_path / "code")
    assert version.label == f"baseline {head.stdout.strip()}" and version.slug == "baseline"
    assert (version.dbt_project / "dbt_project.yml").is_file() and (version.root / "orchestration").is_dir()
    assert version.env(tmp_path / "home")["PYTHONPATH"] == str(version.root)
    with pytest.raises(subprocess.CalledProcessError):
        baseline("no-such-commit", tmp_path / "other")


def test_a_wrong_baseline_is_refused_before_the_scratch_folder_is_emptied(tmp_path, capsys):
    work = tmp_path / "work"
    work.mkdir()
    (work / "last_run.log").write_text("kept")
    with pytest.raises(SystemExit) as refused:
        run_benchmarks(["--only", "dbt", "--baseline", "no-such-commit", "--work", str(work)])
    assert refused.value.code == 2 and "not a commit of this repository" in capsys.readouterr().err
    assert (work / "last_run.log").read_text() == "kept"


@pytest.mark.parametrize(
    ("option", "value", "why"), [("--sizes", "-5", "not at least 1"), ("--dbt-rows", "abc", "not a whole number")]
)
def test_a_size_that_is_not_a_positive_count_is_a_usage_error(option, value, why, tmp_path, capsys):
    work = tmp_path / "work"
    with pytest.raises(SystemExit) as refused:
        run_benchmarks(["--only", "refresh", option, value, "--work", str(work)])
    assert refused.value.code == 2 and why in capsys.readouterr().err
    assert not work.exists()
