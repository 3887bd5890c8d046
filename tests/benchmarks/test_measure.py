"""The benchmark suite's measuring tools: memory is the whole process tree's, stages come from Dagster's step keys."""

import sys
from pathlib import Path

from benchmarks.measure import run_measured
from benchmarks.run import OUTSIDE_STEPS, _stage, markdown, stage_peaks

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


def test_the_table_shows_every_stage_share_and_the_add_a_day_ratio():
    refresh = {
        "interactions": 100_000,
        "days": 365,
        "ok": True,
        "seconds": 200.0,
        "peak_rss_gib": 1.5,
        "startup_and_other_seconds": 20.0,
        "stage_seconds": {"ingest": 50.0, "enrichment": 80.0, "themes": 4.0, "dbt": 40.0, "checks": 5.0, "report": 2.0},
        "stage_peak_rss_gib": {"ingest": 1.2, "enrichment": 1.5, "dbt": 0.9},
        "enrichment": {"texts_encoded": 40_000, "texts_per_second": 500.0, "texts_from_cache": 0},
    }
    day = {**refresh, "history_days": 7, "daily_volume": 548, "added_interactions": 550}
    results = {
        "measured_at": "2026-11-30T05:00:00+00:00",
        "command": "python -m benchmarks.run",
        "machine": {"cpus": 2, "memory_gib": 24, "platform": "Linux", "python": "3.11", "load_average_at_start": [1]},
        "refresh": [refresh],
        "add_day": [day, {**day, "history_days": 365}],
        "add_day_ratio": 1.0,
    }
    table = markdown(results)
    assert "| 100,000 interactions / 365 days | 200.0 s | 1.5 GiB, enrichment | 0 s (0%) | 50.0 s (25%) |" in table
    assert "| 80.0 s (40%) | 4.0 s (2%) | 40.0 s (20%) | 5.0 s (2%) | 0 s (0%) | 2.0 s (1%) | 20.0 s |" in table
    assert "| themes |" in table and "| report |" in table
    assert "550 new on 365 days (548/day)" in table
    assert "costs 1.00x one more day on 7 days" in table
