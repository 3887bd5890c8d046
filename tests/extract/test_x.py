"""The X extractor against a local server replaying recorded X API v2 responses."""

from __future__ import annotations

import time

from extract.config import Account
from extract.landing import EXTRACT_FOLDER
from extract.run import run_extractor
from ingest.pipeline import ingest_paths
from ingest.warehouse import ensure_raw_schema
from tests.support.api_replay import RUN_AT, make_setup, twarc_pages

USER = "1500000000000000001"
TOKEN = "recorded-token-value-123"
ACCOUNT = Account("acme", "x", USER, "AcmeCoffee")
MENTIONS = f"/x/users/{USER}/mentions"
POSTS = f"/x/users/{USER}/tweets"
QUOTES = "/x/tweets/1576994789110992896/quote_tweets"


def _next_token(page, token):
    page.setdefault("meta", {})["next_token"] = token


def mention_pages() -> list[dict]:
    pages = twarc_pages("x_twitter_v2/mentions_tweet.jsonl") + twarc_pages("x_twitter_v2/cotweet.jsonl")
    pages += twarc_pages("x_twitter_v2/two_tweets.jsonl")
    pages[0]["meta"] = {"newest_id": "1589681856941002753", "result_count": 1}
    return pages


def run_x(httpserver, tmp_path, environ=None, lines=None, accounts=(ACCOUNT,), now=RUN_AT, pause=time.sleep, **config):
    setup = make_setup(
        httpserver,
        {"x": config.pop("x", {})},
        list(accounts),
        {"ROR_X_BEARER_TOKEN": TOKEN} if environ is None else environ,
        **config,
    )
    log = lines.append if lines is not None else lambda line: None
    return run_extractor(setup, "x", landing_dir=tmp_path / "landing", now=now, log=log, pause=pause)


def landed(tmp_path) -> list:
    return sorted((tmp_path / "landing" / EXTRACT_FOLDER).rglob("*"))


def landed_files(tmp_path) -> list:
    return [path for path in landed(tmp_path) if path.is_file() and path.suffix == ".json"]


def test_paginates_to_the_end_and_lands_pages_ingest_reads(httpserver, x_api, tmp_path, working_db):
    report = run_x(httpserver, tmp_path)

    assert report.status == "ok", report.message
    assert len(x_api.requests_to(MENTIONS)) == 3  # every page, to the last one without a next_token
    assert [args.get("pagination_token") for args in x_api.requests_to(MENTIONS)] == [None, "page2", "page3"]
    assert len(x_api.requests_to(QUOTES)) == 1  # the post's quote_count was 2
    assert (report.pages, report.pages_landed, report.records, report.requests) == (5, 5, 5, 5)
    assert not [path for path in landed(tmp_path) if path.name.endswith(".part")]  # no temporary file left behind

    ensure_raw_schema(working_db)
    reports = ingest_paths([tmp_path / "landing"], landing_root=tmp_path / "landing", con=working_db, batch_id="t")
    assert {r.detected_format for r in reports} == {"x_api_v2"}
    assert all(r.status == "loaded" and r.rows_quarantined == 0 for r in reports)
    ids = {row[0] for row in working_db.execute("select interaction_id from raw.interactions").fetchall()}
    assert {"1589681856941002753", "1577318900085186562", "1394735776701816833"} <= ids


def test_the_bearer_token_travels_in_a_header_and_is_never_landed_or_logged(httpserver, x_api, tmp_path):
    lines: list[str] = []
    run_x(httpserver, tmp_path, lines=lines)

    assert all(headers.get("Authorization") == f"Bearer {TOKEN}" for _, _, headers in x_api.seen)
    assert all(TOKEN not in str(args) for _, args, _ in x_api.seen)
    assert all(TOKEN.encode() not in path.read_bytes() for path in landed_files(tmp_path))
    assert lines and all(TOKEN not in line for line in lines)


def test_a_429_waits_as_long_as_retry_after_says_then_goes_on(httpserver, x_api, tmp_path):
    x_api.fail(MENTIONS, 429, {"Retry-After": "1"})
    started = time.monotonic()
    report = run_x(httpserver, tmp_path)

    assert report.status == "ok", report.message
    assert time.monotonic() - started >= 1  # backoff_seconds is 0: only Retry-After can make it wait
    assert len(x_api.requests_to(MENTIONS)) == 4
    assert report.requests == 6 and report.pages_landed == 5


def test_a_429_with_only_x_rate_limit_reset_waits_for_the_window(httpserver, x_api, tmp_path):
    x_api.fail(MENTIONS, 429, {"x-rate-limit-reset": str(int(time.time()) + 2), "x-rate-limit-remaining": "0"})
    started = time.monotonic()
    report = run_x(httpserver, tmp_path)

    assert report.status == "ok", report.message
    assert time.monotonic() - started >= 1  # X sends no Retry-After; its reset time stands in for it
    assert len(x_api.requests_to(MENTIONS)) == 4


def test_a_500_is_retried_then_succeeds(httpserver, x_api, tmp_path):
    x_api.fail(POSTS, 500)
    report = run_x(httpserver, tmp_path)

    assert report.status == "ok", report.message
    assert len(x_api.requests_to(POSTS)) == 2 and report.pages_landed == 5


