"""The platforms' limits: each one's rate-limit headers honoured (and requests paced by what is left), quota, credit
and usage-cap answers told apart from rate limits and from refused credentials, and X's monthly post budget."""

from __future__ import annotations

import json
import time
from datetime import timedelta

from werkzeug import Request, Response

from extract.config import Account
from tests.extract.test_platforms import (
    CHANNEL,
    HANDLE,
    REDDIT_SECRETS,
    YOUTUBE_KEY,
    bluesky_api,
    reddit_api,
    run,
    youtube_api,
)
from tests.extract.test_x import MENTIONS, POSTS, TOKEN, run_x
from tests.support.api_replay import RUN_AT


class Window:
    """A rate-limit window that ends ``seconds`` after its first request: until then every request gets a 429 with
    ``headers(seconds_left, reset_time)``, then the recorded pages."""

    def __init__(self, replay, path: str, seconds: float, headers) -> None:
        self.replay, self.path, self.seconds, self.headers = replay, path, seconds, headers
        self.ends_at: float | None = None
        self.limited = 0

    def __call__(self, request: Request) -> Response:
        now = time.time()
        self.ends_at = self.ends_at or now + self.seconds
        if now < self.ends_at:
            self.limited += 1
            return Response("{}", status=429, headers=self.headers(self.ends_at - now, self.ends_at))
        token = request.args.get(self.replay.token_params.get(self.path, ""))
        return Response(json.dumps(self.replay.routes[self.path][token]), content_type="application/json")


def recording_pause(waits: list[float]):
    def pause(seconds: float) -> None:
        waits.append(seconds)
        time.sleep(seconds)

    return pause


# ------------------------------------------------------------------------------------------------ rate-limit headers


def test_reddit_reset_is_seconds_until_the_window_ends(httpserver, replay, tmp_path):
    reddit_api(replay)
    window = Window(
        replay,
        "/reddit/r/acme/new",
        2,
        lambda left, _: {"x-ratelimit-remaining": "0", "x-ratelimit-used": "100", "x-ratelimit-reset": f"{left:.0f}"},
    )
    replay.handlers["/reddit/r/acme/new"] = window
    waits: list[float] = []
    report = run(httpserver, tmp_path, "reddit", [], REDDIT_SECRETS, {"subreddits": ["acme"]}, recording_pause(waits))

    assert report.status == "ok", report.message
    assert window.limited == 1 and waits == [2]  # waited the 2 s the header said, then read on


def test_bluesky_reset_is_a_unix_time(httpserver, replay, tmp_path):
    bluesky_api(replay)
    path = "/bluesky/app.bsky.feed.getAuthorFeed"
    window = Window(
        replay, path, 2, lambda _, ends_at: {"ratelimit-remaining": "0", "ratelimit-reset": str(int(ends_at) + 1)}
    )
    replay.handlers[path] = window
    waits: list[float] = []
    accounts = [Account("acme", "bluesky", None, HANDLE)]
    report = run(httpserver, tmp_path, "bluesky", accounts, {}, pause=recording_pause(waits))

    assert report.status == "ok", report.message
    assert window.limited == 1 and len(waits) == 1 and 1 <= waits[0] <= 4


def test_requests_wait_for_the_window_when_none_are_left(httpserver, x_api, tmp_path):
    """X says on a page that no request is left on that endpoint until its reset: the next one waits, no 429."""
    first_page = x_api.routes[MENTIONS][None]
    answered: list[int] = []
    ends_at = {}

    def mentions(request: Request) -> Response:
        token = request.args.get("pagination_token")
        if token is None:
            ends_at["time"] = int(time.time()) + 2
            headers = {"x-rate-limit-remaining": "0", "x-rate-limit-reset": str(ends_at["time"])}
            answered.append(200)
            return Response(json.dumps(first_page), headers=headers, content_type="application/json")
        status = 429 if time.time() < ends_at["time"] else 200
        answered.append(status)
        body = json.dumps(x_api.routes[MENTIONS][token]) if status == 200 else "{}"
        return Response(body, status=status, content_type="application/json")

    x_api.handlers[MENTIONS] = mentions
    waits: list[float] = []
    report = run_x(httpserver, tmp_path, pause=recording_pause(waits))

    assert report.status == "ok", report.message
    assert 429 not in answered and len(waits) == 1 and 0 < waits[0] <= 3
    assert report.requests == 5  # paced, never refused: no retry spent


