"""A bad row fails alone: a damaged CSV row or JSON record is quarantined with file, line and a reason that quotes no
value, the other rows of its file load, and rows read = accepted + quarantined. Each test writes its damaged file."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from ingest.detect import detect

HEADER = "platform,interaction_id,interaction_type,created_at,author_id,text,like_count\n"
GOOD = [
    "x,1,post,2024-11-06T14:02:11Z,7,café au lait,1\n",
    'x,3,post,2024-11-06T14:04:11Z,7,"a, quoted ""text""",3\n',
    "x,4,post,2024-11-06T14:05:11Z,7,plain,4\n",
]
PLANTED_EMAIL = "zebulon.quargle@planted.example"


def _write_with_row_2(landing: Path, damaged: bytes) -> Path:
    """The canonical CSV with ``damaged`` as its second data row (line 3 of the file)."""
    path = landing / "damaged.csv"
    path.write_bytes((HEADER + GOOD[0]).encode() + damaged + "".join(GOOD[1:]).encode())
    return path


@pytest.mark.parametrize(
    ("damaged", "locator", "reason"),
    [
        pytest.param(
            f'x,2,post,2024-11-06T14:03:11Z,7,"unclosed {PLANTED_EMAIL},2\n'.encode(),
            "line 3",
            "broken quoting: an unclosed quote, or text after a closing quote",
            id="unclosed-quote",
        ),
        pytest.param(
            f"x,2,post,2024-11-06T14:03:11Z,7,{PLANTED_EMAIL},2,surplus\n".encode(),
            "line 3",
            "8 fields where the header has 7",
            id="extra-fields",
        ),
        pytest.param(
            f"x,2,post,{PLANTED_EMAIL},2\n".encode(), "line 3", "5 fields where the header has 7", id="too-few-fields"
        ),
        pytest.param(
            f"x,2,post,2024-11-06T14:03:11Z,7,{PLANTED_EMAIL},{2**70}\n".encode(),
            "row 2",  # a record that parses, refused for a value: the data row's number
            "like_count is not a whole number within a 64-bit integer",
            id="count-beyond-int64",
        ),
    ],
)
def test_a_malformed_csv_row_is_quarantined_and_the_others_load(
    warehouse, landing, run_ingest, rows, damaged, locator, reason
):
    _write_with_row_2(landing, damaged)
    (report,) = run_ingest(con=warehouse)
    assert (report.status, report.rows_read, report.rows_accepted, report.rows_quarantined) == ("loaded", 4, 3, 1)
    assert rows(warehouse, "SELECT interaction_id, text FROM raw.interactions ORDER BY interaction_id") == [
        {"interaction_id": "1", "text": "café au lait"},
        {"interaction_id": "3", "text": 'a, quoted "text"'},
        {"interaction_id": "4", "text": "plain"},
    ]
    (quarantined,) = rows(warehouse, "SELECT source_file, locator, reason, raw_record FROM raw.quarantine")
    assert quarantined["source_file"] == "damaged.csv"
    assert (quarantined["locator"], quarantined["reason"]) == (locator, reason)
    assert PLANTED_EMAIL not in quarantined["raw_record"]  # hashed, like any e-mail address in quarantine
    assert report.first_reasons == [reason]


def test_a_row_that_is_not_utf8_spoils_only_itself(landing, read_export):
    path = _write_with_row_2(landing, "x,2,post,2024-11-06T14:03:11Z,7,crème brûlée,2\n".encode("cp1252"))
    outcome = read_export(path)
    assert (outcome.rows_read, outcome.rows_accepted) == (4, 4)
    texts = outcome.frames["interactions"].sort("interaction_id")["text"].to_list()
    assert texts == ["café au lait", "crème brûlée", 'a, quoted "text"', "plain"]  # the UTF-8 rows stay UTF-8


