"""Readers' row dicts become frames with list columns built from text (fast), exactly as polars builds them from the
Python lists, whatever a list holds: empty, missing, items that are empty, not text, or hold the separator."""

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
