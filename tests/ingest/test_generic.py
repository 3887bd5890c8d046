"""Generic reader: the canonical layout with no mapping, and other tools' exports through YAML mappings."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

import pytest

from ingest.detect import read_sample
from ingest.readers.generic import Mapping, load_mappings, mapping_format

UTC = UTC


def test_the_example_sprout_like_mapping(read_export, fixtures_dir):
    result = read_export(fixtures_dir / "generic/sprout_messages.csv")
    assert result.format == "sprout_social_messages"
    rows = {row["interaction_id"]: row for row in result.frames["interactions"].to_dicts()}

    post = rows["1853800000000000001"]
    assert (post["platform"], post["interaction_type"], post["author_handle"]) == ("x", "post", "NorthwindCoffee")
    assert post["created_at"] == datetime(2024, 11, 4, 14, 15, tzinfo=UTC)  # 09:15 AM New York (EST)
    assert (post["like_count"], post["reply_count"], post["share_count"], post["impression_count"]) == (
        120,
        14,
        31,
        18250,
    )
    assert rows["1853800000000000002"]["parent_id"] == "1853800000000000001"
    assert rows["1853800000000000003"]["interaction_type"] == "mention"
    assert rows["1853800000000000003"]["mentioned_handles"] == ["northwindcoffee", "lumenbikes"]  # from the text
    assert rows["17900000000000004"]["created_at"] == datetime(2024, 11, 5, 4, 30, tzinfo=UTC)  # 11:30 PM, next day

    assert result.quarantine == [
        (
            "row 6",
            "unknown interaction type 'Poll Vote' (expected one of post, comment, reply, quote, share, mention,"
            " reaction, follow, message, review, ugc; map it under values.interaction_type)",
            result.quarantine[0][2],
        )
    ]
    assert '"interaction_type": "Poll Vote"' in result.quarantine[0][2]  # what the file said, not a translation


def test_canonical_csv_needs_no_mapping(read_export, fixtures_dir):
    result = read_export(fixtures_dir / "generic/canonical_interactions.csv")
    assert result.format == "canonical_interactions"
    frame = result.frames["interactions"]
    assert frame["record_version"].to_list() == [0, 1, 0]
    assert frame["created_at"].to_list()[2] == datetime(2024, 11, 6, 14, 0, tzinfo=UTC)  # epoch seconds
    assert frame["mentioned_handles"].to_list()[0] == ["lumenbikes"]


def test_canonical_jsonl_keeps_integer_ids_exact(read_export, fixtures_dir):
    frame = read_export(fixtures_dir / "generic/canonical_interactions.jsonl").frames["interactions"]
    first = frame.row(0, named=True)
    assert first["interaction_id"] == "1855000000000000011"  # a JSON integer larger than a float holds exactly
    assert first["author_handle"] == "tide_fan"
    assert first["mentioned_handles"] == ["tidepoolskin"]


def test_a_jsonl_mapping_with_nested_paths_and_constants(tmp_path):
    mapping_file = tmp_path / "tool.yaml"
    mapping_file.write_text(
        "name: tool_reviews\n"
        "identify: [review_id, reviewer.name, stars]\n"
        "columns: {review_id: interaction_id, posted: created_at, reviewer.name: author_name, body: text}\n"
        "constants: {platform: trustpilot, interaction_type: review}\n"
    )
    export = tmp_path / "reviews.jsonl"
    export.write_text(
        '{"review_id": "r1", "posted": "2024-11-01T10:00:00+01:00", "reviewer": {"name": "Ana"}, "stars": 5,'
        ' "body": "Lovely beans"}\n'
    )
    fmt = mapping_format(Mapping.from_yaml(mapping_file), priority=1)
    assert fmt.sniff(read_sample(export))
    (chunk,) = fmt.read(export)
    row = chunk.frames["interactions"].row(0, named=True)
    assert (row["platform"], row["interaction_type"], row["author_name"]) == ("trustpilot", "review", "Ana")
    assert row["created_at"] == datetime(2024, 11, 1, 9, 0, tzinfo=UTC)


def test_a_column_mapped_to_link_urls_splits_between_urls_not_inside_them(tmp_path):
    campaign = "https://shop.example/a?utm_campaign=fall,winter&utm_source=x"  # a comma inside a query string
    mapping_file = tmp_path / "tool.yaml"
    mapping_file.write_text(
        "name: tool_posts\n"
        "identify: [post_id, posted, links]\n"
        "columns: {post_id: interaction_id, posted: created_at, links: link_urls}\n"
        "constants: {platform: x, interaction_type: post}\n"
    )
    export = tmp_path / "posts.csv"
    export.write_text(
        "post_id,posted,links\n"
        f'p1,2024-11-01T10:00:00Z,"{campaign},https://b.example/ | c.example/x"\n'
        f'p2,2024-11-01T11:00:00Z,"[""https://b.example/"", ""{campaign}""]"\n'  # a JSON array in a cell
        "p3,2024-11-01T12:00:00Z,https://b.example/; https://b.example/\n"
        'p4,2024-11-01T13:00:00Z,""\n'
    )
    fmt = mapping_format(Mapping.from_yaml(mapping_file), priority=1)
    (chunk,) = fmt.read(export)
    links = dict(chunk.frames["interactions"].select("interaction_id", "link_urls").iter_rows())
    assert links == {
        "p1": [campaign, "https://b.example/", "c.example/x"],
        "p2": ["https://b.example/", campaign],
        "p3": ["https://b.example/"],  # each URL once
        "p4": None,
    }

    jsonl = tmp_path / "posts.jsonl"
    record = {"post_id": "p5", "posted": "2024-11-01T10:00:00Z", "links": [campaign, "b.example/x,y"]}
    jsonl.write_text(json.dumps(record) + "\n")
    (chunk,) = fmt.read(jsonl)
    assert chunk.frames["interactions"]["link_urls"].to_list() == [[campaign, "b.example/x,y"]]


def test_a_mapping_that_misses_required_fields_says_which(tmp_path):
    mapping_file = tmp_path / "broken.yaml"
    mapping_file.write_text("name: broken\nidentify: [a]\ncolumns: {a: interaction_id, b: colour}\n")
    with pytest.raises(ValueError, match=r"unknown canonical fields \['colour'\].*required fields"):
        Mapping.from_yaml(mapping_file)


def test_a_mapping_with_an_unknown_zone_is_refused_when_loaded(tmp_path):
    mapping_file = tmp_path / "zone.yaml"
    mapping_file.write_text(
        "name: zoned\nidentify: [id]\ncolumns: {id: interaction_id, when: created_at}\n"
        "constants: {platform: x, interaction_type: post}\ntimestamp: {zone: Eastern}\n"
    )
    with pytest.raises(ValueError, match="unknown time zone 'Eastern'"):
        Mapping.from_yaml(mapping_file)


def test_a_broken_mapping_is_logged_and_left_out(tmp_path, caplog):
    (tmp_path / "broken.yaml").write_text("name: broken\n")
    (tmp_path / "fine.yml").write_text(
        "name: fine\nidentify: [id]\ncolumns: {id: interaction_id, when: created_at}\n"
        "constants: {platform: x, interaction_type: post}\n"
    )
    with caplog.at_level(logging.ERROR):
        mappings = load_mappings([tmp_path])
    assert [mapping.name for mapping in mappings] == ["fine"]
    assert "ignoring mapping" in caplog.text and "broken.yaml" in caplog.text


def test_a_format_without_zone_needs_the_mapping_to_name_one(tmp_path):
    mapping_file = tmp_path / "local.yaml"
    mapping_file.write_text(
        "name: local_times\nidentify: [id, when]\ncolumns: {id: interaction_id, when: created_at}\n"
        "constants: {platform: x, interaction_type: post}\ntimestamp: {format: '%d/%m/%Y %H:%M'}\n"
    )
    export = tmp_path / "export.csv"
    export.write_text("id,when\n1,04/11/2024 09:15\n")
    (chunk,) = mapping_format(Mapping.from_yaml(mapping_file), priority=1).read(export)
    assert chunk.rows_accepted == 0
    assert "has no zone and the mapping names none" in chunk.quarantine[0][1]
