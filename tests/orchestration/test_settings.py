"""Settings are values: read once at the edge, carried to every process of a run as they are, never through the
process environment (tests/test_environment_at_the_edge.py: no module writes it, the libraries do not read it)."""

from pathlib import Path

from ingest.privacy import ContactSalt
from orchestration.names import WAREHOUSE_TAG
from orchestration.settings import Settings


def test_settings_read_from_an_environment_survive_the_trip_to_a_step_process(tmp_path):
    env = {
        "ROR_LANDING_DIR": str(tmp_path / "landing"),
        "ROR_WAREHOUSE": str(tmp_path / "w" / "ror.duckdb"),
        "ROR_CONFIG": str(tmp_path / "ror.yaml"),
        "ROR_SETTLE_SECONDS": "5",
        "ROR_ENRICH_WORKERS": "3",
        "ROR_INGEST_WORKERS": "2",
        "ROR_INGEST_BATCH_ROWS": "1000",
        "DAGSTER_HOME": str(tmp_path / "home"),
        "ROR_ENRICH_BATCH_SIZE": "16",
        "ROR_ENRICH_INT8": "",
        "ROR_DUCKDB_MEMORY_LIMIT": "3GB",
        "ROR_DUCKDB_TEMP_DIR": str(tmp_path / "spill"),
    }
    settings = Settings.from_env(env)
    assert settings.enrich_workers == 3
    assert settings.enrichment == {"ROR_ENRICH_BATCH_SIZE": "16", "ROR_ENRICH_INT8": ""}
    assert (settings.ingest_workers, settings.ingest_batch_rows) == (2, 1000)
    assert settings.duckdb_limits() == {"memory_limit": "3GB", "temp_directory": str(tmp_path / "spill")}
    assert Settings.from_json(settings.to_json()) == settings


def test_command_line_paths_override_the_environment(tmp_path):
    settings = Settings.from_env({"ROR_WAREHOUSE": str(tmp_path / "env.duckdb")})
    given = settings.with_paths(warehouse=tmp_path / "cli.duckdb", config=tmp_path / "ror.yaml")
    assert given.serving_path == tmp_path / "cli.duckdb" and given.config_path == tmp_path / "ror.yaml"
    assert given.landing_dir == settings.landing_dir


def test_the_definitions_carry_the_settings_values(defs_with, location_settings, tmp_path):
    defs = defs_with(enrich_workers=3, landing_dir=tmp_path, settle_seconds=7.0, ingest_batch_rows=1000)
    job = defs.resolve_job_def("ror_refresh")
    assert job.tags[WAREHOUSE_TAG] == str(location_settings.serving_path)
    assert job.executor_def.config_schema.config_type.fields["workers"].default_value == 3
    assert defs.resources["landing"].landing_dir == str(tmp_path)
    assert defs.resources["landing"].settle_seconds == 7.0
    assert defs.resources["landing"].ingest_batch_rows == 1000
    assert defs.resources["enrichment"].default_workers == 3
    assert Path(defs.resources["dbt"].profiles_dir) == location_settings.dbt_folder


def test_the_hashing_salt_is_read_where_the_ingest_runs_and_stored_nowhere(defs, monkeypatch):
    """A secret: the process that ingests reads it from its environment; the definitions, whose resource config
    Dagster stores with every run, never hold it."""
    monkeypatch.setenv("ROR_HASH_SALT", "salt-of-this-process")
    monkeypatch.setenv("ROR_ENV", "production")
    landing = defs.resources["landing"]
    assert landing.contact_salt() == ContactSalt("salt-of-this-process", production=True)
    assert "salt-of-this-process" not in repr(landing) + repr(landing.contact_salt())
