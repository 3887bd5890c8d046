"""The "Your own data" walkthrough (docs/your-own-data.md), step by step, on every shared export sample and test fixture
at once:
write the configuration, land the exports, check them with `ror ingest --dry-run`, refresh from an empty working
database, open the marts. Then a configuration mistake: the refresh stops at a named blocking check, explains it with
the offending rows, exits non-zero, and the serving file keeps the last good version. A CRM export with bad rows rides
along: its contact data must not reach any table of either database in clear."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from dagster import DagsterEventType, DagsterInstance, EventRecordsFilter

from tests.ingest.test_privacy_in_quarantine import PEOPLE

PROJECT_ROOT = Path(__file__).resolve().parents[1]
ROR = Path(sys.executable).with_name("ror")
# The shared samples sit beside the checkout (../shared); ROR_SAMPLE_EXPORTS points elsewhere (e.g. from a worktree).
SAMPLES = Path(os.environ.get("ROR_SAMPLE_EXPORTS", PROJECT_ROOT.parent / "shared" / "data" / "exports"))
FIXTURES = PROJECT_ROOT / "tests" / "fixtures"
SAMPLES_CONFIG = PROJECT_ROOT / "tests" / "samples" / "samples_config.yaml"
MARTS = sorted(path.stem for path in (PROJECT_ROOT / "dbt_project" / "models" / "marts").rglob("*.sql"))

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not SAMPLES.is_dir(), reason=f"no shared export samples at {SAMPLES} (set ROR_SAMPLE_EXPORTS)"),
]


def ror(*args: object, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([ROR, *map(str, args)], env=env, capture_output=True, text=True, timeout=1200)


@pytest.fixture(scope="module")
def walkthrough(tmp_path_factory):
    root = tmp_path_factory.mktemp("your_own_data")
    config, landing, serving = root / "ror.yaml", root / "landing", root / "warehouse" / "ror.duckdb"
    env = {**os.environ, "DAGSTER_HOME": str(root / "dagster_home")}
    for variable in ("ROR_CONFIG", "ROR_SETTLE_SECONDS"):  # the walkthrough's commands say everything themselves
        env.pop(variable, None)
    shutil.copy(SAMPLES_CONFIG, config)
    shutil.copytree(SAMPLES, landing / "shared")
    shutil.copytree(FIXTURES, landing / "fixtures")
    _write_contacts_with_bad_rows(landing / "crm_with_bad_rows" / "contact.csv")
    check = ror("config", "check", config, env=env)
    dry_run = ror("ingest", landing, "--dry-run", "--config", config, env=env)
    refresh = ror(
        "refresh", "--config", config, "--landing", landing, "--warehouse", serving, "--settle-seconds", "0", env=env
    )
    return root, config, landing, serving, env, check, dry_run, refresh


def _write_contacts_with_bad_rows(path: Path) -> None:
    """HubSpot contacts in clear, two of them bad (a date that is no date, an id that went through a float)."""
    header = (
        "id,_fivetran_synced,property_createdate,property_email,property_phone,property_firstname,property_lastname"
    )
    rows = [
        f'{id_},2024-03-05 09:00:00,{created},{email},"{phone}",{first},{last}'
        for id_, created, email, phone, first, last in PEOPLE
    ]
    path.parent.mkdir(parents=True)
    path.write_text("\n".join([header, *rows]) + "\n")


def test_config_check_and_dry_run_see_every_file(walkthrough):
    root, _, landing, _, _, check, dry_run, _ = walkthrough
    assert check.returncode == 0 and check.stdout.startswith("OK: "), check.stderr
    reports = [json.loads(line) for line in dry_run.stdout.splitlines()]
    files = sorted(p.relative_to(landing).as_posix() for p in landing.rglob("*") if p.is_file())
    assert sorted(report["file"] for report in reports) == files


def test_every_mart_is_published_and_every_file_accounted_for(walkthrough):
    _, _, landing, serving, _, _, _, refresh = walkthrough
    # The test fixtures landed beside the exports include files no reader knows (tests/fixtures/raw/*.csv): the
    # refresh publishes the rest, names them and exits 1.
    assert refresh.returncode == 1, refresh.stdout[-4000:] + refresh.stderr[-4000:]
    assert "landing files not loaded:" in refresh.stdout and "unrecognised (" in refresh.stdout
    with duckdb.connect(str(serving), read_only=True) as con:
        published = {name for (name,) in con.execute("select table_name from marts.refresh_log").fetchall()}
        audit_files = con.execute("select count(distinct source_file) from marts.ingest_audit").fetchone()[0]
    assert set(MARTS) <= published
    assert audit_files > 0
    files = {p.relative_to(landing).as_posix() for p in landing.rglob("*") if p.is_file()}
    with duckdb.connect(str(serving.with_name("ror.work.duckdb")), read_only=True) as con:
        manifest = con.execute(
            "select source_file, rows_read, rows_accepted, rows_quarantined from raw.file_manifest"
        ).fetchall()
        resolved = con.execute(
            "select account_id from intermediate.int_owned_accounts_resolved where handle = 'test.marshal.dev'"
        ).fetchall()
    assert {source_file for source_file, *_ in manifest} == files
    unbalanced = [row for row in manifest if row[1] is not None and row[1] != row[2] + row[3]]
    assert unbalanced == []
    assert resolved == [("did:plc:kvwvcn5iqfooopmyzvb4qzba",)]  # the Bluesky brand was given by handle alone


def test_a_blocking_check_explains_itself_and_the_last_good_marts_stay(walkthrough):
    root, config, landing, serving, env, _, _, _ = walkthrough
    with duckdb.connect(str(serving), read_only=True) as con:
        (good_refresh,) = con.execute("select distinct refresh_id from marts.refresh_log").fetchone()
    # The Bluesky account once by handle for one brand and by its id for another: every interaction would count twice.
    mistaken = root / "mistaken.yaml"
    mistaken.write_text(
        config.read_text()
        + "  - id: bluesky_twin\n    name: Bluesky twin\n"
        + '    accounts: [{platform: bluesky, account_id: "did:plc:kvwvcn5iqfooopmyzvb4qzba"}]\n'
    )
    failed = ror(
        "refresh", "--config", mistaken, "--landing", landing, "--warehouse", serving, "--settle-seconds", "0", env=env
    )
    assert failed.returncode == 1
    assert "Blocking check failed: dbt test unique_combination_of_columns_int_owned_accounts_resolved" in failed.stderr
    assert "did:plc:kvwvcn5iqfooopmyzvb4qzba" in failed.stderr  # a sample of the offending rows
    assert "The serving file keeps the last good version" in failed.stderr
    assert "Traceback" not in failed.stdout + failed.stderr
    # The Dagster UI shows the same rows on the failed check (dbt keeps them as a view; the check samples it).
    instance = DagsterInstance.from_config(env["DAGSTER_HOME"])
    evaluations = [
        record.event_log_entry.dagster_event.event_specific_data
        for record in instance.get_event_records(
            EventRecordsFilter(event_type=DagsterEventType.ASSET_CHECK_EVALUATION), limit=1000, ascending=False
        )
    ]
    (failed_check, *_) = [
        e
        for e in evaluations
        if e.check_name.startswith("unique_combination_of_columns_int_owned_accounts_resolved") and not e.passed
    ]
    assert "did:plc:kvwvcn5iqfooopmyzvb4qzba" in failed_check.metadata["failing_rows_sample"].value
    with duckdb.connect(str(serving), read_only=True) as con:
        assert con.execute("select distinct refresh_id from marts.refresh_log").fetchall() == [(good_refresh,)]


def test_contact_data_reaches_no_table_of_either_database_in_clear(walkthrough):
    _, _, _, serving, _, _, _, refresh = walkthrough
    assert refresh.returncode == 1, refresh.stderr  # fixtures no reader knows: named, the rest published
    personal = {email for _, _, email, _, _, _ in PEOPLE} | {phone for _, _, _, phone, _, _ in PEOPLE}
    personal |= {f"{first} {last}" for _, _, _, _, first, last in PEOPLE}
    needles = sorted(value.lower() for value in personal)
    working = serving.with_name("ror.work.duckdb")
    for database in (serving, working):
        with duckdb.connect(str(database), read_only=True) as con:
            columns = con.execute(
                "select table_schema, table_name, column_name from information_schema.columns "
                "where data_type = 'VARCHAR' and table_catalog = current_database()"
            ).fetchall()
            for schema, table, column in columns:
                matches = " or ".join(f'contains(lower("{column}"), ?)' for _ in needles)
                found = con.execute(
                    f'select any_value("{column}") from "{schema}"."{table}" where {matches}', needles
                ).fetchone()[0]
                assert found is None, f"{database.name}: {schema}.{table}.{column} holds contact data: {found[:80]}"
    with duckdb.connect(str(working), read_only=True) as con:
        quarantined = con.execute(
            "select count(*) from raw.quarantine where source_file like '%crm_with_bad_rows%'"
        ).fetchone()[0]
    assert quarantined >= 2  # the bad contact rows were kept, hashed and redacted, with file and line
