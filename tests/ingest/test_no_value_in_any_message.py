"""No value in any message, anywhere: parser and database errors are rewritten before they reach a table, a log or a
report, quarantined rows of a contact source keep only an allow-list of columns, and a file refused for lying outside
the landing folder is recorded in the manifest. Every file here is written by the test, with planted values."""

from __future__ import annotations

import io
import json
import logging

import duckdb
import polars as pl
import pytest

from ingest.base import REGISTRY, ExportFormat, ReadResult, RecordProblem, error_reason
from ingest.privacy import REDACTED, ContactSalt, hash_email

EMAIL = "ottoline.vexworth@planted.example"
PHONE = "+44 7700 900461"
PHONE_DIGITS = "447700900461"
FIRST, LAST = "Ottoline", "Vexworth"
PLANTED = (EMAIL, PHONE, PHONE_DIGITS, FIRST, LAST)


def _leaks(text: str) -> list[str]:
    return [value for value in PLANTED if value.lower() in text.lower()]


# ------------------------------------------------------------------------------------------------ error_reason


def _polars_parse_error() -> Exception:
    try:
        pl.read_csv(io.BytesIO(f'a,b\n1,"{EMAIL}"x\n'.encode()), infer_schema=False)
    except pl.exceptions.PolarsError as error:
        return error
    raise AssertionError("polars parsed it")


def _polars_cast_error() -> Exception:
    try:
        pl.DataFrame({"n": [EMAIL]}).cast({"n": pl.Int64})
    except pl.exceptions.PolarsError as error:
        return error
    raise AssertionError("polars cast it")


def _duckdb_error() -> Exception:
    try:
        duckdb.connect().execute("SELECT CAST(? AS INTEGER)", [PHONE]).fetchall()
    except duckdb.Error as error:
        return error
    raise AssertionError("duckdb cast it")


def _builtin_error() -> Exception:
    try:
        int(FIRST)
    except ValueError as error:
        return error
    raise AssertionError("int() took it")


@pytest.mark.parametrize(
    "make_error",
    [_polars_parse_error, _polars_cast_error, _duckdb_error, _builtin_error, lambda: KeyError(EMAIL)],
    ids=["polars-parse", "polars-cast", "duckdb", "int", "key"],
)
def test_an_error_that_quotes_a_value_becomes_its_class_and_a_fixed_description(make_error):
    error = make_error()
    assert _leaks(str(error))  # the error's own message does quote it
    reason = error_reason(error)
    assert _leaks(reason) == []
    assert reason.startswith(f"{type(error).__name__}: ")


def test_the_project_s_own_reasons_and_json_positions_pass_unchanged():
    assert error_reason(RecordProblem("created_at missing")) == "created_at missing"
    try:
        json.loads('{"email": "' + EMAIL + '" oops}')
    except ValueError as error:
        assert error_reason(error) == "malformed JSON: Expecting ',' delimiter: line 1 column 47 (char 46)"


# ------------------------------------------------------------------------------------------------ the whole batch

CONTACT_HEADER = (
    "id,_fivetran_synced,property_createdate,property_email,property_phone,property_firstname,property_lastname,"
    "property_jobtitle\n"
)


