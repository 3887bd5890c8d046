"""Implausible values (issue 23): dates no platform could have produced, texts beyond the size limit, negative
counts and spend are quarantined row by row with a reason that names the limit, never the value."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import polars as pl

from ingest.base import ReadResult
from ingest.limits import MAX_TEXT_CHARS
from ingest.parallel import digest_file
from ingest.plausibility import quarantine_implausible
from ingest.warehouse import ManifestEntry, ensure_raw_schema, record_file

POST = {"platform": "x", "interaction_id": "1", "interaction_type": "post", "created_at": "2024-11-06T14:02:11Z"}


def _jsonl(path, records) -> None:
    path.write_text("".join(json.dumps(record) + "\n" for record in records))


def _only(reports):
    assert len(reports) == 1, [report.to_dict() for report in reports]
    return reports[0]


def _quarantine(rows, con) -> list[dict]:
    return rows(con, "SELECT locator, reason, raw_record FROM raw.quarantine ORDER BY locator")


def test_a_row_dated_9999_or_1970_is_quarantined_and_the_others_load(warehouse, landing, run_ingest, rows):
    _jsonl(
        landing / "posts.jsonl",
        [
            POST,
            {**POST, "interaction_id": "2", "created_at": "9999-12-31T00:00:00Z", "text": "from the far future"},
            {**POST, "interaction_id": "3", "created_at": "1970-01-01T00:00:00Z"},
            {**POST, "interaction_id": "4", "platform": "bluesky", "created_at": "2021-06-01T00:00:00Z"},
        ],
    )
    report = _only(run_ingest(con=warehouse))
    assert (report.status, report.rows_read, report.rows_accepted, report.rows_quarantined) == ("loaded", 4, 1, 3)
    assert rows(warehouse, "SELECT interaction_id FROM raw.interactions") == [{"interaction_id": "1"}]
    quarantine = _quarantine(rows, warehouse)
    assert [(entry["locator"], entry["reason"]) for entry in quarantine] == [
        ("row 2", "created_at more than a day after the file was first seen"),
        ("row 3", "created_at before the platform existed"),
        ("row 4", "created_at before the platform existed"),  # X existed in 2021, Bluesky did not
    ]
    assert all("9999" not in entry["reason"] and "1970" not in entry["reason"] for entry in quarantine)


def test_the_time_a_file_was_first_seen_decides_on_every_rerun(warehouse, landing, run_ingest, rows):
    """A file first seen in January 2024 cannot hold a post from June 2024, however late it is read again."""
    path = landing / "posts.jsonl"
    _jsonl(path, [{**POST, "created_at": "2024-06-01T00:00:00Z"}])
    digest = digest_file(path)
    sha256, size = digest.sha256, digest.size
    first_seen = datetime(2024, 1, 1, tzinfo=UTC)
    earlier_try = ManifestEntry("posts.jsonl", sha256, size, "x", "failed", "disk full", "b0", first_seen, first_seen)
    record_file(warehouse, earlier_try)

    report = _only(run_ingest(con=warehouse))
    assert (report.rows_accepted, report.rows_quarantined) == (0, 1)
    assert report.first_reasons == ["created_at more than a day after the file was first seen"]
    assert rows(warehouse, "SELECT status, first_seen_at FROM raw.file_manifest ORDER BY _ingested_at") == [
        {"status": "failed", "first_seen_at": first_seen},
        {"status": "loaded", "first_seen_at": first_seen},
    ]


def test_a_new_file_is_first_seen_now_and_a_timestamp_within_a_day_loads(warehouse, landing, run_ingest, rows):
    soon = datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    _jsonl(landing / "posts.jsonl", [{**POST, "created_at": soon}])
    before = datetime.now(UTC)
    report = _only(run_ingest(con=warehouse))
    assert (report.rows_accepted, report.rows_quarantined) == (1, 0)
    [manifest] = rows(warehouse, "SELECT first_seen_at FROM raw.file_manifest")
    assert before <= manifest["first_seen_at"] <= datetime.now(UTC)


def test_a_text_longer_than_the_limit_is_quarantined_with_the_limit_not_the_text(warehouse, landing, run_ingest, rows):
    long_text = "ab" * MAX_TEXT_CHARS
    _jsonl(landing / "posts.jsonl", [POST, {**POST, "interaction_id": "2", "text": long_text}])
    report = _only(run_ingest(con=warehouse))
    assert (report.rows_accepted, report.rows_quarantined) == (1, 1)
    [entry] = _quarantine(rows, warehouse)
    assert entry["reason"] == f"text longer than {MAX_TEXT_CHARS:,} characters"
    assert len(entry["raw_record"]) <= 10_000


def test_negative_counts_and_spend_are_quarantined(warehouse, landing, run_ingest, rows, fixtures_dir):
    (landing / "posts.csv").write_text(
        "platform,interaction_id,interaction_type,created_at,author_id,text,like_count\n"
        "x,1,post,2024-11-06T14:02:11Z,7,fine,3\n"
        "x,2,post,2024-11-06T14:02:11Z,7,broken counter,-5\n"
    )
    ads = (fixtures_dir / "meta_ads/facebook_ads_basic_ad_data.csv").read_text().splitlines()
    header, first = ads[0], ads[1].split(",")
    first[header.split(",").index("spend")] = "-76.53"
    (landing / "basic_ad.csv").write_text("\n".join([header, ",".join(first), *ads[2:]]) + "\n")

    reports = {report.file: report for report in run_ingest(con=warehouse)}
    assert reports["posts.csv"].first_reasons == ["like_count is negative"]
    assert (reports["posts.csv"].rows_accepted, reports["posts.csv"].rows_quarantined) == (1, 1)
    assert reports["basic_ad.csv"].first_reasons == ["spend is negative"]
    assert reports["basic_ad.csv"].rows_quarantined == 1
    assert rows(warehouse, "SELECT count(*) AS n FROM raw.ad_insights WHERE spend < 0") == [{"n": 0}]
    assert rows(warehouse, "SELECT count(*) AS n FROM raw.ad_insights") == [{"n": len(ads) - 2}]


def test_a_dry_run_reports_implausible_rows_too(landing, run_ingest):
    _jsonl(landing / "posts.jsonl", [POST, {**POST, "interaction_id": "2", "created_at": "1970-01-01T00:00:00Z"}])
    report = _only(run_ingest())
    assert (report.status, report.rows_accepted, report.rows_quarantined) == ("dry_run", 1, 1)


def test_counts_still_add_up_when_one_record_gave_several_implausible_rows():
    """An insights record gives one row per day: every implausible day is quarantined, the sum stays exact."""
    first_seen = datetime(2024, 11, 7, tzinfo=UTC)
    days = [date(2024, 11, 1), date(1970, 1, 1), date(2031, 1, 1), date(2024, 11, 2)]
    frame = pl.DataFrame(
        {
            "platform": "instagram",
            "account_id": "17841400000000000",
            "date": days,
            "followers": [10, 10, 10, -3],
            "_source_line": 1,
        }
    )
    chunk = ReadResult("instagram_graph", {"account_metrics": frame}, rows_read=1, rows_accepted=1)
    checked = quarantine_implausible(chunk, first_seen)
    assert checked.frames["account_metrics"]["date"].to_list() == [date(2024, 11, 1)]
    assert [reason for _, reason, _ in checked.quarantine] == [
        "date before the platform existed",
        "date more than a day after the file was first seen",
        "followers is negative",
    ]
    assert (checked.rows_read, checked.rows_accepted, checked.rows_quarantined) == (3, 0, 3)


def test_a_deal_may_close_in_the_future_but_not_before_2000():
    first_seen = datetime(2024, 11, 7, tzinfo=UTC)
    frame = pl.DataFrame(
        {
            "crm": "hubspot",
            "deal_id": ["1", "2"],
            "closed_at": [datetime(2025, 6, 30, tzinfo=UTC), datetime(1970, 1, 1, tzinfo=UTC)],
            "_source_line": [1, 2],
        }
    )
    chunk = ReadResult("hubspot_deals", {"crm_deals": frame}, rows_read=2, rows_accepted=2)
    checked = quarantine_implausible(chunk, first_seen)
    assert checked.frames["crm_deals"]["deal_id"].to_list() == ["1"]
    assert checked.quarantine[0][:2] == ("row 2", "closed_at before the platform existed")


def test_an_older_warehouse_gets_first_seen_at_from_the_first_manifest_row(warehouse, landing, run_ingest, rows):
    _jsonl(landing / "posts.jsonl", [POST])
    run_ingest(con=warehouse)
    [(ingested_at,)] = warehouse.execute("SELECT _ingested_at FROM raw.file_manifest").fetchall()
    warehouse.execute("ALTER TABLE raw.file_manifest DROP COLUMN first_seen_at")
    ensure_raw_schema(warehouse)
    assert rows(warehouse, "SELECT first_seen_at FROM raw.file_manifest") == [{"first_seen_at": ingested_at}]


def test_a_downvoted_reddit_comment_keeps_its_negative_score():
    frame = pl.DataFrame({"platform": ["reddit", "x"], "interaction_id": ["a", "b"], "like_count": [-4, -4]})
    frames = {"interactions": frame.with_row_index("_source_line", 1)}
    chunk = ReadResult("reddit_api", frames, rows_read=2, rows_accepted=2)
    checked = quarantine_implausible(chunk, datetime(2024, 11, 7, tzinfo=UTC))
    assert checked.frames["interactions"]["platform"].to_list() == ["reddit"]
    assert [reason for _, reason, _ in checked.quarantine] == ["like_count is negative"]
