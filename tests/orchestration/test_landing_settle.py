"""Files still being copied in wait for a later tick; a file ingested half anyway lands whole later, nothing doubled."""

import json
import logging
import os
import time
from pathlib import Path
from types import SimpleNamespace

import duckdb
import pytest

import orchestration.landing
from ingest.pipeline import ingest_paths
from ingest.warehouse import ensure_raw_schema
from orchestration.landing import landing_files, split_settled, split_stable
from orchestration.names import SETTLE_TAG, STABILITY_CHECK
from tests.support.sensors import sensor_context

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
# Five twarc2 pages, one per line, as one export file.
PAGES = "".join(
    (FIXTURES / "x_twitter_v2" / name).read_text()
    for name in ("two_tweets.jsonl", "cotweet.jsonl", "edited.jsonl", "media_tweet.jsonl", "mentions_tweet.jsonl")
)


@pytest.fixture
def clock(monkeypatch):
    """The landing module's clock, moved forward by hand: the settle time is read from file times against it."""
    now = SimpleNamespace(value=time.time())
    monkeypatch.setattr(orchestration.landing, "time", SimpleNamespace(time=lambda: now.value, sleep=time.sleep))
    return now


def write_at(path: Path, text: str, clock) -> None:
    """Write ``path`` at the fake clock's time (never earlier than the real one, which the change time keeps)."""
    path.write_text(text)
    os.utime(path, (clock.value, clock.value))


def test_a_file_changed_within_the_settle_time_is_left_for_later(tmp_path, clock):
    write_at(tmp_path / "old.jsonl", PAGES, clock)
    clock.value += 120
    write_at(tmp_path / "copying.jsonl", PAGES[:100], clock)
    write_at(tmp_path / ".hidden.part", "x", clock)

    settled, changing = split_settled(landing_files(tmp_path), settle_seconds=60)
    assert [f.relative for f in settled] == ["old.jsonl"]
    assert [f.relative for f in changing] == ["copying.jsonl"]
    settled, changing = split_settled(landing_files(tmp_path), settle_seconds=0)
    assert len(settled) == 2 and not changing


def test_the_sensor_skips_a_file_being_copied_and_starts_a_run_once_it_settles(tmp_path, clock, defs_with):
    defs = defs_with(landing_dir=tmp_path, settle_seconds=60.0)
    sensor = defs.get_sensor_def("landing_files_sensor")
    clock.value = time.time()  # loading the definitions may take a while on a busy machine: file change times are real

    def tick(cursor):
        return sensor.evaluate_tick(sensor_context(defs, cursor=cursor))

    write_at(tmp_path / "early.jsonl", PAGES, clock)
    clock.value += 120
    write_at(tmp_path / "late.jsonl", PAGES[:100], clock)  # still being copied
    first = tick(None)
    assert len(first.run_requests) == 1
    assert set(json.loads(first.cursor)) == {"early.jsonl"}

    clock.value += 30
    write_at(tmp_path / "late.jsonl", PAGES, clock)  # the copy completes
    clock.value += 30
    second = tick(first.cursor)
    assert not second.run_requests and "1 still changing" in second.skip_message

    clock.value += 60
    third = tick(first.cursor)  # a skipped tick leaves the cursor where it was
    assert len(third.run_requests) == 1
    assert set(json.loads(third.cursor)) == {"early.jsonl", "late.jsonl"}


def _interactions(con) -> list[str]:
    return sorted(h for (h,) in con.execute("select _record_hash from raw.interactions").fetchall())


def test_a_file_ingested_while_half_copied_lands_whole_on_the_next_run_with_nothing_doubled(tmp_path):
    landing = tmp_path / "landing"
    landing.mkdir()
    export = landing / "pages.jsonl"
    cut = PAGES.index("\n", PAGES.index("\n") + 1) + 200  # two whole pages and the start of the third

    with duckdb.connect(str(tmp_path / "whole.duckdb")) as con:
        ensure_raw_schema(con)
        export.write_text(PAGES)
        ingest_paths([landing], landing_root=landing, con=con, batch_id="whole")
        whole = _interactions(con)

    with duckdb.connect(str(tmp_path / "half_then_whole.duckdb")) as con:
        ensure_raw_schema(con)
        export.write_text(PAGES[:cut])
        ingest_paths([landing], landing_root=landing, con=con, batch_id="mid-copy")
        half = _interactions(con)
        export.write_text(PAGES)
        ingest_paths([landing], landing_root=landing, con=con, batch_id="next")
        after = _interactions(con)

    assert 0 < len(half) < len(whole)
    assert after == whole


