"""The extraction assets: upstream of raw_exports in the refresh job, pulling into the landing folder that the same
run ingests, reporting pages, records and requests; skipped with the variable to set when nothing is configured."""

import json
import subprocess
import sys
import time

import duckdb
import pytest
import yaml
from dagster import AssetKey, materialize

from extract.limits import RateLimited
from orchestration.assets.extract import build_extract_assets, wait_without_the_warehouse
from orchestration.assets.ingest import raw_exports
from orchestration.names import EXTRACT_GROUP, PULL_TAG
from orchestration.resources import ConfigFileResource, LandingResource, WarehouseResource
from orchestration.warehouse_lock import current_holder, lock_path_for, warehouse_writer_lock
from tests.extract.test_x import MENTIONS, POSTS, QUOTES, USER, _next_token, mention_pages
from tests.support.api_replay import twarc_pages
from tests.support.sensors import sensor_context

PLATFORMS = ("x", "youtube", "reddit", "bluesky")


extract_assets = build_extract_assets()


def test_extraction_assets_feed_raw_exports_and_run_in_the_scheduled_job(defs):
    graph = defs.resolve_asset_graph()
    keys = {AssetKey([EXTRACT_GROUP, platform]) for platform in PLATFORMS}
    assert {key for key in graph.get_all_asset_keys() if key.path[0] == EXTRACT_GROUP} == keys
    assert keys <= set(graph.get(AssetKey(["raw", "interactions"])).parent_keys)
    assert all(graph.get(key).group_name == EXTRACT_GROUP for key in keys)
    job = defs.resolve_job_def("ror_refresh")  # the daily schedule's job
    assert keys <= set(job.asset_layer.asset_graph.get_all_asset_keys())


def _resources(tmp_path, config_path):
    (tmp_path / "landing").mkdir(exist_ok=True)  # a refresh needs its landing folder to exist
    return {
        "ror_config": ConfigFileResource(config_path=str(config_path) if config_path else None),
        "landing": LandingResource(landing_dir=str(tmp_path / "landing"), settle_seconds=60),
        "warehouse": WarehouseResource(serving_path=str(tmp_path / "ror.duckdb")),
    }


def _metadata(result, platform):
    event = result.asset_materializations_for_node(f"{EXTRACT_GROUP}__{platform}")[0]
    return {key: value.value for key, value in event.metadata.items()}


def test_a_run_pulls_then_ingests_what_it_pulled(httpserver, replay, tmp_path, monkeypatch):
    replay.pages(MENTIONS, mention_pages(), "pagination_token", _next_token)
    replay.pages(POSTS, twarc_pages("x_twitter_v2/edited.jsonl"), "pagination_token", _next_token)
    replay.pages(QUOTES, twarc_pages("x_twitter_v2/quoted_edit.jsonl"), "pagination_token", _next_token)
    config = {
        "brands": [
            {
                "id": "acme",
                "name": "Acme",
                "accounts": [
                    {"platform": "x", "account_id": USER, "handle": "AcmeCoffee"},
                    {"platform": "youtube", "account_id": "UC_x5XG1OV2P6uZZ5FSM9Ttw"},
                ],
            }
        ],
        "extract": {
            "first_run_days": 10000,
            "backoff_seconds": 0,
            "local_test_server": True,
            "x": {"base_url": httpserver.url_for("/x")},
        },
    }
    config_path = tmp_path / "ror.yml"
    config_path.write_text(yaml.safe_dump(config))
    monkeypatch.setenv("ROR_X_BEARER_TOKEN", "token-from-the-environment")
    monkeypatch.delenv("ROR_YOUTUBE_API_KEY", raising=False)

    result = materialize([*extract_assets, raw_exports], resources=_resources(tmp_path, config_path))

    assert result.success
    x = _metadata(result, "x")
    assert (x["status"], x["pages"], x["records"], x["requests"]) == ("ok", 5, 5, 5)
    youtube = _metadata(result, "youtube")
    assert youtube["status"] == "skipped" and "ROR_YOUTUBE_API_KEY" in youtube["message"]
    assert _metadata(result, "reddit")["status"] == "skipped"
    with duckdb.connect(str(tmp_path / "ror.work.duckdb"), read_only=True) as con:
        landed = con.execute("select count(*) from raw.interactions where _source_file like 'extract/x/%'").fetchone()
    with duckdb.connect(str(tmp_path / "landing" / "extract" / "x" / ".state.duckdb"), read_only=True) as con:
        cursors = con.execute("select count(*) from cursors").fetchone()
    assert landed[0] >= 5 and cursors[0] >= 2


def test_a_run_that_does_not_pull_leaves_the_apis_alone(httpserver, replay, tmp_path, monkeypatch):
    (tmp_path / "landing").mkdir()
    config_path = tmp_path / "ror.yml"
    config_path.write_text(
        yaml.safe_dump(
            {
                "brands": [
                    {"id": "acme", "name": "Acme", "accounts": [{"platform": "bluesky", "handle": "acme.bsky.social"}]}
                ],
                "extract": {"local_test_server": True, "bluesky": {"base_url": httpserver.url_for("/bluesky")}},
            }
        )
    )
    result = materialize(
        [*extract_assets, raw_exports],
        resources=_resources(tmp_path, config_path),
        tags={PULL_TAG: "false"},
    )

    assert result.success and replay.seen == []
    assert {_metadata(result, platform)["status"] for platform in PLATFORMS} == {"skipped"}