def test_a_window_that_ends_after_the_longest_wait_stops_the_platform_at_once(httpserver, x_api, tmp_path):
    reset = int(time.time()) + 900  # X's 15-minute window
    x_api.fail(MENTIONS, 429, {"x-rate-limit-remaining": "0", "x-rate-limit-reset": str(reset)})
    waits: list[float] = []
    report = run_x(httpserver, tmp_path, pause=recording_pause(waits), max_retry_delay_seconds=60)

    assert report.status == "limited" and "still rate limited on users/" in report.message
    assert "next run resumes" in report.message and "stopped at account @AcmeCoffee" in report.message
    assert waits == [] and len(x_api.requests_to(MENTIONS)) == 1


# ------------------------------------------------------------------------------------------------ quotas, credits, caps


def youtube_error(reason: str) -> dict:
    return {"error": {"code": 403, "message": "The request cannot be completed.", "errors": [{"reason": reason}]}}


def test_youtube_quota_exceeded_is_a_spent_quota_not_bad_credentials(httpserver, replay, tmp_path):
    youtube_api(replay)
    replay.fail("/youtube/channels", 403, body=youtube_error("quotaExceeded"))
    accounts = [Account("acme", "youtube", CHANNEL, None), Account("acme", "youtube", "UCother", None)]
    report = run(httpserver, tmp_path, "youtube", accounts, YOUTUBE_KEY)

    assert report.status == "limited"
    assert "daily YouTube quota is spent (quotaExceeded)" in report.message and "credentials" not in report.message
    assert len(replay.requests_to("/youtube/channels")) == 1  # not retried, and the other channel not tried


def test_youtube_rate_limit_exceeded_is_retried(httpserver, replay, tmp_path):
    youtube_api(replay)
    replay.fail("/youtube/commentThreads", 403, body=youtube_error("rateLimitExceeded"))
    report = run(httpserver, tmp_path, "youtube", [Account("acme", "youtube", CHANNEL, None)], YOUTUBE_KEY)

    assert report.status == "ok", report.message
    assert len(replay.requests_to("/youtube/commentThreads")) == 3  # the refused try, then both pages

    replay.fail("/youtube/commentThreads", 403, body=youtube_error("rateLimitExceeded"), times=3)  # every try
    report = run(httpserver, tmp_path, "youtube", [Account("acme", "youtube", CHANNEL, None)], YOUTUBE_KEY)
    assert report.status == "limited" and "still rate limited on commentThreads" in report.message


def test_x_usage_cap_and_spent_credits_get_their_own_messages(httpserver, x_api, tmp_path):
    capped = {
        "title": "UsageCapExceeded",
        "detail": "Usage cap exceeded: Monthly product cap",
        "type": "https://api.twitter.com/2/problems/usage-capped",
    }
    x_api.fail(POSTS, 429, body=capped)
    report = run_x(httpserver, tmp_path)
    assert report.status == "limited" and "monthly usage cap is reached (UsageCapExceeded" in report.message
    assert len(x_api.requests_to(POSTS)) == 1  # no wait ends a cap: not retried

    depleted = {"title": "CreditsDepleted", "type": "https://api.twitter.com/2/problems/credits"}
    x_api.fail(POSTS, 402, body=depleted)
    report = run_x(httpserver, tmp_path)
    assert report.status == "limited" and "pay-per-use credits are spent" in report.message
    assert TOKEN not in report.message


# ------------------------------------------------------------------------------------------------ X's post budget


def test_x_reads_stop_at_the_monthly_post_budget_with_reads_and_cost_in_the_summary(httpserver, x_api, tmp_path):
    budget = {"monthly_post_budget": 7, "price_per_post_usd": 0.01}
    lines: list[str] = []
    first = run_x(httpserver, tmp_path, lines=lines, x=budget)

    # the posts page (3 posts) and its quote tweets (4): the mentions would go over the budget
    assert first.status == "budget_exhausted" and "monthly budget of 7 posts is spent" in first.message
    assert "extract.x.monthly_post_budget" in first.message and "stopped at account @AcmeCoffee" in first.message
    assert (first.reads, first.reads_this_month, first.estimated_cost_usd) == (7, 7, 0.07)
    assert x_api.requests_to(MENTIONS) == []
    assert lines[-1].endswith("; 7 posts read, 7 of 7 this month (about $0.07)")

    x_api.seen.clear()
    same_month = run_x(httpserver, tmp_path, x=budget)
    assert same_month.status == "budget_exhausted" and same_month.requests == 0 and same_month.reads_this_month == 7

    next_month = run_x(httpserver, tmp_path, now=RUN_AT + timedelta(days=31), x=budget | {"monthly_post_budget": 100})
    assert next_month.status == "ok" and next_month.reads_this_month == next_month.reads == 14  # a new month's count


def test_reads_are_counted_for_x_only(httpserver, replay, tmp_path):
    bluesky_api(replay)
    report = run(httpserver, tmp_path, "bluesky", [Account("acme", "bluesky", None, HANDLE)], {})
    assert report.status == "ok" and report.read_budget == 0 and "posts read" not in report.line()
