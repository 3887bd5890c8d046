"""Ids as spreadsheets and pandas write them: ``N.0`` / ``N.00`` is the integer N when a float holds it exactly
(|N| <= 2^53); beyond that, or in scientific notation, the exact id is lost and the row is quarantined."""

from __future__ import annotations

import pytest

from ingest.readers.ids import id_text

HEADER = "platform,interaction_id,interaction_type,created_at,author_id,parent_id\n"
LOST = "went through a floating-point number"


def test_whole_ids_written_as_floats_load_exactly_from_csv(landing, read_export):
    path = landing / "replies.csv"
    path.write_text(
        HEADER
        + "x,3.0,post,2024-11-06T14:02:11Z,17.00,\n"
        + "x,9007199254740992.0,reply,2024-11-06T14:03:11Z,-5.0,3.0\n"  # 2^53: the last exact one
    )
    result = read_export(path)
    assert result.quarantine == []
    frame = result.frames["interactions"]
    assert frame.select("interaction_id", "author_id", "parent_id").rows() == [
        ("3", "17", None),
        ("9007199254740992", "-5", "3"),
    ]


@pytest.mark.parametrize(
    "written",
    ["1.39E+18", "1394735776701816833.0", "9007199254740993.0", "12.5"],
)
def test_ids_whose_exact_value_is_lost_are_quarantined_from_csv(landing, read_export, written):
    path = landing / "lost.csv"
    path.write_text(HEADER + f"x,{written},post,2024-11-06T14:02:11Z,1,\nx,2,post,2024-11-06T14:02:11Z,1,\n")
    result = read_export(path)
    assert result.rows_read == 2 and result.rows_accepted == 1
    ((locator, reason, _),) = result.quarantine
    assert locator == "row 1"
    assert reason.startswith("interaction_id " + LOST)
    assert written not in reason  # the reason names the field, not the value


def test_ids_as_json_floats_load_when_exact_and_are_quarantined_when_not(landing, read_export):
    path = landing / "replies.jsonl"
    path.write_text(
        '{"platform": "x", "interaction_id": 3.0, "interaction_type": "post", "created_at": "2024-11-06T14:02:11Z",'
        ' "author_id": "17.00"}\n'
        '{"platform": "x", "interaction_id": "4", "interaction_type": "reply", "created_at": "2024-11-06T14:02:11Z",'
        ' "parent_id": 3.00}\n'
        '{"platform": "x", "interaction_id": 1394735776701816833.0, "interaction_type": "post",'
        ' "created_at": "2024-11-06T14:02:11Z"}\n'
        '{"platform": "x", "interaction_id": "1.39E+18", "interaction_type": "post",'
        ' "created_at": "2024-11-06T14:02:11Z"}\n'
    )
    result = read_export(path)
    assert result.frames["interactions"].select("interaction_id", "author_id", "parent_id").rows() == [
        ("3", "17", None),
        ("4", None, "3"),
    ]
    assert [(locator, reason.split(" (")[0]) for locator, reason, _ in result.quarantine] == [
        ("row 3", "interaction_id " + LOST),
        ("row 4", "interaction_id " + LOST),
    ]


def test_api_readers_accept_exact_float_ids_only():
    assert id_text(3.0) == "3"
    assert id_text(2.0**53) == "9007199254740992"
    with pytest.raises(ValueError, match="exact id is lost"):
        id_text(1394735776701816833.0)
    with pytest.raises(ValueError, match="exact id is lost"):
        id_text(2.5)
