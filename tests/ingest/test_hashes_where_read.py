"""The record and text hashes computed where a file is read (``identified_chunk``, in the reading processes) are the
ones the loader computed itself: same ``_record_hash`` and ``text_hash`` for hostile texts (NUL characters, Unicode
forms, blank text), and the plausibility checks still see the values as the reader gave them."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

import polars as pl

from ingest.base import ReadResult
from ingest.limits import MAX_TEXT_CHARS
from ingest.plausibility import canonical_chunk
from ingest.schema import ENTITIES, RECORD_HASH, TEXT_HASH, UTC_TIME
from ingest.text import text_hash
from ingest.warehouse import ManifestEntry, identified_chunk, raw_batch, with_provenance

NOW = datetime(2025, 6, 1, tzinfo=UTC)
HOSTILE_TEXTS = [
    "plain words",
    "nul\x00inside",
    "\x00",
    "   ",
    None,
    "ﬁne ＦＵＬＬＷＩＤＴＨ",  # NFKC changes both
    "tabs\tand\u00a0no-break\u2028spaces",
    "emoji ✨ and e\u0301",
]


def _interactions() -> pl.DataFrame:
    rows = [
        {
            "platform": "x",
            "interaction_id": str(index),
            "interaction_type": "post",
            "created_at": NOW,
            "author_id": "a\x00b",
            "text": text,
            "mentioned_handles": ["one\x00", "two"] if index % 2 else None,
            "link_urls": [] if index % 3 == 0 else ["https://example.com/?utm_campaign=x\x00"],
            "like_count": index,
            "_source_line": index + 1,
        }
        for index, text in enumerate(HOSTILE_TEXTS)
    ]
    return pl.DataFrame(rows, schema={**ENTITIES["interactions"], "_source_line": pl.Int64}, strict=False)


def _people() -> pl.DataFrame:
    rows = [{"platform": "x", "person_id": "1", "handle": "h\x00", "observed_at": None, "_source_line": 1}]
    return pl.DataFrame(rows, schema={**ENTITIES["people"], "_source_line": pl.Int64}, strict=False)


def _chunk() -> ReadResult:
    frames = {"interactions": _interactions(), "people": _people()}
    return canonical_chunk(ReadResult("x_api_v2", frames, rows_read=9, rows_accepted=9))


def _provenance(frame: pl.DataFrame, entity: str) -> pl.DataFrame:
    return with_provenance(frame, entity, source_file="f.jsonl", batch_id="b", ingested_at=NOW)


def test_hashes_carried_from_the_reading_process_equal_the_loaders_own():
    chunk = _chunk()
    identified = identified_chunk(chunk)
    for entity, frame in chunk.frames.items():
        assert {RECORD_HASH} <= set(identified.frames[entity].columns)
        assert _provenance(identified.frames[entity], entity).equals(_provenance(frame, entity))


def test_the_carried_hashes_are_the_documented_definitions_of_the_stored_values():
    raw = _provenance(identified_chunk(_chunk()).frames["interactions"], "interactions")
    assert raw["text_hash"].to_list() == [text_hash(text) for text in raw["text"].to_list()]
    assert "\x00" not in "".join(text or "" for text in raw["text"].to_list())
    canonical = raw.select(*ENTITIES["interactions"]).with_columns(
        pl.col(UTC_TIME).dt.to_string("%Y-%m-%dT%H:%M:%S%.6fZ")
    )
    assert len(set(raw["_record_hash"].to_list())) == len(HOSTILE_TEXTS)
    assert raw["_record_hash"].to_list() == [
        hashlib.sha256(text.encode()).hexdigest()
        for text in canonical.select(pl.struct(pl.all()).struct.json_encode()).to_series()
    ]


def test_a_text_over_the_limit_only_with_its_nul_is_still_quarantined_without_the_helper_columns():
    text = "x" * MAX_TEXT_CHARS + "\x00"  # within the limit once stripped: the check sees what the reader read
    frame = _interactions().head(1).with_columns(pl.lit(text).alias("text"))
    chunk = identified_chunk(canonical_chunk(ReadResult("x_api_v2", {"interactions": frame}, rows_read=1)))
    chunk.rows_accepted = 1
    entry = ManifestEntry("f.jsonl", "sha", 1, "x_api_v2", "loaded", None, "b", NOW)
    pending, raw = raw_batch([(entry, chunk, NOW)])
    assert pending[0].progress.rows_quarantined == 1
    ((locator, reason, record),) = raw["quarantine"][0].select("locator", "reason", "raw_record").rows()
    assert (locator, reason) == ("row 1", f"text longer than {MAX_TEXT_CHARS:,} characters")
    assert RECORD_HASH not in record and TEXT_HASH not in record