def test_a_refresh_ingests_only_settled_files(tmp_path, clock):
    from dagster import DagsterInstance, materialize

    from orchestration.assets.ingest import raw_exports
    from orchestration.resources import ConfigFileResource, LandingResource, WarehouseResource

    landing = tmp_path / "landing"
    landing.mkdir()
    write_at(landing / "settled.jsonl", PAGES, clock)
    clock.value += 120
    write_at(landing / "copying.jsonl", PAGES[:500], clock)
    warehouse = WarehouseResource(serving_path=str(tmp_path / "ror.duckdb"))

    with DagsterInstance.ephemeral() as instance:
        result = materialize(
            [raw_exports],
            instance=instance,
            resources={
                "warehouse": warehouse,
                "landing": LandingResource(landing_dir=str(landing)),
                "ror_config": ConfigFileResource(),
            },
        )
    assert result.success
    with duckdb.connect(str(warehouse.working_path), read_only=True) as con:
        files = con.execute("select source_file from raw.file_manifest").fetchall()
    assert files == [("settled.jsonl",)]


def test_a_file_copied_a_moment_ago_is_complete_when_it_stays_the_same_over_the_look(tmp_path):
    (tmp_path / "just_copied.jsonl").write_text(PAGES)  # a fresh copy: change time now, settle time far off
    (tmp_path / "growing.jsonl").write_text(PAGES[:100])
    files = landing_files(tmp_path)
    assert split_settled(files, settle_seconds=60)[0] == []  # what `ror refresh` did before: nothing taken

    def copy_goes_on(seconds: float) -> None:  # during the look, the second copy writes on
        with open(tmp_path / "growing.jsonl", "a") as handle:
            handle.write(PAGES[100:200])

    complete, changing = split_stable(files, tmp_path, sleep=copy_goes_on)
    assert [f.relative for f in complete] == ["just_copied.jsonl"]
    assert [f.relative for f in changing] == ["growing.jsonl"]


def test_files_modified_before_the_look_are_taken_without_waiting(tmp_path):
    path = tmp_path / "old.jsonl"
    path.write_text(PAGES)
    os.utime(path, (time.time() - 3600, time.time() - 3600))  # `cp -p`: an old modification time, a new change time

    def no_wait(seconds: float) -> None:
        raise AssertionError("nothing to look at twice")

    complete, changing = split_stable(landing_files(tmp_path), tmp_path, sleep=no_wait)
    assert [f.relative for f in complete] == ["old.jsonl"] and not changing


def _materialize_raw_exports(tmp_path, landing, tags=None):
    from dagster import DagsterInstance, materialize

    from orchestration.assets.ingest import raw_exports
    from orchestration.resources import ConfigFileResource, LandingResource, WarehouseResource

    warehouse = WarehouseResource(serving_path=str(tmp_path / "ror.duckdb"))
    with DagsterInstance.ephemeral() as instance:
        result = materialize(
            [raw_exports],
            instance=instance,
            tags=tags,
            resources={
                "warehouse": warehouse,
                "landing": LandingResource(landing_dir=str(landing), settle_seconds=60),
                "ror_config": ConfigFileResource(),
            },
        )
        warnings = [entry.user_message for entry in instance.all_logs(result.run_id) if entry.level == logging.WARNING]
    assert result.success
    return result, warehouse, warnings


def test_a_refresh_from_the_terminal_loads_files_copied_a_moment_ago(tmp_path):
    landing = tmp_path / "landing"
    landing.mkdir()
    (landing / "just_copied.jsonl").write_text(PAGES)
    _, warehouse, _ = _materialize_raw_exports(tmp_path, landing, tags={SETTLE_TAG: STABILITY_CHECK})
    with duckdb.connect(str(warehouse.working_path), read_only=True) as con:
        files = con.execute("select source_file, status from raw.file_manifest").fetchall()
    assert files == [("just_copied.jsonl", "loaded")]


def test_the_run_names_every_file_not_loaded_with_its_reason_in_metadata_and_a_warning(tmp_path):
    from orchestration.assets.ingest import NOT_LOADED_KEY, NOT_LOADED_METADATA, raw_key
    from orchestration.cli import files_not_loaded

    landing = tmp_path / "landing"
    landing.mkdir()
    (landing / "good.jsonl").write_text(PAGES)
    (landing / "notes.bin").write_bytes(bytes(range(256)) * 4)
    outside = tmp_path / "outside.jsonl"
    outside.write_text(PAGES)
    (landing / "link.jsonl").symlink_to(outside)
    result, _, warnings = _materialize_raw_exports(tmp_path, landing, tags={SETTLE_TAG: "0"})

    not_loaded = files_not_loaded(result)
    assert not_loaded.counts == {"unrecognised": 1, "refused": 1}
    assert {(f.file, f.status) for f in not_loaded.files} == {("notes.bin", "unrecognised"), ("link.jsonl", "refused")}
    assert all(f.reason for f in not_loaded.files)
    materializations = result.asset_materializations_for_node("raw_exports")
    (manifest,) = [m for m in materializations if m.asset_key == raw_key(NOT_LOADED_KEY)]
    assert manifest.metadata["files_not_loaded_count"].value == 2 and NOT_LOADED_METADATA in manifest.metadata
    assert any("2 landing files not loaded (1 unrecognised, 1 refused)" in line for line in warnings)
