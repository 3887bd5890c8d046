"""The code location loads, and its asset graph runs from raw exports to the serving file."""

import json
import os
import subprocess
import sys
from pathlib import Path

from dagster import AssetKey, BackfillPolicy

from tests.support.sensors import sensor_context

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def test_dagster_validates_the_workspace(tmp_path):
    env = {**os.environ, "DAGSTER_HOME": str(tmp_path), "ROR_WAREHOUSE": str(tmp_path / "ror.duckdb")}
    result = subprocess.run(
        [Path(sys.executable).with_name("dagster"), "definitions", "validate", "-w", "workspace.yaml"],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_asset_graph_runs_from_raw_exports_to_the_serving_file(defs):
    graph = defs.resolve_asset_graph()
    keys = set(graph.get_all_asset_keys())
    assert AssetKey(["raw", "interactions"]) in keys
    assert AssetKey(["enrichment", "text_enrichment"]) in keys
    for mart in ("fct_interactions", "engagement_quality", "advocacy", "sentiment_trend", "cost_per_lead"):
        assert AssetKey(["marts", mart]) in keys
    serving = AssetKey(["serving_warehouse"])
    upstream: set[AssetKey] = set()
    frontier = [serving]
    while frontier:
        key = frontier.pop()
        for parent in graph.get(key).parent_keys:
            if parent not in upstream:
                upstream.add(parent)
                frontier.append(parent)
    # dbt sources are the Python assets that write them: the lineage is unbroken from exports to BI.
    assert {AssetKey(["raw", "interactions"]), AssetKey(["enrichment", "text_enrichment"])} <= upstream
    assert AssetKey(["marts", "fct_interactions"]) in upstream


def test_refresh_job_schedule_and_sensor_are_defined(defs):
    job = defs.resolve_job_def("ror_refresh")
    assert job.partitions_def is not None
    # every partitioned asset runs a backfill range as one run (dbt temp tables collide otherwise)
    partitioned = [a for a in defs.resolve_asset_graph().assets_defs if a.partitions_def is not None]
    assert partitioned
    assert {str(a.backfill_policy) for a in partitioned} == {str(BackfillPolicy.single_run())}
    assert defs.get_schedule_def("daily_ror_refresh").job_name == "ror_refresh"
    assert defs.get_sensor_def("landing_files_sensor")


def test_sensor_starts_one_run_per_new_set_of_files(defs_with, tmp_path):
    defs = defs_with(landing_dir=tmp_path)
    sensor = defs.get_sensor_def("landing_files_sensor")

    first = sensor.evaluate_tick(sensor_context(defs, cursor=None))
    assert isinstance(first.skip_message, str) and not first.run_requests

    (tmp_path / "x").mkdir()
    (tmp_path / "x" / "page.jsonl").write_text('{"data": []}\n')
    second = sensor.evaluate_tick(sensor_context(defs, cursor=None))
    assert len(second.run_requests) == 1
    assert set(json.loads(second.cursor)) == {"x/page.jsonl"}

    third = sensor.evaluate_tick(sensor_context(defs, cursor=second.cursor))
    assert not third.run_requests, "the same files must not start a second run"

    (tmp_path / "x" / "page2.jsonl").write_text('{"data": []}\n')
    fourth = sensor.evaluate_tick(sensor_context(defs, cursor=second.cursor))
    assert len(fourth.run_requests) == 1
    assert fourth.run_requests[0].run_key != second.run_requests[0].run_key


def test_only_the_dbt_assets_are_partitioned(defs):
    """Ingest, enrichment and publication process everything new whatever the day: they carry no partitions, so the UI
    shows no per-day status for them that would mean nothing. dbt re-derives the partition's window."""
    graph = defs.resolve_asset_graph()
    unpartitioned = {
        AssetKey(["raw", "interactions"]),
        AssetKey(["raw", "file_manifest"]),
        AssetKey(["enrichment", "text_enrichment"]),
        AssetKey(["serving_warehouse"]),
        AssetKey(["config", "brands"]),
    }
    for key in unpartitioned:
        assert graph.get(key).partitions_def is None, key
        assert "Not partitioned" in graph.get(key).description, key
    for mart in ("fct_interactions", "sentiment_trend"):
        assert graph.get(AssetKey(["marts", mart])).partitions_def is not None


def test_every_refresh_step_but_the_scoring_runs_alone_among_warehouse_steps(defs):
    """DuckDB allows one process per file when one writes: every op that opens a warehouse file carries the tag whose
    limit is 1 under the multiprocess executor. Only the bucket scoring, which opens none, runs beside them."""
    from orchestration.names import TAG_CONCURRENCY_LIMITS, WAREHOUSE_STEP_TAG

    job = defs.resolve_job_def("ror_refresh")
    untagged = {op.name for op in job.graph.iterate_op_defs() if WAREHOUSE_STEP_TAG not in op.tags}
    assert untagged == {"score_bucket"}
    assert TAG_CONCURRENCY_LIMITS == [{"key": WAREHOUSE_STEP_TAG, "limit": 1}]


def test_the_progress_bars_know_every_stage_of_the_refresh_job(defs):
    from orchestration.console import STAGE_LAST_STEPS, STAGES, stage_of

    nodes = {node.name: node for node in defs.resolve_job_def("ror_refresh").graph.nodes}
    assert set(STAGES) <= set(nodes)
    for node, last in STAGE_LAST_STEPS.items():
        assert last.split(".", 1)[1] in {inner.name for inner in nodes[node].definition.nodes}
    assert stage_of("enrichment__text_enrichment.score_bucket[bucket_3]") == "enrichment"
    assert stage_of("raw__file_manifest_raw_row_accounting") is None