@pytest.fixture
def damaged_landing(landing, monkeypatch):
    """A landing folder whose every damaged row, and every error a reader or the database raises, carries the
    planted contact values."""
    crm = landing / "crm"
    crm.mkdir()
    (crm / "contact.csv").write_text(
        CONTACT_HEADER
        + f'1,2024-03-05 09:00:00,2024-03-01 10:00:00,{EMAIL},"{PHONE}",{FIRST},{LAST},Buyer\n'  # good
        + f"2,2024-03-05 09:00:00,last tuesday,{EMAIL},{PHONE},{FIRST},{LAST},{PHONE}\n"  # bad date
        + f'3,2024-03-05 09:00:00,2024-03-01 10:00:00,"{EMAIL},{PHONE},{FIRST},{LAST},Buyer\n'  # unclosed quote
        + f"4,2024-03-05 09:00:00,2024-03-01 10:00:00,{EMAIL},{PHONE},{FIRST},{LAST},Buyer,{PHONE}\n"  # extra field
        + f"5,2024-03-05 09:00:00,{EMAIL},{PHONE}\n"  # too few fields
    )
    (landing / "posts.csv").write_text(
        "platform,interaction_id,interaction_type,created_at,text\n"
        "x,1,post,2024-11-06T14:02:11Z,fine\n"
        f"x,2,post,2024-11-06T14:02:11Z,mail {EMAIL},surplus\n"
    )
    (landing / "raises.json").write_text('{"RAISES": 1}')
    (landing / "refused_by_types.json").write_text('{"CASTS": 1}')

    def raises(path):
        raise ValueError(f"cannot read the contact {FIRST} {LAST} <{EMAIL}>")
        yield

    def bad_types(path):  # the load casts like_count to a number: polars quotes the value it could not cast
        frame = pl.DataFrame({"platform": ["x"], "interaction_id": ["9"], "like_count": [PHONE], "_source_line": [1]})
        yield ReadResult(format="casts", frames={"interactions": frame}, rows_read=1, rows_accepted=1)

    formats = [
        ExportFormat("raises", "test", lambda sample: "RAISES" in sample.text, raises, priority=0),
        ExportFormat("casts", "test", lambda sample: "CASTS" in sample.text, bad_types, priority=0),
    ]
    monkeypatch.setattr("ingest.detect.REGISTRY", [*formats, *REGISTRY])
    return landing


def test_no_planted_value_reaches_a_table_a_report_or_the_log(damaged_landing, run_ingest, tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    with duckdb.connect(str(tmp_path / "work.duckdb")) as con:
        from ingest.warehouse import ensure_raw_schema

        ensure_raw_schema(con)
        reports = {report.file: report for report in run_ingest(con=con, salt=ContactSalt("test-salt"))}

        contacts = reports["crm/contact.csv"]
        assert (contacts.status, contacts.rows_read, contacts.rows_accepted, contacts.rows_quarantined) == (
            "loaded", 5, 1, 4,
        )  # fmt: skip
        assert (reports["posts.csv"].rows_accepted, reports["posts.csv"].rows_quarantined) == (1, 1)
        assert reports["raises.json"].status == reports["refused_by_types.json"].status == "failed"

        leaks = []
        tables = con.sql("SELECT table_schema, table_name FROM information_schema.tables").fetchall()
        for schema, table in tables:
            for row in con.sql(f'SELECT * FROM "{schema}"."{table}"').fetchall():
                leaks += [(schema, table, value) for value in _leaks(" ".join(map(str, row)))]
        assert leaks == []
        crm_quarantine = "SELECT locator, raw_record FROM raw.quarantine WHERE source_file LIKE 'crm/%'"
        quarantine = dict(con.sql(crm_quarantine).fetchall())
    assert set(quarantine) == {"row 2", "line 4", "line 5", "line 6"}
    assert json.loads(quarantine["row 2"])["property_jobtitle"] == REDACTED  # a phone in a job title, redacted
    assert json.loads(quarantine["line 5"])["property_email"] == f"hashed:{hash_email(EMAIL, salt=b'test-salt')}"
    assert quarantine["line 4"] == REDACTED  # a broken line of a contact source: nothing of it is kept
    assert [_leaks(json.dumps(report.to_dict())) for report in reports.values()] == [[]] * len(reports)
    assert _leaks(caplog.text) == []


def test_a_symlink_out_of_the_landing_folder_is_recorded_as_refused_once(
    landing, run_ingest, warehouse, tmp_path, rows
):
    outside = tmp_path / "outside.csv"
    outside.write_text("platform,interaction_id,interaction_type,created_at\nx,1,post,2024-11-06T14:02:11Z\n")
    (landing / "sneaky.csv").symlink_to(outside)
    for batch in ("batch-1", "batch-2"):
        (report,) = run_ingest(con=warehouse, batch_id=batch)
        assert (report.file, report.status) == ("sneaky.csv", "refused")
    manifest = rows(warehouse, "SELECT source_file, status, message, sha256 FROM raw.file_manifest")
    assert len(manifest) == 1  # the same refusal is not written again on every run
    assert (manifest[0]["source_file"], manifest[0]["status"], manifest[0]["sha256"]) == ("sneaky.csv", "refused", None)
    assert "outside the landing folder" in manifest[0]["message"]
