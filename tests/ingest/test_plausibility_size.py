"""Records over the size limits (issue 23): refused before they are parsed, with their line, never read whole.

The huge records are written by the tests into tmp_path; Python's own allocations while reading (tracemalloc) show
that a record is streamed past rather than loaded to be refused.
"""

from __future__ import annotations

import json
import tracemalloc

import pytest

from ingest.limits import MAX_DOCUMENT_BYTES, MAX_RECORD_BYTES

POST = {"platform": "x", "interaction_id": "1", "interaction_type": "post", "created_at": "2024-11-06T14:02:11Z"}
HUGE = MAX_RECORD_BYTES + 14 * 2**20  # a 30 MB record


@pytest.fixture
def huge_line_file(landing):
    path = landing / "posts.jsonl"
    with open(path, "w") as handle:
        handle.write(json.dumps(POST) + "\n")
        handle.write(json.dumps({**POST, "interaction_id": "2", "text": "ab" * (HUGE // 2)}) + "\n")
        handle.write(json.dumps({**POST, "interaction_id": "3"}) + "\n")
    return path


def _peak_bytes_while(read) -> int:
    tracemalloc.start()
    try:
        read()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_a_line_over_the_record_limit_is_quarantined_with_its_line_number(huge_line_file, warehouse, run_ingest, rows):
    [report] = run_ingest(con=warehouse)
    assert (report.status, report.rows_read, report.rows_accepted, report.rows_quarantined) == ("loaded", 3, 2, 1)
    [entry] = rows(warehouse, "SELECT locator, reason, length(raw_record) AS kept FROM raw.quarantine")
    assert entry["locator"] == "line 2"
    assert entry["reason"] == "record longer than 16 MiB, the limit for one line; not parsed"
    assert entry["kept"] == 10_000
    assert rows(warehouse, "SELECT interaction_id FROM raw.interactions ORDER BY 1") == [
        {"interaction_id": "1"},
        {"interaction_id": "3"},
    ]


def test_a_huge_line_is_streamed_past_not_held_whole(huge_line_file, read_export):
    outcome = None

    def read() -> None:
        nonlocal outcome
        outcome = read_export(huge_line_file)

    peak = _peak_bytes_while(read)
    assert outcome.reasons == ["record longer than 16 MiB, the limit for one line; not parsed"]
    assert peak < HUGE  # the record itself never sat in memory (its first 16 MiB did, once)


def test_a_document_over_the_limit_is_quarantined_unread(landing, warehouse, run_ingest, rows, read_export):
    path = landing / "feed.json"
    with open(path, "w") as handle:  # a Graph API page whose one post is larger than any page may be
        handle.write('{"data": [{"id": "1_2", "created_time": "2024-11-06T14:02:11+0000", "message": "')
        handle.write("a" * MAX_DOCUMENT_BYTES)
        handle.write('"}]}')
    outcome = None

    def read() -> None:
        nonlocal outcome
        outcome = read_export(path)

    assert _peak_bytes_while(read) < 2**20
    assert outcome.reasons == ["document larger than 32 MiB, the limit for one JSON document"]
    [report] = run_ingest(con=warehouse)
    assert (report.status, report.detected_format, report.rows_quarantined) == ("loaded", "facebook_graph", 1)
    [entry] = rows(warehouse, "SELECT locator, length(raw_record) AS kept FROM raw.quarantine")
    assert entry == {"locator": "$", "kept": 10_000}
