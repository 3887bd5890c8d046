"""Records over the size limits (issue 23): refused before they are parsed, with their line, never read whole.

The huge records are written by the tests into tmp_path; Python's own allocations while reading (tracemalloc) show
that a record is streamed past rather than loaded to be refused.
"""

from __future__ import annotations

import json
import tracemalloc

import pytest

from ingest.base import RecordProblem
from ingest.limits import MAX_DOCUMENT_BYTES, MAX_RECORD_BYTES
from ingest.readers.csv_tables import read_csv_table

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


CSV_HEADER = "platform,interaction_id,interaction_type,created_at,text\n"
CSV_RECORD_LIMIT = "record longer than 16 MiB, the limit for one CSV record; not parsed"
BIG_FIELD = MAX_RECORD_BYTES + 24 * 2**20  # a 40 MB text


def _write_csv_with_a_huge_field(path, *, encoding: str = "utf-8") -> None:
    """Good rows around one ~40 MB quoted text that spans lines (quote-aware boundaries), written in pieces."""
    with open(path, "w", encoding=encoding, newline="") as handle:
        handle.write(CSV_HEADER + "x,1,post,2024-11-06T14:02:11Z,Café au lait\n")
        handle.write('x,2,post,2024-11-06T14:02:11Z,"a ""quoted"" word, a comma\n')
        lines = ("ab, cd " * 1170 + "\n") * 128  # a MiB in lines of 8 KiB: fewer lines than an unclosed quote runs
        for _ in range(BIG_FIELD // len(lines)):
            handle.write(lines)
        handle.write('the end"\n')
        handle.write('x,3,post,2024-11-06T14:02:11Z,"two\nlines"\n')


@pytest.mark.parametrize("encoding", ["utf-8", "cp1252", "utf-16"])
def test_a_csv_record_over_the_limit_is_quarantined_and_streamed_past(landing, encoding, read_export):
    path = landing / "posts.csv"
    _write_csv_with_a_huge_field(path, encoding=encoding)
    outcome = None

    def read() -> None:
        nonlocal outcome
        outcome = read_export(path)

    peak = _peak_bytes_while(read)
    assert peak < BIG_FIELD // 4  # the record never sat in memory, not even its first 16 MiB
    assert (outcome.format, outcome.rows_read, outcome.rows_accepted) == ("canonical_interactions", 3, 2)
    [(locator, reason, raw)] = outcome.quarantine
    assert (locator, reason, len(raw)) == ("line 3", CSV_RECORD_LIMIT, 10_000)
    [frame] = outcome.frames.values()
    assert frame["interaction_id"].to_list() == ["1", "3"]
    assert frame["text"].to_list() == ["Café au lait", "two\nlines"]


def test_a_csv_record_over_the_limit_loads_its_file_without_it(landing, warehouse, run_ingest, rows):
    _write_csv_with_a_huge_field(landing / "posts.csv")
    [report] = run_ingest(con=warehouse)
    assert (report.status, report.rows_read, report.rows_accepted, report.rows_quarantined) == ("loaded", 3, 2, 1)
    assert rows(warehouse, "SELECT locator, reason FROM raw.quarantine") == [
        {"locator": "line 3", "reason": CSV_RECORD_LIMIT}
    ]
    assert rows(warehouse, "SELECT interaction_id FROM raw.interactions ORDER BY 1") == [
        {"interaction_id": "1"},
        {"interaction_id": "3"},
    ]


def test_an_unclosed_quote_in_a_huge_csv_line_spoils_only_that_line(landing, read_export):
    path = landing / "posts.csv"
    with open(path, "w") as handle:  # the quote never closes: the rows after it are rows, not its text
        handle.write(CSV_HEADER + 'x,1,post,2024-11-06T14:02:11Z,"' + "a" * BIG_FIELD + "\n")
        handle.write("x,2,post,2024-11-06T14:02:11Z,hello\n")
        handle.write("x,3,post,2024-11-06T14:02:11Z,bye\n")
    outcome = read_export(path)
    assert [(locator, reason) for locator, reason, _ in outcome.quarantine] == [("line 2", CSV_RECORD_LIMIT)]
    [frame] = outcome.frames.values()
    assert frame["interaction_id"].to_list() == ["2", "3"]


def test_an_unclosed_quote_before_many_rows_spoils_only_its_line(landing, read_export):
    path = landing / "posts.csv"
    rows = MAX_RECORD_BYTES // 40 + 1  # more than the limit in rows after the quote that never closes
    with open(path, "w") as handle:
        handle.write(CSV_HEADER + 'x,1,post,2024-11-06T14:02:11Z,"unclosed\n')
        handle.writelines(f"x,{row},post,2024-11-06T14:02:11Z,\n" for row in range(2, rows + 2))
    outcome = read_export(path)
    assert [(locator, reason) for locator, reason, _ in outcome.quarantine] == [
        ("line 2", "broken quoting: an unclosed quote, or text after a closing quote")
    ]
    [frame] = outcome.frames.values()
    assert frame.height == rows


def test_broken_quotes_before_a_huge_csv_record_leave_only_good_rows(landing, read_export):
    path = landing / "posts.csv"
    with open(path, "w") as handle:  # one record to the scan (the quotes pair up), two broken ones to the salvage
        handle.write(CSV_HEADER + 'x,1,post,2024-11-06T14:02:11Z,"broken\n')
        handle.write('x,2,post,2024-11-06T14:02:11Z,"broken too\n')
        handle.write('x,3,post,2024-11-06T14:02:11Z,"' + "a" * BIG_FIELD + '"\n')
        handle.write("x,4,post,2024-11-06T14:02:11Z,bye\n")
    outcome = read_export(path)
    broken = "broken quoting: an unclosed quote, or text after a closing quote"
    assert sorted((locator, reason) for locator, reason, _ in outcome.quarantine) == [
        ("line 2", broken),
        ("line 3", broken),
        ("line 4", CSV_RECORD_LIMIT),
    ]
    [frame] = outcome.frames.values()
    assert frame["interaction_id"].to_list() == ["4"]


def test_a_csv_header_over_the_limit_refuses_its_file_unread(tmp_path):
    path = tmp_path / "posts.csv"
    path.write_text("platform," + "a" * MAX_RECORD_BYTES + "\nx,1\n")

    def read() -> None:
        with pytest.raises(RecordProblem, match=f"^the header: {CSV_RECORD_LIMIT}$"):
            read_csv_table(path)

    assert _peak_bytes_while(read) < MAX_RECORD_BYTES // 2
