"""Bad input, one case per test: what the user sees in the report, and what lands where in the warehouse."""

from __future__ import annotations

import codecs
import json
import zipfile

import pytest

from ingest.limits import MAX_TEXT_CHARS

CANONICAL_HEADER = "platform,interaction_id,interaction_type,created_at,author_id,text,like_count\n"


@pytest.fixture
def tweet_page(fixtures_dir) -> str:
    """One real twarc2 page (2 tweets, 2 users) as a line."""
    return (fixtures_dir / "x_twitter_v2/two_tweets.jsonl").read_text().strip()


def _only(reports):
    (report,) = reports
    return report


def test_malformed_json_lines_are_quarantined_and_the_rest_loads(warehouse, landing, run_ingest, rows, tweet_page):
    (landing / "pages.jsonl").write_text(f'{tweet_page}\n{{"data": [oops\n{tweet_page}\n')
    report = _only(run_ingest(con=warehouse))
    assert (report.status, report.rows_read, report.rows_accepted, report.rows_quarantined) == ("loaded", 9, 8, 1)
    assert report.first_reasons[0].startswith("malformed JSON: Expecting value")
    assert rows(warehouse, "SELECT locator, raw_record FROM raw.quarantine") == [
        {"locator": "line 2", "raw_record": '{"data": [oops'}
    ]
    assert warehouse.execute("SELECT count(*) FROM raw.interactions").fetchone()[0] == 2  # the same tweets, once


def test_a_truncated_jsonl_file_loses_only_its_cut_line(warehouse, landing, run_ingest, tweet_page):
    (landing / "cut.jsonl").write_text(f"{tweet_page}\n{tweet_page[:500]}")
    report = _only(run_ingest(con=warehouse))
    assert (report.rows_accepted, report.rows_quarantined) == (4, 1)
    assert "malformed JSON" in report.first_reasons[0]


