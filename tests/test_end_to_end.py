"""The whole warehouse, as a user runs it: `ror refresh` over demo exports, on a real Dagster instance, a real DuckDB
file, the real model and a real dbt build. Run twice: the second run must change nothing but the refresh id."""

import hashlib
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
import yaml
from dagster import DagsterEventType, DagsterInstance, DagsterRunStatus
from support.runs import refresh, snapshot

from generators import write_demo_config, write_demo_exports

MARTS = ("fct_interactions", "engagement_quality", "advocacy", "sentiment_trend", "cost_per_lead")
EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+")


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory):
    root = tmp_path_factory.mktemp("e2e")
    landing, serving = root / "landing", root / "serve" / "ror.duckdb"
    write_demo_exports(landing, days=14)
    config = write_demo_config(root / "ror.yaml")
    env = {
        **os.environ,
        "DAGSTER_HOME": str(root / "dagster_home"),
        "ROR_CONFIG": str(config),
    }
    first = refresh(landing, serving, env)
    return landing, serving, env, first


def test_refresh_fills_every_mart_and_prints_a_summary(demo_run):
    _, serving, _, first = demo_run
    assert str(serving) in first.stdout
    with duckdb.connect(str(serving), read_only=True) as con:
        counts = dict(con.execute("select table_name, row_count from marts.refresh_log").fetchall())
        for mart in MARTS:
            assert counts.get(mart, 0) > 0, f"marts.{mart} is empty"
            assert f"marts.{mart}" in first.stdout
        (refresh_ids,) = con.execute("select count(distinct refresh_id) from marts.refresh_log").fetchone()
        assert refresh_ids == 1
        for mart in counts:
            assert con.execute(f'select count(distinct refresh_id) from marts."{mart}"').fetchone() == (1,)


def test_every_interaction_carries_sentiment_from_the_model(demo_run):
    _, serving, _, _ = demo_run
    with duckdb.connect(str(serving), read_only=True) as con:
        # a text in a language the models were not evaluated on stays unscored on purpose (models.enrich), and says
        # so in detected_lang: every other text carries a sentiment
        unscored, other_languages, versions = con.execute(
            "select count(*) filter (where text_hash is not null and sentiment_label is null "
            "and detected_lang in ('en', 'und')), "
            "count(*) filter (where sentiment_label is null and detected_lang not in ('en', 'und')), "
            "count(distinct model_version) from marts.fct_interactions"
        ).fetchone()
    assert unscored == 0
    assert other_languages > 0  # the demo writes some Spanish, French, Japanese... replies
    assert versions == 1


def test_no_email_address_reaches_the_serving_file(demo_run):
    _, serving, _, _ = demo_run
    with duckdb.connect(str(serving), read_only=True) as con:
        text_columns = con.execute(
            "select table_name, column_name from duckdb_columns() where schema_name = 'marts' and data_type = 'VARCHAR'"
        ).fetchall()
        for table, column in text_columns:
            values = con.execute(
                f'select distinct "{column}" from marts."{table}" where "{column}" like \'%@%.%\''
            ).fetchall()
            leaked = [v for (v,) in values if EMAIL.search(v)]
            assert not leaked, f"marts.{table}.{column} holds email addresses: {leaked[:3]}"


def _refresh_ids(serving: Path) -> set[str]:
    with duckdb.connect(str(serving), read_only=True) as con:
        return {r for (r,) in con.execute("select distinct refresh_id from marts.refresh_log").fetchall()}


def test_second_refresh_is_idempotent_and_bi_readers_never_see_half_of_it(demo_run, tmp_path):
    landing, serving, env, _ = demo_run
    before, first_ids = snapshot(serving), _refresh_ids(serving)
    stop = tmp_path / "stop"
    reader = subprocess.Popen(
        [sys.executable, Path(__file__).parent / "support" / "bi_reader.py", serving, stop],
        stdout=subprocess.PIPE,
        text=True,
    )
    # A file delivered again (the same content): the refresh runs and republishes, loading nothing new.
    redelivered = next(path for path in sorted(landing.rglob("*")) if path.is_file())
    os.utime(redelivered)
    try:
        refresh(landing, serving, env)
    finally:
        stop.touch()
        out, _ = reader.communicate(timeout=60)
    report = json.loads(out)
    second_ids = _refresh_ids(serving)

    assert snapshot(serving) == before
    assert report["errors"] == []
    assert report["reads"] > 10
    assert set(report["refresh_ids"]) <= first_ids | second_ids
    assert second_ids != first_ids