def test_a_bare_carriage_return_in_a_field_survives_the_salvage_of_a_damaged_file(landing, read_export):
    path = landing / "cr.csv"
    path.write_bytes(
        (
            HEADER
            + 'x,1,post,2024-11-06T14:02:11Z,7,"one\rtwo",1\r\n'
            + "x,2,post,2024-11-06T14:03:11Z,7,three\rfour,2\r\n"
            + "x,3,post,2024-11-06T14:04:11Z,7,surplus,3,4\r\n"
        ).encode()
    )
    outcome = read_export(path)
    assert (outcome.rows_read, outcome.rows_accepted, outcome.reasons) == (3, 2, ["8 fields where the header has 7"])
    assert outcome.frames["interactions"]["text"].to_list() == ["one\rtwo", "three\rfour"]
    assert outcome.frames["interactions"]["_source_line"].to_list() == [1, 2]


def test_an_unclosed_quote_does_not_swallow_the_rows_after_it(landing, read_export):
    path = landing / "swallow.csv"
    path.write_text(
        HEADER
        + 'x,1,post,2024-11-06T14:02:11Z,7,"never closed,1\n'
        + "".join(f"x,{n},post,2024-11-06T14:02:11Z,7,row {n},1\n" for n in range(2, 6))
        + 'x,6,post,2024-11-06T14:02:11Z,7,"quoted",1\n'
    )
    outcome = read_export(path)
    assert (outcome.rows_read, outcome.rows_accepted, outcome.rows_read - outcome.rows_accepted) == (6, 5, 1)
    assert [locator for locator, _, _ in outcome.quarantine] == ["line 2"]
    assert outcome.frames["interactions"]["interaction_id"].to_list() == ["2", "3", "4", "5", "6"]


def test_a_stray_quote_in_an_unquoted_field_after_an_unclosed_one_keeps_the_file(landing, read_export):
    # Python's csv reads `6" tall` as text, polars refuses it: the good rows must still load, not the file fail
    path = landing / "inches.csv"
    path.write_text(
        HEADER
        + 'x,1,post,2024-11-06T14:02:11Z,7,"never closed,1\n'
        + 'x,2,post,2024-11-06T14:02:11Z,7,a 6" tall bike,1\n'
        + "x,3,post,2024-11-06T14:02:11Z,7,plain,1\n"
    )
    outcome = read_export(path)
    assert (outcome.rows_read, outcome.rows_accepted) == (3, 2)
    assert [locator for locator, _, _ in outcome.quarantine] == ["line 2"]
    interactions = outcome.frames["interactions"]
    assert interactions["text"].to_list() == ['a 6" tall bike', "plain"]
    assert interactions["_source_line"].to_list() == [2, 3]


def test_a_row_in_a_multi_line_quoted_field_is_not_mistaken_for_a_row(landing, read_export):
    path = landing / "multiline.csv"
    path.write_text(
        HEADER
        + 'x,1,post,2024-11-06T14:02:11Z,7,"first line\nx,9,post,2024-11-06T14:02:11Z,7,not a row,9\nlast",1\n'
        + "x,2,post,2024-11-06T14:02:11Z,7,extra,1,1\n"
    )
    outcome = read_export(path)
    assert (outcome.rows_read, outcome.rows_accepted) == (2, 1)
    assert outcome.frames["interactions"]["interaction_id"].to_list() == ["1"]
    assert [locator for locator, _, _ in outcome.quarantine] == ["line 5"]  # the header is line 1


def _csv_fixtures() -> list[Path]:
    fixtures = Path(__file__).resolve().parents[1] / "fixtures"
    found = []
    for path in sorted(fixtures.glob("*/*.csv")):
        fmt = detect(path)
        if fmt is not None and not fmt.skipped_because:
            found.append(path)
    return found


@pytest.mark.parametrize("fixture", _csv_fixtures(), ids=lambda path: f"{path.parent.name}/{path.name}")
@pytest.mark.parametrize("damage", ["extra-fields", "unclosed-quote"])
def test_every_csv_reader_quarantines_a_damaged_row_alone(tmp_path, read_export, fixture, damage):
    original = read_export(fixture)
    data = fixture.read_bytes()
    header_end = data.index(b"\n") + 1
    width = len(next(csv.reader([data[:header_end].decode("utf-8-sig", "replace")])))
    row = b"," * width if damage == "extra-fields" else b'"never closed' + b"," * (width - 1)
    damaged = tmp_path / fixture.name
    damaged.write_bytes(data[:header_end] + row + b"\n" + data[header_end:])
    assert detect(damaged).name == original.format
    outcome = read_export(damaged)
    assert (outcome.rows_read, outcome.rows_accepted) == (original.rows_read + 1, original.rows_accepted)
    assert "line 2" in [locator for locator, _, _ in outcome.quarantine]
    for entity, frame in original.frames.items():
        assert outcome.frames[entity].drop("_source_line").equals(frame.drop("_source_line"))


