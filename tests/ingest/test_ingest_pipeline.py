"""ingest_paths: walks the landing folder, reports every file, never lets one bad file stop the batch."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from ingest import parallel
from ingest.base import REGISTRY, ExportFormat, ReadResult
from ingest.pipeline import ingest_paths

EVERY_FIXTURE = [
    "x_twitter_v2/two_tweets.jsonl",
    "x_twitter_v2/edited.jsonl",
    "x_twitter_v2/quoted_edit.jsonl",
    "x_twitter_v2/users.jsonl",
    "meta_ads/facebook_ads_basic_ad_data.csv",
    "meta_ads/facebook_ads_basic_ad_actions_data.csv",
    "meta_ads/facebook_ads_creative_history_data.csv",
    "hubspot/contact_data.csv",
    "hubspot/deal_data.csv",
    "generic/sprout_messages.csv",
    "generic/canonical_interactions.jsonl",
]


def test_a_whole_landing_folder_loads_and_every_file_is_reported(warehouse, landing, land, run_ingest, rows):
    for fixture in EVERY_FIXTURE:
        land(fixture)
    land("hubspot/owner_data.csv")  # a table the warehouse deliberately does not load
    (landing / "generic/notes.csv").write_text("colour,shape\nred,round\n")  # a layout nobody knows
    reports = run_ingest(con=warehouse)

    by_file = {report.file: report for report in reports}
    assert sorted(by_file) == sorted([*EVERY_FIXTURE, "hubspot/owner_data.csv", "generic/notes.csv"])
    assert {by_file[fixture].status for fixture in EVERY_FIXTURE} == {"loaded"}
    skipped = by_file["hubspot/owner_data.csv"]
    assert skipped.status == "skipped" and "not customers or audience" in skipped.message
    unrecognised = by_file["generic/notes.csv"]
    assert unrecognised.status == "unrecognised" and "expected one of: x_api_v2" in unrecognised.message
    assert by_file["generic/sprout_messages.csv"].to_dict() | {"sha256": None} == {
        "file": "generic/sprout_messages.csv",
        "detected_format": "sprout_social_messages",
        "status": "loaded",
        "rows_read": 6,
        "rows_accepted": 5,
        "rows_quarantined": 1,
        "first_reasons": [by_file["generic/sprout_messages.csv"].first_reasons[0]],
        "message": "",
        "rows_inserted": 5,
        "sha256": None,
    }
    manifest = rows(warehouse, "SELECT source_file, status FROM raw.file_manifest ORDER BY source_file")
    assert len(manifest) == len(EVERY_FIXTURE) + 2
    quarantine = rows(warehouse, "SELECT source_file, locator, detected_format FROM raw.quarantine")
    assert quarantine == [
        {"source_file": "generic/sprout_messages.csv", "locator": "row 6", "detected_format": "sprout_social_messages"}
    ]


def test_a_dry_run_reads_everything_and_loads_nothing(land, run_ingest, landing):
    land("x_twitter_v2/two_tweets.jsonl")
    land("hubspot/contact_data.csv")
    before = sorted(path.name for path in landing.rglob("*"))
    reports = run_ingest(con=None)
    assert {(report.status, report.rows_read) for report in reports} == {("dry_run", 4), ("dry_run", 22)}
    assert all(report.rows_inserted is None for report in reports)
    assert sorted(path.name for path in landing.rglob("*")) == before


def test_hidden_files_are_skipped_and_folders_walked_recursively(land, run_ingest, landing):
    land("x_twitter_v2/two_tweets.jsonl", to="a/b/c/tweets.jsonl")
    land("x_twitter_v2/edited.jsonl", to=".partial/edited.jsonl")
    (landing / ".DS_Store").write_bytes(b"\x00\x01")
    assert [report.file for report in run_ingest()] == ["a/b/c/tweets.jsonl"]


def test_outside_paths_are_refused_symlinks_too_and_missing_paths_reported(
    land, run_ingest, landing, tmp_path, fixtures_dir
):
    outside = tmp_path / "outside.jsonl"
    outside.write_bytes((fixtures_dir / "x_twitter_v2/two_tweets.jsonl").read_bytes())
    (landing / "sneaky.jsonl").symlink_to(outside)
    land("x_twitter_v2/edited.jsonl")

    reports = run_ingest(paths=[landing, outside, landing / "gone.jsonl"])
    statuses = {Path(report.file).name: report.status for report in reports}
    assert statuses == {
        "sneaky.jsonl": "refused",
        "edited.jsonl": "dry_run",
        "outside.jsonl": "refused",
        "gone.jsonl": "missing",
    }
    refused = next(report for report in reports if report.file.endswith("sneaky.jsonl"))
    assert "outside the landing folder" in refused.message


def _format(name: str, read) -> ExportFormat:
    return ExportFormat(
        name=name, description="test", sniff=lambda sample: "BOOM" in sample.text, read=read, priority=0
    )


MISSING_FIELD = "a field the record needs is missing"


def test_a_reader_that_raises_fails_its_file_and_the_batch_goes_on(warehouse, land, run_ingest, landing, monkeypatch):
    def explode(path):
        raise KeyError("no such field 'entry'")
        yield  # a generator, like every reader

    monkeypatch.setattr("ingest.detect.REGISTRY", [_format("exploding", explode), *REGISTRY])
    (landing / "boom.json").write_text('{"BOOM": 1}')
    land("x_twitter_v2/two_tweets.jsonl")

    reports = {report.file: report for report in run_ingest(con=warehouse)}
    assert reports["boom.json"].status == "failed"
    # the error's own text may quote the data: the message names its class and a fixed description
    assert reports["boom.json"].message == f"KeyError: {MISSING_FIELD}; nothing from this file was loaded"
    assert reports["x_twitter_v2/two_tweets.jsonl"].status == "loaded"
    assert warehouse.execute("SELECT status FROM raw.file_manifest WHERE source_file = 'boom.json'").fetchall() == [
        ("failed",)
    ]


def test_a_file_that_cannot_be_read_fails_alone_and_the_next_run_tries_it_again(
    warehouse, land, run_ingest, landing, monkeypatch
):
    """Permissions, or a file removed between the listing and the read: the run goes on, the file is named as failed
    (no hash: nothing of it was read) and nothing marks it loaded. Root reads any file, so the open is made to fail
    the way it fails for a user without the right to read it."""
    land("x_twitter_v2/two_tweets.jsonl")
    land("hubspot/contact_data.csv")
    readable = parallel.digest_file

    def refuse_contacts(path):
        if path.name == "contact_data.csv":
            raise PermissionError(13, "Permission denied", str(path))
        return readable(path)

    monkeypatch.setattr(parallel, "digest_file", refuse_contacts)
    reports = {report.file: report for report in run_ingest(con=warehouse)}
    assert reports["x_twitter_v2/two_tweets.jsonl"].status == "loaded"
    unreadable = reports["hubspot/contact_data.csv"]
    assert (unreadable.status, unreadable.message) == (
        "failed",
        "PermissionError: the file cannot be read (Permission denied); nothing from this file was loaded",
    )
    manifest = "SELECT status, sha256 FROM raw.file_manifest WHERE source_file = 'hubspot/contact_data.csv'"
    assert warehouse.execute(manifest).fetchall() == [("failed", None)]

    monkeypatch.setattr(parallel, "digest_file", readable)  # the rights fixed: the next run loads it
    again = {report.file: report for report in run_ingest(con=warehouse, batch_id="batch-2")}
    assert again["hubspot/contact_data.csv"].status == "loaded"


def test_a_reader_that_loses_rows_is_caught(land, landing, monkeypatch):
    def lossy(path):
        yield ReadResult(format="lossy", frames={}, rows_read=3, rows_accepted=1)

    monkeypatch.setattr("ingest.detect.REGISTRY", [_format("lossy", lossy), *REGISTRY])
    (landing / "boom.json").write_text('{"BOOM": 1}')
    (report,) = ingest_paths([landing], landing_root=landing, batch_id="b")
    assert report.status == "failed" and "miscounted: 3 rows read but 1 accepted + 0 quarantined" in report.message


def test_file_report_to_dict_has_the_documented_fields(land, run_ingest):
    land("x_twitter_v2/two_tweets.jsonl")
    (report,) = run_ingest()
    documented = {"file", "detected_format", "status", "rows_read", "rows_accepted", "rows_quarantined",
                  "first_reasons", "message"}  # fmt: skip
    assert documented <= set(report.to_dict())


def test_files_loaded_together_keep_one_file_at_a_time_outcomes(warehouse, landing, run_ingest, fixtures_dir, rows):
    """Small files load in one transaction per batch: a record in two files of the batch lands once and counts for
    the file that comes first, and a copy of a file waiting in the batch is a duplicate of it."""
    both = (fixtures_dir / "generic/canonical_interactions.jsonl").read_text().splitlines()
    (landing / "a_first.jsonl").write_text(both[0] + "\n")
    (landing / "b_both.jsonl").write_text("\n".join(both) + "\n")
    (landing / "c_copy_of_first.jsonl").write_text(both[0] + "\n")

    reports = {report.file: report for report in run_ingest(con=warehouse)}

    assert [reports[f].status for f in sorted(reports)] == ["loaded", "loaded", "duplicate_file"]
    assert (reports["a_first.jsonl"].rows_inserted, reports["b_both.jsonl"].rows_inserted) == (1, 1)
    assert reports["c_copy_of_first.jsonl"].message == "same content as a_first.jsonl, already loaded"
    assert rows(warehouse, "SELECT _source_file, count(*) AS n FROM raw.interactions GROUP BY 1 ORDER BY 1") == [
        {"_source_file": "a_first.jsonl", "n": 1},
        {"_source_file": "b_both.jsonl", "n": 1},
    ]


def test_a_file_the_warehouse_refuses_fails_alone_in_its_batch(warehouse, land, run_ingest, landing, monkeypatch):
    def unknown_entity(path):
        yield ReadResult(
            format="unknown_entity", frames={"no_such_table": pl.DataFrame({"a": [1]})}, rows_read=1, rows_accepted=1
        )

    monkeypatch.setattr("ingest.detect.REGISTRY", [_format("unknown_entity", unknown_entity), *REGISTRY])
    land("x_twitter_v2/two_tweets.jsonl", to="a.jsonl")
    (landing / "b_boom.json").write_text('{"BOOM": 1}')
    land("generic/canonical_interactions.jsonl", to="c.jsonl")

    reports = {report.file: report for report in run_ingest(con=warehouse)}

    assert [reports[f].status for f in ("a.jsonl", "b_boom.json", "c.jsonl")] == ["loaded", "failed", "loaded"]
    assert reports["b_boom.json"].message == f"KeyError: {MISSING_FIELD}; nothing from this file was loaded"
    assert (reports["a.jsonl"].rows_inserted, reports["c.jsonl"].rows_inserted) == (4, 2)  # two tweets, two authors
    manifest = warehouse.execute("SELECT source_file, status FROM raw.file_manifest ORDER BY 1").fetchall()
    assert manifest == [("a.jsonl", "loaded"), ("b_boom.json", "failed"), ("c.jsonl", "loaded")]
