"""Readers' row dicts become frames with list columns built from text and time columns from microseconds (fast),
exactly as polars builds them from the Python values, whatever a list holds (empty, missing, items that are empty, not
text, or hold the separator) and whatever a time is (any zone, the edges of the range, no zone, not a time)."""

from datetime import UTC, date, datetime, timedelta, timezone

import polars as pl
import pytest

from ingest.readers.json_pages import rows_frame
from ingest.schema import ENTITIES

LISTS = [
    [None, [], ["a", "b"], [], None, ["c"]],
    [("x",), ["y"]],
    [[""], ["", ""]],
    [["a\x1fb"], ["c"]],  # an item holding the separator
    [[1], ["a"]],  # an item that is not text
    [["a", None]],
    ["abc", ["a"]],  # not a list
    [],
]


@pytest.mark.parametrize("values", LISTS)
def test_list_columns_equal_what_polars_builds_from_the_lists(values):
    rows = [{"platform": "x", "mentioned_handles": v, "link_urls": v, "_source_line": n} for n, v in enumerate(values)]
    expected = pl.DataFrame(rows, schema={**ENTITIES["interactions"], "_source_line": pl.Int64}, strict=False)
    frame = rows_frame(rows, "interactions")
    assert frame.schema == expected.schema
    assert frame.equals(expected)


TIMES = [
    [datetime(2025, 3, 1, 23, 56, 28, 123456, tzinfo=UTC), None, datetime(1970, 1, 1, tzinfo=UTC)],
    [datetime(1969, 12, 31, 23, 59, 59, 999999, tzinfo=UTC), datetime(1, 1, 1, tzinfo=UTC)],
    [datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC)],
    [datetime(2025, 3, 1, 10, tzinfo=timezone(timedelta(hours=-5, minutes=-30)))],  # a zone other than UTC
    [datetime(2025, 3, 1, 10)],  # no zone
    [date(2025, 3, 1)],
    ["2025-03-01T10:00:00Z"],
    [None, None],
    [],
]


@pytest.mark.parametrize("values", TIMES)
def test_time_columns_equal_what_polars_builds_from_the_datetimes(values):
    rows = [{"platform": "x", "created_at": value, "_source_line": n} for n, value in enumerate(values)]
    schema = {**ENTITIES["interactions"], "_source_line": pl.Int64}
    try:
        expected = pl.DataFrame(rows, schema=schema, strict=False)
    except Exception as error:  # what polars refuses, the fast path refuses alike
        with pytest.raises(type(error)):
            rows_frame(rows, "interactions")
        return
    frame = rows_frame(rows, "interactions")
    assert frame.schema == expected.schema
    assert frame.equals(expected)
