"""The shortcuts taken for speed give what the general code gives: the usual timestamp spelling, ids and counts, row
type checks, the text test of a sample, the sample's JSON document shared by the sniffers, and a damaged record in a
large X page still quarantined alone with its line."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import polars as pl
import pytest

from ingest.base import RecordProblem, Sample
from ingest.detect import decode_sample
from ingest.readers.ids import id_text, to_int
from ingest.readers.json_pages import checked_row, sample_document
from ingest.readers.timestamps import parse_utc


def _outcome(function, value):
    try:
        return "value", function(value)
    except (ValueError, TypeError) as error:
        return "error", type(error).__name__, str(error)


@pytest.mark.parametrize(
    "value",
    [
        "2025-03-01T23:56:28.000Z",
        "2025-03-01T23:56:28Z",
        "2025-03-01T23:56:28.123456Z",
        "2025-03-01T10Z",
        "2025-13-01T00:00:00Z",  # no 13th month: the general path's message
        "2025-03-01T25:00:00Z",
        "20250301Z",
        "2025-03-01Z",
        "1616000000Z",
        " 2025-03-01T23:56:28Z",
        "2025-03-01T23:56:28z",
    ],
)
def test_a_timestamp_ending_in_z_parses_as_the_general_path_parses_it(value):
    fast = _outcome(parse_utc, value)
    general = _outcome(lambda text: parse_utc(f" {text} "), value)  # leading space: never the shortcut
    assert fast == general
    if fast[0] == "value":
        assert fast[1].tzinfo is UTC


@pytest.mark.parametrize(
    "value",
    [
        None,
        True,
        False,
        0,
        7,
        -3,
        2**70,
        12.0,
        12.5,
        float("nan"),
        "",
        " ",
        "12",
        " 12 ",
        "12\u00a0",
        "\u2003x",
        "x\x1c",
        "abc",
        "1.0",
        "1e3",
        [],
        {},
    ],
)
def test_ids_and_counts_are_read_as_before_whatever_the_value(value):
    def general_id(raw):  # the rule of ids.id_text, written out
        if raw is None or isinstance(raw, bool):
            return None
        if isinstance(raw, float):
            if not (raw.is_integer() and abs(raw) <= 2**53):
                raise RecordProblem("lost")
            return str(int(raw))
        return str(raw).strip() or None

    assert _outcome(id_text, value)[:2] == _outcome(general_id, value)[:2]
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) < 2**63:
        assert to_int(value) == value and type(to_int(value)) is int
    elif isinstance(value, int) and not isinstance(value, bool):  # beyond the warehouse's 64-bit integer columns
        with pytest.raises(RecordProblem, match="beyond a 64-bit integer"):
            to_int(value)
    if isinstance(value, bool):
        with pytest.raises(RecordProblem):
            to_int(value)


def test_a_row_check_accepts_and_refuses_what_it_did_before():
    row = {"platform": "x", "interaction_id": "1", "like_count": True, "created_at": datetime(2025, 1, 1, tzinfo=UTC)}
    assert checked_row("interactions", row) is row  # a bool in a count column passed before and passes now
    with pytest.raises(RecordProblem, match="text holds a JSON object where the column expects String"):
        checked_row("interactions", {"text": {"nested": "value"}})
    with pytest.raises(RecordProblem, match="like_count holds a JSON string"):
        checked_row("interactions", {"like_count": "7"})
    with pytest.raises(RecordProblem, match="created_at"):
        checked_row("interactions", {"created_at": date(2025, 1, 1)})  # a date is not a timestamp
    assert checked_row("interactions", {"mentioned_handles": ["a", "b"], "_source_line": 3})


@pytest.mark.parametrize(
    ("text", "is_text"),
    [
        ("a,b\n1,2\n" * 10, True),
        ("tab\there\r\nand a form feed\f" * 10, True),
        ("x" * 94 + "\x01" * 6, False),  # 6 % control characters: not a text export
        ("x" * 96 + "\x1b" * 4, True),  # 4 %: still text
        ("é" * 95 + "\x0b\x0e\x1f\x08\x00\x07", True),  # NUL dropped first: 5 of 100, not over 5 %
        ("é" * 90 + "\x0b\x0e\x1f\x08\x07\x02\x03\x04\x05\x06", False),
    ],
)
def test_a_sample_is_text_unless_over_five_percent_control_characters(text, is_text):
    kept = text.replace("\x00", "")
    counted_one_by_one = sum(1 for char in kept if char < " " and char not in "\t\n\r\f")
    assert (counted_one_by_one / len(kept) <= 0.05) is is_text
    assert bool(decode_sample(text.encode("utf-8"))) is is_text


def test_the_sniffers_share_one_parse_of_the_sample(tmp_path):
    document = {"data": [{"id": "1"}]}
    sample = Sample(tmp_path / "a.json", b"", json.dumps(document))
    assert sample_document(sample) == document
    assert sample_document(sample) is sample_document(sample)
    assert sample_document(Sample(tmp_path / "b.json", b"", '{"data": [')) is None  # cut at 64 KB: not a document


def test_a_damaged_tweet_in_a_page_of_many_is_quarantined_alone_with_its_line(read_export, tmp_path: Path):
    def tweet(number: int) -> dict:
        return {
            "id": str(1000 + number),
            "author_id": "7",
            "created_at": "2025-03-01T10:00:00.000Z",
            "text": f"tweet {number}",
            "edit_history_tweet_ids": [str(1000 + number)],
            "conversation_id": str(1000 + number),
        }

    users = {"users": [{"id": "7", "username": "someone", "name": "Some One"}]}
    pages = [{"data": [tweet(page * 100 + n) for n in range(100)], "includes": users} for page in range(3)]
    pages[1]["data"][41]["created_at"] = "2025-02-30T10:00:00Z"  # no such day
    pages[2]["data"][7]["text"] = {"not": "text"}
    path = tmp_path / "search.jsonl"
    path.write_text("\n".join(json.dumps(page) for page in pages) + "\n")

    result = read_export(path)
    reasons = {locator: reason for locator, reason, _ in result.quarantine}
    assert set(reasons) == {"line 2 $.data[41]", "line 3 $.data[7]"}
    assert "unparseable timestamp" in reasons["line 2 $.data[41]"] or "day" in reasons["line 2 $.data[41]"]
    assert reasons["line 3 $.data[7]"] == "TypeError: a field holds a value of an unexpected type"
    assert "2025-02-30" not in " ".join(reasons.values())
    interactions = result.frames["interactions"]
    assert interactions.height == 298
    assert interactions.filter(pl.col("interaction_id") == "1141").is_empty()
    assert interactions.filter(pl.col("interaction_id") == "1140")["_source_line"].to_list() == [2]
