"""The report quotes what people and the brand wrote (issue 29: "top posts and example messages (text, platform,
link)"): the words come from the mart's message_text (contact details already masked by dbt), escaped, cut to a
readable length, with the platform and a link (the export's permalink first), and never the author's name."""

from __future__ import annotations

from pathlib import Path

import duckdb
from support.browser import open_page
from test_report import FIXTURE_PERIOD

from report import write_reports
from report.charts import ReportContext
from report.labels import MESSAGE_CHARS, message_excerpt, public_link
from report.moments import moments_html
from report.queries import Warehouse

SHOWN = """(selector) => [...document.querySelectorAll(selector)].map(element => element.innerText)"""
LINKS = """(selector) => [...document.querySelectorAll(selector)].map(element => element.getAttribute('href'))"""


def test_top_posts_and_theme_examples_quote_the_marts_text_with_a_link(serving_file: Path, tmp_path: Path) -> None:
    with duckdb.connect(str(serving_file), read_only=True) as con:
        texts = dict(con.execute("select interaction_key, message_text from marts.fct_interactions").fetchall())
        posts = con.execute(
            "select posts.post_id, interactions.message_text, interactions.permalink "
            "from marts.fct_owned_posts as posts join marts.fct_interactions as interactions "
            "on posts.platform = interactions.platform and posts.post_id = interactions.interaction_id "
            "where posts.brand_id = 'northwind' and posts.engagements > 0 order by posts.engagements desc"
        ).fetchall()
        authors = {
            name
            for row in con.execute(
                "select author_handle, author_name from marts.fct_interactions where is_audience"
            ).fetchall()
            for name in row
            if name
        }
    (report,) = write_reports(serving_file, tmp_path, brand="northwind", period=FIXTURE_PERIOD)
    with open_page(report.path.as_uri()) as (page, problems):
        post_texts = page.evaluate(SHOWN, "#top-posts td.post q.message")
        post_links = page.evaluate(LINKS, "#top-posts td.post a")
        theme_texts = page.evaluate(SHOWN, "#section-themes .example q.message")
        quoted_sections = page.evaluate(SHOWN, "#top-posts, #section-themes table.themes")
    assert problems.console_errors == []
    assert post_texts == [text for _, text, _ in posts]  # every post in engagement order, each with its words
    assert [link for _, _, link in posts if link] == [link for link in post_links if "/NorthwindCoffee/" in link]
    assert theme_texts and set(theme_texts) <= set(texts.values())
    assert not any(author in section for section in quoted_sections for author in authors if len(author) > 3)


def _moments_warehouse(path: Path) -> Warehouse:
    """Two days of five scored interactions each: a good one and a bad one, with messages that test the quoting (the
    bad day's clearest text twice)."""
    con = duckdb.connect(str(path))
    con.execute("create schema marts")
    con.execute(
        "create table marts.sentiment_trend as select * from (values "
        "(date '2026-03-01', 'acme', 'account', 5, 5, 0), (date '2026-03-02', 'acme', 'account', 5, 0, 5)) "
        "as t(activity_date, brand_id, campaign_scope, sentiment_scored_interactions, positive_interactions, "
        "negative_interactions)"
    )
    long_text = "Where is my parcel? " * 30
    con.execute(
        "create table marts.fct_interactions as select * from (values "
        "('acme', date '2026-03-01', timestamp '2026-03-01 09:00', 'x', '1500000000000000001', 'mention', true, "
        "'positive', 'joy', false, false, true, 0.9, 0.05, '<b>Love</b> the  new\nbikes & the shop', "
        "'https://x.com/rider/status/1500000000000000001'), "
        "('acme', date '2026-03-02', timestamp '2026-03-02 10:00', 'x', '1500000000000000002', 'reply', true, "
        "'negative', 'anger', false, true, false, 0.01, 0.95, ?, null), "
        "('acme', date '2026-03-02', timestamp '2026-03-02 11:00', 'instagram', '17900000000000003', 'comment', true, "
        "'negative', null, true, false, false, 0.02, 0.9, 'Refund [email] please', 'javascript:alert(1)'), "
        "('acme', date '2026-03-02', timestamp '2026-03-02 12:00', 'x', '1500000000000000004', 'reply', true, "
        "'negative', 'anger', false, true, false, 0.01, 0.94, ?, null)) "
        "as t(brand_id, created_date, created_at_utc, platform, interaction_id, interaction_type, is_audience, "
        "sentiment_label, emotion_label, is_question, is_complaint, is_praise, p_positive, p_negative, message_text, "
        "permalink)",
        [long_text, long_text],
    )
    return Warehouse(con)


def test_moments_quote_messages_escaped_and_cut_with_the_exports_permalink_first(tmp_path: Path) -> None:
    wh = _moments_warehouse(tmp_path / "moments.duckdb")
    shown = moments_html(ReportContext(wh, wh.brand_profile("acme"), FIXTURE_PERIOD, {}))
    assert '<q class="message">&lt;b&gt;Love&lt;/b&gt; the new bikes &amp; the shop</q>' in shown
    assert 'href="https://x.com/rider/status/1500000000000000001"' in shown  # the export's permalink
    assert 'href="https://x.com/i/web/status/1500000000000000002"' in shown  # none given: built from the X id
    assert "javascript:" not in shown and "no public link for Instagram" in shown  # only a web address is a link
    assert "Refund [email] please" in shown
    assert shown.count(message_excerpt("Where is my parcel? " * 30)) == 1  # the same text twice shows once
    assert "Mention on X at 09:00 UTC (joy, praise)" in shown


def test_a_long_message_is_cut_at_a_word_and_blank_text_is_none() -> None:
    assert MESSAGE_CHARS == 280  # 14 times the 20 characters below: the cut falls on a space
    assert message_excerpt("Where is my parcel? " * 30) == ("Where is my parcel? " * 14).strip() + "…"
    assert message_excerpt(" \n ") is None and message_excerpt(None) is None
    assert message_excerpt("short\nand sweet") == "short and sweet"
    assert public_link("x", "123", False, "https://x.com/a/status/123") == "https://x.com/a/status/123"
    assert public_link("x", "123", False, "ftp://x/123") == "https://x.com/i/web/status/123"
