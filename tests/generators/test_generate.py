"""The scale generator (`ror generate`): deterministic by seed, one folder per day that more days never change, every
file read by the platform's own reader without loss, and the mix of a real brand's traffic."""

from __future__ import annotations

import hashlib
import json
import statistics
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import duckdb
import pytest
import yaml

from generators import generate_exports
from generators.brands import build_brands
from generators.formats.x import x_pages
from generators.phrases import COMPETITOR_ANSWERS, FOREIGN
from generators.profiles import PROFILES, RIVALRIES
from generators.scale import conversation
from generators.scale.ledger import BrandLedger
from ingest.pipeline import FileReport, ingest_paths
from ingest.warehouse import ensure_raw_schema
from orchestration.cli import main
from ror_config.loading import load_config

ANSWERS_TEXT = tuple(answer for answers in COMPETITOR_ANSWERS.values() for answer in answers)
SMALL = {"interactions": 1200, "days": 2, "brands": 2, "seed": 11}


def _digests(root: Path) -> dict[str, str]:
    return {
        str(path.relative_to(root)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("generated")
    generate_exports(out, **SMALL)
    return out


@dataclass
class Loaded:
    con: duckdb.DuckDBPyConnection
    reports: list[FileReport]


@pytest.fixture(scope="module")
def loaded(generated) -> Loaded:
    con = duckdb.connect()
    ensure_raw_schema(con)
    landing = generated / "landing"
    return Loaded(con, ingest_paths([landing], landing_root=landing, con=con, batch_id="generated"))


def test_same_seed_writes_the_same_bytes(generated, tmp_path):
    generate_exports(tmp_path, **SMALL)
    assert _digests(tmp_path) == _digests(generated)
    other = tmp_path / "other_seed"
    generate_exports(other, **{**SMALL, "seed": 12})
    assert _digests(other / "landing" / "2025-01-01") != _digests(generated / "landing" / "2025-01-01")


def test_one_more_day_adds_a_folder_and_changes_no_earlier_file(generated, tmp_path):
    # A fresh folder at the same daily volume: the earlier days are byte for byte the same.
    per_day = SMALL["interactions"] // SMALL["days"]
    longer = tmp_path / "fresh"
    generate_exports(longer, **{**SMALL, "days": 3, "interactions": per_day * 3})
    before, after = _digests(generated / "landing"), _digests(longer / "landing")
    assert {name: digest for name, digest in after.items() if name in before} == before
    assert {name.split("/")[0] for name in set(after) - set(before)} == {"2025-01-03"}

    # Extending a folder in place: --interactions as before, the recorded daily volume wins, old files untouched.
    extended = tmp_path / "extended"
    generate_exports(extended, **SMALL)
    # every file but generate.json (the record of the days written, which grows by one day)
    stamps = {path: path.stat().st_mtime_ns for path in extended.rglob("*") if path.is_file()}
    del stamps[extended / "generate.json"]
    assert any(path.suffix == ".csv" for path in stamps) and (extended / "ror.yaml") in stamps
    report = generate_exports(extended, **{**SMALL, "days": 3})
    assert report.days_generated == 1 and report.plan.days_written == 3
    assert all(path.stat().st_mtime_ns == stamp for path, stamp in stamps.items())
    assert _digests(extended / "landing") == after


def test_every_file_is_read_by_its_platform_reader_without_loss(generated, loaded):
    formats = {report.detected_format for report in loaded.reports}
    assert {"x_api_v2", "facebook_graph", "instagram_graph", "youtube_data_api", "reddit_api"} <= formats
    assert any(f.startswith("meta_ads.") for f in formats) and any(f.startswith("hubspot.") for f in formats)
    assert all(report.status == "loaded" for report in loaded.reports), [
        (r.file, r.status) for r in loaded.reports if r.status != "loaded"
    ]
    assert loaded.con.execute("select count(*) from raw.quarantine").fetchone()[0] == 0
    platforms = dict(loaded.con.execute("select platform, count(*) from raw.interactions group by 1").fetchall())
    assert set(platforms) == {"x", "facebook", "instagram", "youtube", "reddit"}
    assert platforms["x"] > sum(platforms.values()) / 2


def test_the_mix_looks_like_a_brand(generated, loaded):
    total, with_text, unique_texts = loaded.con.execute(
        "select count(*), count(text), count(distinct text_hash) from raw.interactions"
    ).fetchone()
    assert total == pytest.approx(SMALL["interactions"], rel=0.15)
    assert 0.4 < with_text / total < 0.65  # about half carry text (retweets and sticker comments do not)
    assert unique_texts < 0.7 * with_text  # copy-paste campaigns and stock replies repeat
    config = yaml.safe_load((generated / "ror.yaml").read_text())
    brand_accounts = {a["account_id"] for b in config["brands"] for a in b["accounts"] if "account_id" in a}
    employees = {e["person_id"] for b in config["brands"] for e in b["employees"]}
    (brand_replies,) = loaded.con.execute(
        "select count(*) from raw.interactions where interaction_type = 'reply' and author_id in "
        "(select unnest(?::varchar[]))",
        [sorted(brand_accounts)],
    ).fetchone()
    assert brand_replies > 0
    (employee_rows,) = loaded.con.execute(
        "select count(*) from raw.interactions where author_id in (select unnest(?::varchar[]))", [sorted(employees)]
    ).fetchone()
    assert employee_rows > 0
    (threads,) = loaded.con.execute(
        "select count(*) from raw.interactions r join raw.interactions p on r.parent_id = p.interaction_id "
        "and r.platform = p.platform where p.interaction_type in ('comment', 'reply')"
    ).fetchone()
    assert threads > 0
    spend, leads = loaded.con.execute(
        "select (select sum(spend) from raw.ad_insights), (select count(*) from raw.crm_contacts)"
    ).fetchone()
    assert spend > 0 and leads > 0


def test_some_people_write_in_their_own_language_and_x_says_which(loaded):
    x_languages = {
        lang
        for (lang,) in loaded.con.execute("select distinct lang from raw.interactions where platform = 'x'").fetchall()
    }
    assert "en" in x_languages and len(x_languages & set(FOREIGN)) >= 2, x_languages
    assert x_languages <= {"en", *FOREIGN}, x_languages
    fixed = tuple(template for said in FOREIGN.values() for _, template in said if "{" not in template)
    texts = loaded.con.execute("select platform, text from raw.interactions where text is not null").fetchall()
    assert len({platform for platform, text in texts if text.endswith(fixed)}) >= 3


def test_x_links_hide_behind_t_co_and_the_brands_carry_the_organic_campaign(generated, loaded):
    config = yaml.safe_load((generated / "ror.yaml").read_text())
    organic = {c["utm_campaign"] for b in config["brands"] for c in b["campaigns"] if c["channel"] == "organic_social"}
    rows = loaded.con.execute(
        "select text, link_urls from raw.interactions where platform = 'x' and len(link_urls) > 0"
    ).fetchall()
    assert rows and all("https://t.co/" in text and "utm_campaign=" not in text for text, _ in rows)
    campaigns = {parse_qs(urlsplit(url).query)["utm_campaign"][0] for _, urls in rows for url in urls}
    assert campaigns == organic, campaigns


def test_config_describes_every_brand(tmp_path):
    generate_exports(tmp_path, interactions=50, days=1, brands=5, seed=1)
    config = yaml.safe_load((tmp_path / "ror.yaml").read_text())
    ids = [brand["id"] for brand in config["brands"]]
    assert len(ids) == len(set(ids)) == 5
    x_handles = [a["handle"] for b in config["brands"] for a in b["accounts"] if a["platform"] == "x"]
    assert len(set(x_handles)) == 5 and all(len(handle) <= 15 for handle in x_handles)
    for brand in config["brands"]:
        assert {a["platform"] for a in brand["accounts"]} >= {"x", "facebook", "instagram", "youtube", "meta"}
        assert {c["channel"] for c in brand["campaigns"]} == {"paid_social", "organic_social"}


def _x_texts_by_day(out: Path) -> dict[str, list[tuple[str, set[str]]]]:
    """Each day's X tweets of every brand: the text and the handles it mentions."""
    days: dict[str, list[tuple[str, set[str]]]] = {}
    for path in sorted((out / "landing").glob("*/x/*.jsonl")):
        for line in path.read_text("utf-8").splitlines():
            for tweet in json.loads(line).get("data", []):
                mentioned = {m["username"] for m in tweet.get("entities", {}).get("mentions", [])}
                days.setdefault(path.parts[-3], []).append((tweet["text"], mentioned))
    return days


def test_competitors_are_named_answered_and_a_complaint_wave_lands_on_its_days(tmp_path):
    generate_exports(tmp_path, interactions=15000, days=5, brands=2, seed=5, competitor_share=0.3, wave_day=1)
    config = load_config(tmp_path / "ror.yaml")
    competitors = {c.accounts[0].handle for b in config.brands for c in b.competitors}
    assert all(len(b.competitors) == 2 for b in config.brands) and len(competitors) == 4
    days = _x_texts_by_day(tmp_path)
    tweets = [tweet for day in sorted(days) for tweet in days[day]]
    naming = Counter(handle for _, mentioned in tweets for handle in mentioned & competitors)
    assert set(naming) == competitors and min(naming.values()) >= 10
    brand_handles = {a.handle for b in config.brands for a in b.accounts if a.platform == "x"}
    assert any(mentioned & competitors and mentioned & brand_handles for _, mentioned in tweets), "comparisons"
    answers = [text for text, _ in tweets if text.startswith("@") and any(a in text for a in ANSWERS_TEXT)]
    assert answers, "competitors answer some customers publicly"
    wave = Counter(day for day in days for text, _ in days[day] if "never arrived" in text or "delivery" in text)
    before, *wave_days, after = sorted(days)
    assert len(wave_days) == 3 and min(wave[day] for day in wave_days) > 5 * max(1, wave[before], wave[after]), wave


def _x_day(brand_id: str, day_index: int) -> list[conversation.Item]:
    """One brand's X items on one day (a day index counts from the first generated day), at 600 interactions a day."""
    brand = next(b for b in build_brands(3) if b.brand_id == brand_id)
    day = conversation.BrandDay(7, brand, "x", date(2025, 1, 1) + timedelta(days=day_index), day_index, 600)
    return [item for segment in day.segments() for item in segment]


def _answer_minutes(items: list[conversation.Item]) -> list[float]:
    return [
        (item.created_at - item.parent.created_at).total_seconds() / 60
        for item in items
        if item.author.role in ("brand", "employee") and item.parent is not None
    ]


@pytest.mark.parametrize("brand_id", ["lumen", "tidepool"])
def test_a_brands_incident_is_announced_then_a_complaint_spike_answered_late(brand_id):
    incident = PROFILES[brand_id].incident
    incident_days = [_x_day(brand_id, incident.day + offset) for offset in range(incident.length_days)]
    usual_days = [_x_day(brand_id, day) for day in range(incident.day - 8, incident.day)]
    assert incident_days[0][0].text == incident.announcement
    complaints = [sum(item.topic == "complaint" for item in items) for items in incident_days + usual_days]
    assert min(complaints[: incident.length_days]) > 4 * max(complaints[incident.length_days :]), complaints
    late = statistics.median(minutes for items in incident_days for minutes in _answer_minutes(items))
    usual = statistics.median(minutes for items in usual_days for minutes in _answer_minutes(items))
    assert late > 1.5 * usual, (late, usual)
    openings = [apology.split("{")[0] for apology in incident.apologies]  # the words before the customer's name
    answers = [item.text for items in incident_days for item in items if item.author.role == "brand" and item.parent]
    assert any(opening in answer for answer in answers for opening in openings), "the brand apologises"


def test_a_giveaway_floods_its_days_with_one_copied_text():
    giveaway = PROFILES["northwind"].giveaway
    slogan = giveaway.slogan.replace("{brand}", "@NorthwindCoffee")
    giveaway_days = [_x_day("northwind", giveaway.day + offset) for offset in range(giveaway.length_days)]
    usual_days = [_x_day("northwind", day) for day in range(giveaway.day - 5, giveaway.day)]
    assert giveaway_days[0][0].text == giveaway.post.replace("{brand}", "@NorthwindCoffee")
    entries = [sum(item.text == slogan for item in items) for items in giveaway_days + usual_days]
    assert min(entries[: giveaway.length_days]) > 3 * max(entries[giveaway.length_days :]), entries


def test_a_big_day_is_drawn_in_segments_that_land_whole(tmp_path, monkeypatch):
    """Memory stays flat because a day is drawn segment by segment: the segments' files still read completely."""
    monkeypatch.setattr(conversation, "SEGMENT_ITEMS", 40)
    report = generate_exports(tmp_path, interactions=400, days=1, brands=1, seed=3)
    x_pages = (tmp_path / "landing" / "2025-01-01" / "x").glob("*.jsonl")
    assert sum(1 for path in x_pages for _ in path.open()) > 1
    assert len(list((tmp_path / "landing" / "2025-01-01" / "facebook").glob("*_feed_p*.json"))) > 1
    con = duckdb.connect()
    ensure_raw_schema(con)
    landing = tmp_path / "landing"
    ingest_paths([landing], landing_root=landing, con=con, batch_id="segments")
    assert con.execute("select count(*) from raw.interactions").fetchone()[0] == report.interactions_written
    assert con.execute("select count(*) from raw.quarantine").fetchone()[0] == 0


def test_cli_says_how_to_refresh(tmp_path, capsys):
    assert main(["generate", "--interactions", "40", "--days", "1", "--brands", "1", "--out", str(tmp_path)]) == 0
    printed = capsys.readouterr().out
    assert "ror refresh --landing" in printed and "--partition 2025-01-01" in printed
    assert (tmp_path / "ror.yaml").exists()


def test_cli_says_when_a_folder_keeps_its_earlier_daily_volume(tmp_path, capsys):
    assert main(["generate", "--interactions", "40", "--days", "1", "--brands", "1", "--out", str(tmp_path)]) == 0
    capsys.readouterr()
    assert main(["generate", "--interactions", "400", "--days", "2", "--brands", "1", "--out", str(tmp_path)]) == 0
    printed = capsys.readouterr().out
    assert "keeps that volume" in printed and "1 earlier day(s) kept" in printed


def test_cli_takes_the_competitor_share_wave_day_and_facebook_export_and_refuses_a_share_above_one(tmp_path, capsys):
    base = ["generate", "--interactions", "40", "--days", "1", "--brands", "1"]
    options = ["--competitor-share", "0.5", "--wave-day", "-1", "--facebook-export", "sprout"]
    assert main([*base, *options, "--out", str(tmp_path / "ok")]) == 0
    plan = json.loads((tmp_path / "ok" / "generate.json").read_text("utf-8"))
    assert plan["competitor_share"] == 0.5 and plan["wave_day"] is None and plan["facebook_export"] == "sprout"
    with pytest.raises(SystemExit) as refused:
        main([*base, "--competitor-share", "1.5", "--out", str(tmp_path / "refused")])
    assert refused.value.code == 2 and "between 0 and 1" in capsys.readouterr().err


def test_a_competitors_bad_stretch_turns_what_customers_say_to_it_into_complaints():
    first, length = RIVALRIES["beanline"].wave_days

    def complaint_share(days: range) -> float:
        said = [
            item.topic
            for day in days
            for item in _x_day("northwind", day)
            if item.addressee is not None and item.addressee.handle == "BeanLine"
        ]
        return said.count("complaint") / len(said)

    assert complaint_share(range(first, first + length)) > complaint_share(range(first - 12, first)) + 0.3


def test_a_brands_ads_stop_on_its_pause_days_and_its_leads_are_organic_then():
    lumen = next(brand for brand in build_brands(3) if brand.brand_id == "lumen")
    ledger = BrandLedger(7, lumen, 600, conversation.Audience(7, lumen, "x", 420))
    paused = PROFILES["lumen"].ads.pause_days
    for day_index in (paused[0] - 1, *paused, paused[-1] + 1):
        day = date(2025, 1, 1) + timedelta(days=day_index)
        delivered = ledger.delivery(day, day_index)
        sources = {lead.source for lead in ledger.leads(day, day_index)}
        if day_index in paused:
            assert delivered == [] and sources <= {"SOCIAL_MEDIA"}, day_index
        else:
            assert sum(row[1] for row in delivered) > 0 and "PAID_SOCIAL" in sources, day_index


def test_competitors_post_and_customers_retweet_and_answer_their_posts():
    items = [item for day in range(14) for item in _x_day("northwind", day)]
    for handle in ("HarborRoasters", "BeanLine"):
        posts = [item for item in items if item.author.handle == handle and item.kind == "post"]
        reactions = Counter(item.kind for item in items if item.parent in posts and item.author.role == "audience")
        assert len(posts) >= 2 and reactions["share"] and reactions["reply"], (handle, len(posts), reactions)


def test_competitors_answer_customers_at_their_own_rate_and_speed():
    northwind = build_brands(1)[0]
    items = [
        item
        for day in range(20)
        for segment in conversation.BrandDay(
            7, northwind, "x", date(2025, 1, 1) + timedelta(days=day), day, 2000, competitor_share=0.6
        ).segments()
        for item in segment
    ]

    def answers(handle: str) -> list[float]:
        return [
            (item.created_at - item.parent.created_at).total_seconds() / 60
            for item in items
            if item.author.handle == handle and item.parent is not None and item.parent.author.role == "audience"
        ]

    fast, brand, slow = (answers(handle) for handle in ("HarborRoasters", "NorthwindCoffee", "BeanLine"))
    assert statistics.median(fast) < statistics.median(brand) / 2 < statistics.median(brand) < statistics.median(slow)
    assert len(fast) > 3 * len(slow), "HarborRoasters answers far more often than BeanLine"


def test_edited_posts_show_both_versions_on_the_x_page_and_the_reader_keeps_both(tmp_path):
    items = [item for day in range(10) for item in _x_day("northwind", day)]
    since = datetime(2025, 1, 1, tzinfo=UTC)
    written = x_pages(items[::-1], "NorthwindCoffee", since, since, 0)
    pages = [json.loads(line) for line in written.splitlines()]
    edited = [(tweet, page) for page in pages for tweet in page["data"] if len(tweet["edit_history_tweet_ids"]) == 2]
    assert edited
    for tweet, page in edited:
        first_id, last_id = tweet["edit_history_tweet_ids"]
        assert last_id == tweet["id"] and int(first_id) < int(last_id)
        first = next(t for t in page["includes"]["tweets"] if t["id"] == first_id)
        assert first["edit_history_tweet_ids"] == [first_id, last_id] and first["text"] != tweet["text"]
    (tmp_path / "x").mkdir()
    (tmp_path / "x" / "NorthwindCoffee.jsonl").write_text(written, "utf-8")
    con = duckdb.connect()
    ensure_raw_schema(con)
    ingest_paths([tmp_path], landing_root=tmp_path, con=con, batch_id="edits")
    versions = con.execute(
        "select interaction_id, list(record_version order by record_version) from raw.interactions "
        "where interaction_id in (select unnest(?::varchar[])) group by 1",
        [[tweet["edit_history_tweet_ids"][0] for tweet, _ in edited]],
    ).fetchall()
    assert len(versions) == len(edited) and all(kept == [0, 1] for _, kept in versions), versions


def test_facebook_pages_can_come_as_a_sprout_report_read_by_the_generic_mapping(tmp_path):
    generate_exports(tmp_path, **{**SMALL, "days": 1}, facebook_export="sprout")
    landing = tmp_path / "landing"
    assert not list(landing.glob("*/facebook/*")) and len(list(landing.glob("*/generic/sprout_*.csv"))) == 2
    con = duckdb.connect()
    ensure_raw_schema(con)
    reports = ingest_paths([landing / "2025-01-01" / "generic"], landing_root=landing, con=con, batch_id="sprout")
    assert all(r.status == "loaded" and r.rows_quarantined == 0 and r.rows_accepted > 0 for r in reports), reports
    kinds = dict(
        con.execute(
            "select interaction_type, count(*) from raw.interactions where platform = 'facebook' group by 1"
        ).fetchall()
    )
    assert {"post", "comment", "reply"} <= set(kinds), kinds
    (orphans,) = con.execute(
        "select count(*) from raw.interactions c where c.interaction_type = 'reply' and not exists "
        "(select 1 from raw.interactions p where p.interaction_id = c.parent_id)"
    ).fetchone()
    assert orphans == 0, "a reply's parent is a comment in the same report"