def test_every_refresh_is_a_run_of_the_scheduled_job_in_the_dagster_instance(demo_run):
    _, _, env, _ = demo_run
    with DagsterInstance.from_config(env["DAGSTER_HOME"]) as instance:
        runs = instance.get_runs()
    assert runs and all(run.status == DagsterRunStatus.SUCCESS for run in runs)
    assert {run.job_name for run in runs} == {"ror_refresh"}


def test_two_worker_processes_build_the_marts_of_one(demo_run, tmp_path):
    landing, serving, env, _ = demo_run
    parallel, home = tmp_path / "parallel" / "ror.duckdb", tmp_path / "parallel_home"
    refresh(landing, parallel, {**env, "DAGSTER_HOME": str(home), "ROR_ENRICH_WORKERS": "2"})

    assert snapshot(parallel) == snapshot(serving)
    with DagsterInstance.from_config(str(home)) as instance:
        (run,) = instance.get_runs()
        scoring = {
            event.step_key: event.dagster_event.event_specific_data.metadata["pid"].value
            for event in instance.all_logs(run.run_id, of_type=DagsterEventType.STEP_WORKER_STARTED)
            if ".score_bucket[" in event.step_key
        }
        steps = {stats.step_key: stats for stats in instance.get_run_step_stats(run.run_id)}
    # Two buckets, scored by two processes at the same time.
    assert sorted(scoring) == [
        "enrichment__text_enrichment.score_bucket[bucket_0]",
        "enrichment__text_enrichment.score_bucket[bucket_1]",
    ]
    assert len(set(scoring.values())) == 2
    first, second = (steps[key] for key in sorted(scoring))
    assert first.start_time < second.end_time and second.start_time < first.end_time
    assert not list(parallel.parent.glob("ror.enrichment"))  # the workers' Parquet files are cleared once landed


def _project_files_digest() -> str:
    """Every file of the dbt project a user could dirty (build output and logs aside)."""
    project = Path(__file__).resolve().parents[1] / "dbt_project"
    digest = hashlib.sha256()
    for path in sorted(project.rglob("*")):
        relative = path.relative_to(project)
        if path.is_file() and relative.parts[0] not in ("target", "logs"):
            digest.update(str(relative).encode() + path.read_bytes())
    return digest.hexdigest()


def test_two_warehouses_keep_their_own_configuration_and_a_changed_one_rebuilds(demo_run, tmp_path):
    landing, serving, env, _ = demo_run
    northwind = yaml.safe_load(Path(env["ROR_CONFIG"]).read_text())["brands"][0] | {"employees": [], "campaigns": []}
    one_brand = tmp_path / "one_brand.yaml"
    one_brand.write_text(yaml.safe_dump({"brands": [northwind]}))
    other = tmp_path / "other" / "ror.duckdb"
    other_env = {**env, "DAGSTER_HOME": str(tmp_path / "dagster_home")}
    del other_env["ROR_CONFIG"]
    project_before = _project_files_digest()

    refresh(landing, other, other_env, config=one_brand)
    attribution = (
        "select distinct brand_id, is_employee, campaign_name from marts.fct_interactions where brand_id is not null"
    )
    with duckdb.connect(str(other), read_only=True) as con:
        assert {row[0] for row in con.execute(attribution).fetchall()} == {"northwind"}
        assert {row[1:] for row in con.execute(attribution).fetchall()} == {(False, None)}
    with duckdb.connect(str(serving), read_only=True) as con:
        assert {row[0] for row in con.execute(attribution).fetchall()} == {"northwind", "lumen", "tidepool"}

    # The same warehouse now with the demo's configuration, no --full-refresh: nothing of the old attribution stays.
    refresh(landing, other, other_env, config=Path(env["ROR_CONFIG"]))
    assert snapshot(other) == snapshot(serving)
    assert _project_files_digest() == project_before  # configurations live outside the checkout