def test_a_truncated_json_document_is_one_quarantined_record(warehouse, landing, run_ingest, rows, tweet_page):
    pretty = json.dumps(json.loads(tweet_page), indent=2)
    (landing / "response.json").write_text(pretty[: len(pretty) // 2])
    report = _only(run_ingest(con=warehouse))
    assert (report.status, report.rows_read, report.rows_quarantined) == ("loaded", 1, 1)
    assert report.first_reasons[0].startswith("malformed JSON document")
    assert rows(warehouse, "SELECT locator FROM raw.quarantine") == [{"locator": "line 1"}]


def test_an_empty_file_is_reported_and_recorded(warehouse, landing, run_ingest, rows):
    (landing / "export.csv").write_bytes(b"")
    report = _only(run_ingest(con=warehouse))
    assert (report.status, report.message) == ("unrecognised", "empty file")
    assert rows(warehouse, "SELECT status, message FROM raw.file_manifest") == [
        {"status": "unrecognised", "message": "empty file"}
    ]


def test_utf8_with_bom(landing, run_ingest, read_export):
    path = landing / "bom.csv"
    path.write_bytes(codecs.BOM_UTF8 + (CANONICAL_HEADER + "x,1,post,2024-11-06T14:02:11Z,7,café,1\n").encode())
    assert _only(run_ingest()).detected_format == "canonical_interactions"
    assert read_export(path).frames["interactions"]["text"].to_list() == ["café"]


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le"])
def test_utf16_csv_and_jsonl(landing, read_export, tweet_page, encoding):
    csv_path = landing / "utf16.csv"
    csv_path.write_bytes((CANONICAL_HEADER + "x,1,post,2024-11-06T14:02:11Z,7,naïve ☕,1\n").encode(encoding))
    assert read_export(csv_path).frames["interactions"]["text"].to_list() == ["naïve ☕"]

    jsonl_path = landing / "utf16.jsonl"
    jsonl_path.write_bytes((tweet_page + "\n").encode(encoding))
    assert read_export(jsonl_path).rows_accepted == 4


def test_latin1(landing, read_export, fixtures_dir):
    sprout = (fixtures_dir / "generic/sprout_messages.csv").read_text().replace("☕", "")
    path = landing / "windows.csv"
    path.write_bytes(sprout.replace("Ordering a bag today", "Crème brûlée blend, à bientôt").encode("cp1252"))
    texts = read_export(path).frames["interactions"]["text"].to_list()
    assert "Crème brûlée blend, à bientôt " in texts


def test_bare_carriage_returns_inside_csv_fields(warehouse, landing, run_ingest, rows):
    (landing / "cr.csv").write_bytes(
        (CANONICAL_HEADER + 'x,1,post,2024-11-06T14:02:11Z,7,"line one\rline two",1\r\n'
         'x,2,post,2024-11-06T14:03:11Z,7,"plain",2\r\n').encode()
    )  # fmt: skip
    report = _only(run_ingest(con=warehouse))
    assert (report.rows_read, report.rows_accepted) == (2, 2)
    assert rows(warehouse, "SELECT text FROM raw.interactions ORDER BY interaction_id") == [
        {"text": "line one\rline two"},
        {"text": "plain"},
    ]


def test_missing_required_fields(warehouse, landing, run_ingest, rows):
    (landing / "missing.csv").write_text(
        CANONICAL_HEADER
        + "x,,post,2024-11-06T14:02:11Z,7,no id,1\nx,2,post,,7,no time,1\nx,3,post,2024-11-06T14:02:11Z,7,ok,1\n"
    )
    report = _only(run_ingest(con=warehouse))
    assert (report.rows_accepted, report.rows_quarantined) == (1, 2)
    assert rows(warehouse, "SELECT locator, reason FROM raw.quarantine ORDER BY locator") == [
        {"locator": "row 1", "reason": "missing required field interaction_id"},
        {"locator": "row 2", "reason": "missing required field created_at"},
    ]


def test_unparseable_and_naive_timestamps(landing, read_export):
    path = landing / "times.csv"
    path.write_text(CANONICAL_HEADER + "x,1,post,yesterday,7,a,1\nx,2,post,2024-11-06 14:02:11,7,b,1\n")
    result = read_export(path)
    assert result.rows_accepted == 0
    assert result.reasons == [
        "created_at: unparseable timestamp (expected ISO 8601 with a zone, epoch seconds or a Twitter date such as"
        " Wed Oct 10 20:19:24 +0000 2018)",
        "created_at: timestamp has no time zone (naive) and no zone was assumed for this export",
    ]


def test_ids_too_large_for_a_float_stay_exact(warehouse, landing, run_ingest, rows):
    (landing / "ids.jsonl").write_text(
        '{"platform": "x", "interaction_id": 123456789012345678901234567890, "interaction_type": "post",'
        ' "created_at": "2024-11-06T14:02:11Z", "parent_id": 1394735776701816833}\n'
        '{"platform": "x", "interaction_id": 1.394735776701817e18, "interaction_type": "post",'
        ' "created_at": "2024-11-06T14:02:11Z"}\n'
    )
    report = _only(run_ingest(con=warehouse))
    assert rows(warehouse, "SELECT interaction_id, parent_id FROM raw.interactions") == [
        {"interaction_id": "123456789012345678901234567890", "parent_id": "1394735776701816833"}
    ]
    assert "went through a floating-point number" in report.first_reasons[0]


def test_nul_bytes_are_dropped_from_text(warehouse, landing, run_ingest, rows):
    (landing / "nul.jsonl").write_bytes(
        b'{"platform": "x", "interaction_id": "1", "interaction_type": "post", "created_at": "2024-11-06T14:02:11Z",'
        b' "text": "he\\u0000llo"}\n' + b"\x00" * 64 + b"\n"  # an escaped NUL, then a crashed writer's zero padding
    )
    (landing / "nul.csv").write_bytes((CANONICAL_HEADER + "x,2,post,2024-11-06T14:02:11Z,7,wor\x00ld,1\n").encode())
    assert {(report.status, report.rows_accepted, report.rows_quarantined) for report in run_ingest(con=warehouse)} == {
        ("loaded", 1, 0)
    }
    assert rows(warehouse, "SELECT text FROM raw.interactions ORDER BY interaction_id") == [
        {"text": "hello"},
        {"text": "world"},
    ]


def test_a_text_at_the_size_limit_lands_whole_and_is_truncated_in_quarantine(warehouse, landing, run_ingest, rows):
    big = "ab" * (MAX_TEXT_CHARS // 2)  # longer texts are quarantined (tests/ingest/test_plausibility.py)
    good = {"platform": "x", "interaction_id": "1", "interaction_type": "post", "created_at": "2024-11-06T14:02:11Z"}
    bad = {**good, "interaction_id": "2", "created_at": "not a time"}
    (landing / "big.jsonl").write_text(
        json.dumps({**good, "text": big}) + "\n" + json.dumps({**bad, "text": big}) + "\n"
    )
    report = _only(run_ingest(con=warehouse))
    assert (report.rows_accepted, report.rows_quarantined) == (1, 1)
    assert rows(warehouse, "SELECT length(text) AS n FROM raw.interactions") == [{"n": MAX_TEXT_CHARS}]
    assert rows(warehouse, "SELECT length(raw_record) AS n FROM raw.quarantine") == [{"n": 10_000}]


def test_duplicated_ids_inside_a_file(warehouse, landing, run_ingest, rows):
    row = "x,1,post,2024-11-06T14:02:11Z,7,same,{likes}\n"
    (landing / "dupes.csv").write_text(CANONICAL_HEADER + row.format(likes=1) * 2 + row.format(likes=5))
    report = _only(run_ingest(con=warehouse))
    assert (report.rows_read, report.rows_accepted, report.rows_inserted) == (3, 3, 2)
    # the exact duplicate lands once; the same id with other content is kept beside it (staging picks one)
    assert rows(warehouse, "SELECT like_count, _source_line FROM raw.interactions ORDER BY _source_line") == [
        {"like_count": 1, "_source_line": 1},
        {"like_count": 5, "_source_line": 3},
    ]


def test_files_that_are_not_exports(warehouse, landing, run_ingest, rows, fixtures_dir):
    (landing / "chart.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(200))
    with zipfile.ZipFile(landing / "export.zip", "w") as bundle:
        bundle.write(fixtures_dir / "x_twitter_v2/two_tweets.jsonl", "two_tweets.jsonl")
    (landing / "tweets.jsonl").write_bytes((fixtures_dir / "x_twitter_v2/two_tweets.jsonl").read_bytes())

    reports = {report.file: report for report in run_ingest(con=warehouse)}
    assert (reports["chart.png"].status, reports["chart.png"].message) == ("unrecognised", "not an export: a PNG image")
    assert reports["export.zip"].status == "unrecognised" and "unzip it" in reports["export.zip"].message
    assert reports["tweets.jsonl"].status == "loaded"  # the batch went on
    assert rows(warehouse, "SELECT count(*) AS n FROM raw.file_manifest WHERE status = 'unrecognised'") == [{"n": 2}]