# ------------------------------------------------------------------------------------------------ JSON


def test_a_truncated_json_line_among_good_ones_fails_alone_and_its_reason_quotes_nothing(landing, read_export):
    good = {"platform": "x", "interaction_type": "post", "created_at": "2024-11-06T14:02:11Z"}
    path = landing / "lines.jsonl"
    path.write_text(
        json.dumps({**good, "interaction_id": "1"})
        + "\n"
        + json.dumps({"text": f"write to {PLANTED_EMAIL}", **good, "interaction_id": "2"})[:-10]
        + "\n"
        + json.dumps({**good, "interaction_id": "3"})
        + "\n"
    )
    outcome = read_export(path)
    assert (outcome.rows_read, outcome.rows_accepted) == (3, 2)
    ((locator, reason, raw),) = outcome.quarantine
    assert locator == "line 2" and reason.startswith("malformed JSON: Unterminated string")
    assert PLANTED_EMAIL not in reason + raw


def _json_fixtures() -> list[Path]:
    fixtures = Path(__file__).resolve().parents[1] / "fixtures"
    folders = ("facebook_graph", "instagram_graph", "youtube_data_api", "reddit", "bluesky", "x_twitter_v2")
    paths = [path for folder in folders for path in sorted((fixtures / folder).glob("*.json*"))]
    return [path for path in paths if path.stat().st_size < 64_000]  # each is read again for every value changed


MUTATED_VALUES = 80  # the first values of each fixture, in document order: its first records' fields


def _value_paths(node, prefix=()):
    """(path, value) of every value inside a JSON document, the first two items of each list only."""
    items = node.items() if isinstance(node, dict) else enumerate(node[:2]) if isinstance(node, list) else ()
    for key, value in items:
        yield (*prefix, key), value
        yield from _value_paths(value, (*prefix, key))


PLANTED_COUNT = 2**70 + 271828  # a JSON integer no 64-bit column holds


def _wrong_types(value) -> list:
    if isinstance(value, str):
        return [5, {"planted": PLANTED_EMAIL}]
    if isinstance(value, bool | int | float):
        return ["five", [1], PLANTED_COUNT]
    return [5]  # an object or a list where a number came


@pytest.mark.parametrize("fixture", _json_fixtures(), ids=lambda path: f"{path.parent.name}/{path.name}")
def test_a_json_record_with_a_value_of_the_wrong_type_fails_alone(tmp_path, fixture):
    """Every value of the fixture's first records in turn replaced by one of another JSON type, or a number beyond a
    64-bit integer: the file never fails, its counts add up, and no reason quotes the planted value."""
    fmt = detect(fixture)
    text = fixture.read_text(encoding="utf-8-sig")
    lines = text.splitlines()
    try:
        document = json.loads(lines[0] if fixture.suffix == ".jsonl" else text)
    except ValueError:
        pytest.skip("a fixture that is deliberately not JSON")
    damaged = tmp_path / fixture.name
    for path, value in list(_value_paths(document))[:MUTATED_VALUES]:
        for wrong in _wrong_types(value):
            copy = json.loads(json.dumps(document))
            node = copy
            for key in path[:-1]:
                node = node[key]
            node[path[-1]] = wrong
            damaged.write_text(json.dumps(copy) + "\n")  # of a JSON-lines file, its first page
            for chunk in fmt.read(damaged):
                assert chunk.rows_read == chunk.rows_accepted + chunk.rows_quarantined, path
                assert not any(PLANTED_EMAIL in reason for _, reason, _ in chunk.quarantine), path
                assert not any(str(PLANTED_COUNT) in reason for _, reason, _ in chunk.quarantine), path