def test_without_a_configuration_every_extractor_is_skipped_and_ingest_still_runs(tmp_path):
    (tmp_path / "landing").mkdir()
    result = materialize([*extract_assets, raw_exports], resources=_resources(tmp_path, None))

    assert result.success
    assert {_metadata(result, platform)["status"] for platform in PLATFORMS} == {"skipped"}
    assert "account" in _metadata(result, "bluesky")["message"]


def test_the_sensor_ignores_pulled_pages_and_its_runs_do_not_pull(defs_with, tmp_path):
    defs = defs_with(landing_dir=tmp_path)
    sensor = defs.get_sensor_def("landing_files_sensor")
    (tmp_path / "extract" / "x" / "1" / "mentions").mkdir(parents=True)
    (tmp_path / "extract" / "x" / "1" / "mentions" / "page.json").write_text('{"data": []}')
    pulled_only = sensor.evaluate_tick(sensor_context(defs, cursor=None))
    assert not pulled_only.run_requests

    (tmp_path / "delivered.jsonl").write_text('{"data": []}\n')
    delivered = sensor.evaluate_tick(sensor_context(defs, cursor=None))
    assert len(delivered.run_requests) == 1 and delivered.run_requests[0].tags[PULL_TAG] == "false"
    assert set(json.loads(delivered.cursor)) == {"delivered.jsonl"}


# Another writer: takes the warehouse's lock as soon as it is free, says so, lets go.
OTHER_WRITER = """
import sys, time
from pathlib import Path
from orchestration.warehouse_lock import WarehouseBusy, warehouse_writer_lock
working, ready, took = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])
ready.write_text("trying")
while True:
    try:
        with warehouse_writer_lock(working, command="another writer", wait=False):
            took.write_text("took it")
            break
    except WarehouseBusy:
        time.sleep(0.05)
"""


def test_another_writer_takes_the_warehouse_while_an_extractor_waits_for_a_rate_limit(
    httpserver, replay, tmp_path, monkeypatch
):
    replay.pages(MENTIONS, mention_pages(), "pagination_token", _next_token)
    replay.pages(POSTS, twarc_pages("x_twitter_v2/edited.jsonl"), "pagination_token", _next_token)
    replay.pages(QUOTES, twarc_pages("x_twitter_v2/quoted_edit.jsonl"), "pagination_token", _next_token)
    replay.fail(MENTIONS, 429, {"x-rate-limit-remaining": "0", "x-rate-limit-reset": str(int(time.time()) + 3)})
    config = {
        "brands": [{"id": "acme", "name": "Acme", "accounts": [{"platform": "x", "account_id": USER}]}],
        "extract": {"first_run_days": 10000, "local_test_server": True, "x": {"base_url": httpserver.url_for("/x")}},
    }
    config_path = tmp_path / "ror.yml"
    config_path.write_text(yaml.safe_dump(config))
    monkeypatch.setenv("ROR_X_BEARER_TOKEN", "token-from-the-environment")
    resources = _resources(tmp_path, config_path)
    working = resources["warehouse"].working_path
    ready, took = tmp_path / "ready", tmp_path / "took"

    with warehouse_writer_lock(working, command="ror refresh --pull", wait=False):  # as `ror refresh` holds it
        other = subprocess.Popen([sys.executable, "-c", OTHER_WRITER, str(working), str(ready), str(took)])
        try:
            while not ready.exists():
                assert other.poll() is None
                time.sleep(0.05)
            result = materialize([extract_assets[0]], resources=resources)
            holder_after = current_holder(lock_path_for(working.resolve()))
        finally:
            other.kill()
            other.wait(30)

    assert result.success and _metadata(result, "x")["status"] == "ok"
    assert took.read_text() == "took it"  # while the extractor waited for X's window
    assert holder_after is not None and holder_after.command == "ror refresh --pull"  # and the run has it back


HOLDER = """
import sys, time
from orchestration.warehouse_lock import warehouse_writer_lock
with warehouse_writer_lock(sys.argv[1], command="dagster run", wait=False, run_id="run-1"):
    print("held", flush=True)
    time.sleep(60)
"""


def test_a_worker_process_does_not_wait_for_a_rate_limit_while_its_run_holds_the_warehouse(tmp_path):
    """Under the multiprocess executor the run's orchestrating process holds the lock and cannot lend it: the step
    stops its platform (the next run resumes) instead of waiting."""
    working = tmp_path / "ror.work.duckdb"
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(working)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(RateLimited, match="would hold the warehouse"):
            wait_without_the_warehouse(working, "run-1")(1)
        wait_without_the_warehouse(working, "another-run")(0)  # not this run's lock: nothing is held by waiting
    finally:
        holder.kill()
        holder.wait(30)
