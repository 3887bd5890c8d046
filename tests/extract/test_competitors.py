"""Competitors' accounts (brands[].competitors) are pulled like the brand's own: the same streams, into the landing
folder, where ingest reads them; each account once, and not at all with ``extract.competitors: false``."""

from __future__ import annotations

import json

import yaml
from werkzeug import Response

from extract.config import Account, load_extract_setup
from extract.landing import EXTRACT_FOLDER
from extract.run import run_extractor
from ingest.pipeline import ingest_paths
from ingest.warehouse import ensure_raw_schema
from tests.support.api_replay import RUN_AT, make_setup, twarc_pages

OWN = Account("acme", "x", "1500000000000000001", "AcmeCoffee")
RIVAL_ID = "1500000000000000009"
RIVAL = Account("acme", "x", None, "RivalRoasters", competitor_id="rival")  # by handle: its id is looked up once


def _document(**extract) -> dict:
    return {
        "brands": [
            {
                "id": "acme",
                "name": "Acme",
                "accounts": [{"platform": "x", "account_id": OWN.account_id, "handle": OWN.handle}],
                "competitors": [
                    {"id": "rival", "name": "Rival", "accounts": [{"platform": "x", "handle": "RivalRoasters"}]},
                    {"id": "bolt", "name": "Bolt", "accounts": [{"platform": "x", "handle": "BoltCoffee"}]},
                    {"id": "tv", "name": "TV ads", "accounts": [{"platform": "linkedin", "handle": "tvads"}]},
                ],
            },
            {
                "id": "bolt",
                "name": "Bolt",
                "accounts": [{"platform": "x", "handle": "boltcoffee"}],
                "competitors": [
                    {"id": "rival", "name": "Rival", "accounts": [{"platform": "x", "handle": "rivalroasters"}]}
                ],
            },
        ],
        **({"extract": extract} if extract else {}),
    }


def test_competitor_accounts_are_pulled_once_after_the_brands_own(tmp_path):
    path = tmp_path / "ror.yaml"
    path.write_text(yaml.safe_dump(_document()))

    assert load_extract_setup(path, environ={}).accounts == (
        OWN,
        Account("bolt", "x", None, "boltcoffee"),
        # Bolt is also a brand here (pulled as its own), Rival is tracked by two brands (pulled once), LinkedIn has
        # no extractor
        RIVAL,
    )

    path.write_text(yaml.safe_dump(_document(competitors=False)))
    assert load_extract_setup(path, environ={}).accounts == (OWN, Account("bolt", "x", None, "boltcoffee"))


def test_a_competitors_posts_and_mentions_are_pulled_and_ingested_like_the_brands(
    httpserver, replay, tmp_path, working_db
):
    mentions = twarc_pages("x_twitter_v2/mentions_tweet.jsonl")
    posts = twarc_pages("x_twitter_v2/two_tweets.jsonl")
    for user in (OWN.account_id, RIVAL_ID):
        replay.pages(f"/x/users/{user}/mentions", mentions, "pagination_token", lambda page, token: None)
        replay.pages(f"/x/users/{user}/tweets", posts, "pagination_token", lambda page, token: None)
    replay.handlers["/x/users/by/username/RivalRoasters"] = lambda request: Response(
        json.dumps({"data": {"id": RIVAL_ID, "username": "RivalRoasters", "name": "Rival Roasters"}}),
        content_type="application/json",
    )
    setup = make_setup(httpserver, {"x": {"quote_tweets": False}}, [OWN, RIVAL], {"ROR_X_BEARER_TOKEN": "t"})
    landing = tmp_path / "landing"

    report = run_extractor(setup, "x", landing_dir=landing, now=RUN_AT, log=lambda line: None)

    assert report.status == "ok", report.message
    for user in (OWN.account_id, RIVAL_ID):  # the same streams for both
        assert len(replay.requests_to(f"/x/users/{user}/mentions")) == 1
        assert len(replay.requests_to(f"/x/users/{user}/tweets")) == 1
    rival_folder = landing / EXTRACT_FOLDER / "x" / "RivalRoasters"
    assert sorted(path.name for path in rival_folder.iterdir()) == ["mentions", "posts", "users"]

    ensure_raw_schema(working_db)
    reports = ingest_paths([rival_folder], landing_root=landing, con=working_db, batch_id="t")
    assert reports and all(r.status == "loaded" and r.rows_quarantined == 0 for r in reports)
    assert working_db.execute("select count(*) from raw.interactions").fetchone()[0] > 0
