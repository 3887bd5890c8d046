"""The shared reader helpers: timestamps, decoding, JSON lines, CSV, handles, UTM tags."""

from __future__ import annotations

import codecs
from datetime import UTC, datetime

import polars as pl
import pytest

from ingest.readers.csv_tables import read_csv
from ingest.readers.json_pages import ChunkBuilder
from ingest.readers.links import handles_expr, handles_in
from ingest.readers.quarantine import split_quarantine
from ingest.readers.text_files import decode_bytes, iter_json_lines
from ingest.readers.timestamps import parse_utc, utc_column

UTC = UTC


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2021-05-18T19:24:56.000Z", datetime(2021, 5, 18, 19, 24, 56, tzinfo=UTC)),
        ("2019-05-16T09:34:05+0000", datetime(2019, 5, 16, 9, 34, 5, tzinfo=UTC)),  # Graph API
        ("2024-11-04T09:15:00-05:00", datetime(2024, 11, 4, 14, 15, tzinfo=UTC)),
        (1616000000, datetime(2021, 3, 17, 16, 53, 20, tzinfo=UTC)),  # epoch seconds (Reddit created_utc)
        (1616000000.5, datetime(2021, 3, 17, 16, 53, 20, 500000, tzinfo=UTC)),
        ("1616000000", datetime(2021, 3, 17, 16, 53, 20, tzinfo=UTC)),
        ("Wed Oct 10 20:19:24 +0000 2018", datetime(2018, 10, 10, 20, 19, 24, tzinfo=UTC)),
        ("2021-01-01T00:00:00.123456789Z", datetime(2021, 1, 1, 0, 0, 0, 123456, tzinfo=UTC)),
    ],
)
def test_parse_utc_reads_the_usual_spellings(value, expected):
    assert parse_utc(value) == expected


def test_parse_utc_refuses_naive_timestamps_unless_a_zone_is_assumed():
    with pytest.raises(ValueError, match="no time zone"):
        parse_utc("2021-04-01 17:32:47")
    assert parse_utc("2021-04-01 17:32:47", assume_zone="UTC") == datetime(2021, 4, 1, 17, 32, 47, tzinfo=UTC)
    assert parse_utc("2024-12-30 3:15:52", assume_zone="UTC") == datetime(2024, 12, 30, 3, 15, 52, tzinfo=UTC)
    assert parse_utc("2024-07-01 12:00", assume_zone="Europe/Paris") == datetime(2024, 7, 1, 10, 0, tzinfo=UTC)


@pytest.mark.parametrize("value", ["yesterday", "", "2021-13-45T00:00:00Z", None, True, float("nan")])
def test_parse_utc_raises_a_clear_error_for_garbage(value):
    with pytest.raises(ValueError, match="timestamp"):
        parse_utc(value)


def test_utc_column_reads_what_parse_utc_reads():
    """One parser: the polars fast path and parse_utc accept the same spellings (Fivetran's included)."""
    values = [
        "2021-04-01 17:32:47",
        "2021-04-01T17:32:47.123",
        "2024-12-30 3:15:52",
        "2021-04-01",
        "2021-04-01 17:32:47 UTC",
        "2021-04-01T17:32:47Z",
        "2021-04-01T19:32:47+02:00",
        "1617298367",
    ]
    parsed = pl.DataFrame({"t": values}).select(utc_column("t", assume_zone="UTC"))["t"].to_list()
    assert parsed == [parse_utc(value, assume_zone="UTC") for value in values]
    assert None not in parsed


def test_utc_column_turns_bad_values_into_nulls():
    frame = pl.DataFrame({"t": ["2021-01-01T00:00:00Z", "", None, "bad", "2021-01-01 00:00:00"]})
    parsed = frame.select(utc_column("t"))["t"].to_list()
    assert parsed == [datetime(2021, 1, 1, tzinfo=UTC), None, None, None, None]


@pytest.mark.parametrize(
    "data",
    [
        codecs.BOM_UTF8 + "café @Zoë".encode(),
        "café @Zoë".encode("utf-16"),  # with BOM
        "café @Zoë".encode("utf-16-le"),  # without BOM
        "café @Zoë".encode("cp1252"),
    ],
)
def test_decode_bytes_handles_bom_utf16_and_latin1(data):
    assert decode_bytes(data) == "café @Zoë"


def test_iter_json_lines_numbers_lines_and_returns_errors_instead_of_raising(tmp_path):
    path = tmp_path / "pages.jsonl"
    path.write_bytes(b'{"a": 1}\n\n{"a": 2\n{"a": 3}\n')
    lines = list(iter_json_lines(path))
    assert [number for number, _, _ in lines] == [1, 3, 4]
    assert lines[0][1] == {"a": 1} and lines[2][1] == {"a": 3}
    assert isinstance(lines[1][1], ValueError) and "malformed JSON" in str(lines[1][1])


def test_read_csv_keeps_everything_as_exact_strings(tmp_path):
    path = tmp_path / "ids.csv"
    path.write_text("id,n\n1394735776701816833,007\n")
    frame = read_csv(path)
    assert frame.schema["id"] == pl.String
    assert frame.row(0, named=True) == {"_source_line": 1, "id": "1394735776701816833", "n": "007"}


def test_read_csv_reads_empty_fields_quoted_or_not_as_missing(tmp_path):
    path = tmp_path / "empty.csv"
    path.write_text('id,text,note\n1,"",\n2," ",x\n')
    frame = read_csv(path)
    assert frame.select("id", "text", "note").rows() == [("1", None, None), ("2", " ", "x")]  # whitespace is content


def test_handles_in_finds_mentions_but_not_emails():
    assert handles_in("hi @Foo and @bar_baz. mail a@b.com, again @FOO") == ["foo", "bar_baz"]
    assert handles_in(None) == []


def test_handles_expr_agrees_with_handles_in():
    texts = ["hi @Foo and @bar_baz. mail a@b.com, again @FOO", "@start @a.b. x@y @_u", "(@Paren) @x!", "none", ""]
    vectorised = pl.DataFrame({"text": texts}).select(handles_expr("text"))["text"].to_list()
    assert vectorised == [handles_in(text) for text in texts]


def test_chunk_builder_counts_every_record_once():
    builder = ChunkBuilder("test", rows_per_chunk=2)
    builder.accept({"people": [{"platform": "x", "person_id": "1", "_source_line": 1}]})
    builder.reject("line 2", "bad", {"id": 2})
    assert builder.full
    chunk = builder.flush()
    assert (chunk.rows_read, chunk.rows_accepted, chunk.rows_quarantined) == (2, 1, 1)
    assert chunk.frames["people"]["person_id"].to_list() == ["1"]
    assert builder.flush() is None


def test_split_quarantine_keeps_the_source_row_and_its_position():
    frame = pl.DataFrame({"id": ["1", None], "_source_line": [1, 2]})
    good, entries = split_quarantine(frame, pl.when(pl.col("id").is_null()).then(pl.lit("missing id")))
    assert good["id"].to_list() == ["1"]
    assert entries == [("row 2", "missing id", "{}")]