def test_an_expired_token_says_which_variable_to_set(httpserver, x_api, tmp_path):
    x_api.fail(POSTS, 401)
    report = run_x(httpserver, tmp_path)

    assert report.status == "failed"
    assert "HTTP 401" in report.message and "ROR_X_BEARER_TOKEN" in report.message
    assert len(x_api.requests_to(POSTS)) == 1  # a refused token is not retried
    assert landed_files(tmp_path) == []


def test_without_a_token_the_extractor_is_skipped_with_the_variable_to_set(httpserver, x_api, tmp_path):
    lines: list[str] = []
    report = run_x(httpserver, tmp_path, environ={}, lines=lines)

    assert report.status == "skipped" and x_api.seen == []
    assert lines == [
        "x: skipped: set ROR_X_BEARER_TOKEN (environment or extract.secrets_file) to enable it; "
        "0 pages (0 new), 0 records, 0 requests"
    ]


def test_an_empty_page_lands_nothing(httpserver, replay, tmp_path):
    replay.pages(MENTIONS, [{"meta": {"result_count": 0}}], "pagination_token", _next_token)
    replay.pages(POSTS, [{"meta": {"result_count": 0}}], "pagination_token", _next_token)
    report = run_x(httpserver, tmp_path)

    assert report.status == "ok" and (report.pages, report.pages_landed, report.records) == (2, 0, 0)
    assert landed_files(tmp_path) == []


def test_a_second_run_fetches_only_what_is_new(httpserver, x_api, tmp_path):
    run_x(httpserver, tmp_path)
    first = landed_files(tmp_path)
    x_api.routes[MENTIONS] = {None: {"meta": {"result_count": 0}}}  # the API has nothing after since_id
    x_api.routes[POSTS] = {None: {"meta": {"result_count": 0}}}
    x_api.seen.clear()
    report = run_x(httpserver, tmp_path)

    assert report.status == "ok" and report.pages_landed == 0 and landed_files(tmp_path) == first
    assert len(x_api.requests_to(MENTIONS)) == 1
    mentions_args = x_api.requests_to(MENTIONS)[0]
    assert mentions_args["since_id"] == "1589681856941002753"  # the newest mention the first run read
    assert mentions_args.get("pagination_token") is None
    assert x_api.requests_to(POSTS)[0]["start_time"] == "2026-11-01T00:00:00Z"  # the first run's start, no look-back


def test_the_look_back_reaches_before_the_last_run(httpserver, x_api, tmp_path):
    run_x(httpserver, tmp_path, look_back_hours=48)
    x_api.seen.clear()
    run_x(httpserver, tmp_path, look_back_hours=48)

    assert x_api.requests_to(POSTS)[0]["start_time"] == "2026-10-30T00:00:00Z"


def test_a_run_stopped_mid_way_resumes_at_the_next_page_without_gaps_or_duplicates(httpserver, x_api, tmp_path):
    # page 3 of the mentions keeps failing: the run gives up after its retries, as a killed run would stop
    original = x_api.routes[MENTIONS].pop("page3")
    stopped = run_x(httpserver, tmp_path)
    assert stopped.status == "failed"
    after_first = landed_files(tmp_path)

    x_api.routes[MENTIONS]["page3"] = original
    x_api.seen.clear()
    resumed = run_x(httpserver, tmp_path)

    assert resumed.status == "ok", resumed.message
    assert [args.get("pagination_token") for args in x_api.requests_to(MENTIONS)] == ["page3"]
    assert "since_id" not in x_api.requests_to(MENTIONS)[0]  # the interrupted pass keeps its own parameters
    assert len(landed_files(tmp_path)) == len(after_first) + 1 == 5


def test_the_request_budget_stops_a_run_that_the_next_run_finishes(httpserver, x_api, tmp_path):
    stopped = run_x(httpserver, tmp_path, x={"request_budget": 3})
    assert stopped.status == "budget_exhausted" and "next run resumes" in stopped.message
    assert stopped.requests == 3

    assert [args.get("pagination_token") for args in x_api.requests_to(MENTIONS)] == [None]
    x_api.seen.clear()
    resumed = run_x(httpserver, tmp_path)
    assert resumed.status == "ok"
    assert [args.get("pagination_token") for args in x_api.requests_to(MENTIONS)] == ["page2", "page3"]
    assert len(landed_files(tmp_path)) == 5


def test_a_handle_is_looked_up_once_and_the_user_landed_as_a_person(httpserver, x_api, tmp_path, working_db):
    user = twarc_pages("x_twitter_v2/users.jsonl")[0]["data"][0]
    user["id"] = USER
    x_api.routes["/x/users/by/username/AcmeCoffee"] = {None: {"data": user}}
    handle_only = Account("acme", "x", None, "AcmeCoffee")
    setup = make_setup(httpserver, {}, [handle_only], {"ROR_X_BEARER_TOKEN": TOKEN})
    for _ in range(2):
        report = run_extractor(setup, "x", landing_dir=tmp_path / "landing", now=RUN_AT, log=print)
        assert report.status == "ok", report.message

    assert len(x_api.requests_to("/x/users/by/username/AcmeCoffee")) == 1  # the id is kept with the cursors
    assert len(x_api.requests_to(MENTIONS)) == 6
    ensure_raw_schema(working_db)
    ingest_paths([tmp_path / "landing"], landing_root=tmp_path / "landing", con=working_db, batch_id="t")
    people = working_db.execute("select count(*) from raw.people where person_id = ?", [USER]).fetchone()[0]
    assert people >= 1
