"""The code location loads, and its asset graph runs from raw exports to the serving file."""

import json
import os
import subprocess
import sys
import warnings
from pathlib import Path

from dagster import AssetKey, build_schedule_context

from orchestration.build import build_definitions
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
    assert defs.resolve_job_def("ror_refresh")
    schedule = defs.get_schedule_def("daily_ror_refresh")
    assert schedule.job_name == "ror_refresh"
    assert (schedule.cron_schedule, schedule.execution_timezone) == ("0 2 * * *", "UTC")
    (request,) = schedule.evaluate_tick(build_schedule_context()).run_requests
    assert request.partition_key is None and not request.run_config  # no window: dbt's own, from the newest day
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
    assert second.run_requests[0].partition_key is None and not second.run_requests[0].run_config
    assert set(json.loads(second.cursor)) == {"x/page.jsonl"}

    third = sensor.evaluate_tick(sensor_context(defs, cursor=second.cursor))
    assert not third.run_requests, "the same files must not start a second run"

    (tmp_path / "x" / "page2.jsonl").write_text('{"data": []}\n')
    fourth = sensor.evaluate_tick(sensor_context(defs, cursor=second.cursor))
    assert len(fourth.run_requests) == 1
    assert fourth.run_requests[0].run_key != second.run_requests[0].run_key


def test_no_asset_and_no_job_is_partitioned(defs):
    """A run ingests every new file whatever days it holds and rebuilds the marts: a day partition would say nothing
    true, and the catalog showed every mart "0% filled" when the data's days were not the run's. Unpartitioned, each
    asset shows the run that last materialised it."""
    graph = defs.resolve_asset_graph()
    assert [a.key for a in graph.assets_defs if a.partitions_def is not None] == []
    assert all(job.partitions_def is None for job in defs.resolve_all_job_defs())


def test_every_asset_and_every_check_says_what_it_is(defs):
    """The catalog and each asset's checks tab read their descriptions: none may say "No description provided"."""
    graph = defs.resolve_asset_graph()
    undescribed = [key.to_user_string() for key in graph.get_all_asset_keys() if not graph.get(key).description]
    assert undescribed == []
    specs = [spec for assets_def in graph.assets_defs for spec in assets_def.check_specs]
    specs += [spec for checks_def in defs.asset_checks or [] for spec in checks_def.check_specs]
    assert len(specs) > 100  # the project's checks and every dbt test
    assert [spec.key.to_user_string() for spec in specs if not (spec.description or "").strip()] == []


def test_a_dbt_test_says_what_it_asserts_and_what_a_failure_does(defs):
    graph = defs.resolve_asset_graph()
    (spec,) = [
        spec
        for spec in graph.get(AssetKey(["marts", "fct_interactions"])).assets_def.check_specs
        if spec.name == "unique_fct_interactions_interaction_key"
    ]
    assert spec.description.startswith("marts.fct_interactions.interaction_key is unique")
    assert "Blocking" in spec.description


def test_loading_the_code_location_warns_nothing(location_settings):
    """`dagster dev` printed the same beta warning once per asset at start: loading is silent now, from the source
    (no beta or deprecated API), not by a filter."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        defs = build_definitions(location_settings)
        defs.resolve_all_job_defs()
        defs.resolve_asset_graph()
        defs.get_repository_def()
    assert [f"{w.category.__name__}: {w.message}" for w in caught] == []


def test_every_refresh_step_but_the_scoring_runs_alone_among_warehouse_steps(defs):
    """DuckDB allows one process per file when one writes: every op that opens a warehouse file carries the tag whose
    limit is 1 under the multiprocess executor. Only the bucket scoring, which opens none, runs beside them."""
    from orchestration.names import TAG_CONCURRENCY_LIMITS, WAREHOUSE_STEP_TAG

    job = defs.resolve_job_def("ror_refresh")
    untagged = {op.name for op in job.graph.iterate_op_defs() if WAREHOUSE_STEP_TAG not in op.tags}
    assert untagged == {"score_bucket"}
    # the same steps share Dagster's pool, which an instance with a pool limit holds to one at a time (Celery)
    assert {op.name for op in job.graph.iterate_op_defs() if "dagster/concurrency_key" not in op.tags} == {
        "score_bucket"
    }
    assert TAG_CONCURRENCY_LIMITS == [{"key": WAREHOUSE_STEP_TAG, "limit": 1}]


def test_the_progress_bars_know_every_stage_of_the_refresh_job(defs):
    from orchestration.console import STAGE_LAST_STEPS, STAGES, stage_of

    nodes = {node.name: node for node in defs.resolve_job_def("ror_refresh").graph.nodes}
    assert set(STAGES) <= set(nodes)
    for node, last in STAGE_LAST_STEPS.items():
        assert last.split(".", 1)[1] in {inner.name for inner in nodes[node].definition.nodes}
    assert stage_of("enrichment__text_enrichment.score_bucket[bucket_3]") == "enrichment"
    assert stage_of("raw__file_manifest_raw_row_accounting") is None
