"""X API v2: the brand account's posts, its mentions (replies to it are mentions too) and the quote tweets of its posts.

Endpoints (app-only bearer token): ``GET /2/users/by/username/:handle`` once to learn the account id,
``GET /2/users/:id/tweets`` (posts, from the last run minus the look-back so public_metrics stay fresh),
``GET /2/users/:id/mentions`` (since the newest mention already read: mentions are new tweets, nothing to re-read) and
``GET /2/tweets/:id/quote_tweets`` for each post on a page whose quote_count is above zero. Each response is landed as
it came; the ``x_api_v2`` reader takes it like a twarc2 page.

Limits: each endpoint's 15-minute window (``x-rate-limit-remaining``, ``x-rate-limit-reset`` as a Unix time); on
pay-per-use, every post read is billed, so reads are counted against ``extract.x.monthly_post_budget``; an answer that
the credits or the plan's usage cap are spent stops the platform with that said.
"""

from __future__ import annotations

from typing import Any

import requests

from extract.config import Account, ExtractSetup
from extract.extraction import ExtractError, Extraction, segment
from extract.limits import LimitPolicy, RateLimitHeaders

TOKEN_VARIABLE = "ROR_X_BEARER_TOKEN"
CREDENTIALS = (TOKEN_VARIABLE,)

_FIELDS = {
    "tweet.fields": "attachments,author_id,context_annotations,conversation_id,created_at,edit_history_tweet_ids,"
    "entities,in_reply_to_user_id,lang,public_metrics,referenced_tweets,reply_settings",
    "expansions": "author_id,in_reply_to_user_id,referenced_tweets.id,referenced_tweets.id.author_id,"
    "entities.mentions.username",
    "user.fields": "created_at,description,name,public_metrics,username,verified",
}
_USER_FIELDS = {"user.fields": _FIELDS["user.fields"]}


def x_time(moment) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _problem(response: requests.Response) -> str:
    """The problem X names in an error body (its ``title`` and ``type``), lower-cased; empty when there is none."""
    try:
        body = response.json()
    except ValueError:
        return ""
    if not isinstance(body, dict):
        return ""
    return f"{body.get('title', '')} {body.get('type', '')}".lower()


def _spent(response: requests.Response) -> str | None:
    """Pay-per-use answers that no wait ends: credits used up, or the plan's monthly usage cap reached."""
    if response.status_code < 400:
        return None
    problem = _problem(response)
    if response.status_code == 402 or "creditsdepleted" in problem or "/problems/credits" in problem:
        return (
            f"the X account's pay-per-use credits are spent (HTTP {response.status_code}); buy credits in the X "
            "Developer Console"
        )
    if "usagecapexceeded" in problem or "usage-capped" in problem:
        return (
            f"the X app's monthly usage cap is reached (UsageCapExceeded, HTTP {response.status_code}); it resets "
            "with the billing cycle, or raise the cap in the X Developer Console"
        )
    return None


LIMITS = LimitPolicy(RateLimitHeaders("x-rate-limit-remaining", "x-rate-limit-reset"), spent=_spent, per_endpoint=True)


def billed_reads(document: Any) -> int:
    """Posts on an answer, as pay-per-use bills them: the listed ones and those expanded under ``includes``."""
    if not isinstance(document, dict):
        return 0
    listed = document.get("data")
    expanded = (document.get("includes") or {}).get("tweets") or []
    return (len(listed) if isinstance(listed, list) else 0) + len(expanded)


def extract(setup: ExtractSetup, extraction: Extraction, accounts: list[Account]) -> None:
    settings = setup.config.x
    token = setup.secrets.get(TOKEN_VARIABLE)
    client = extraction.client(settings.base_url, headers={"Authorization": f"Bearer {token}"})
    for account in accounts:
        with extraction.stream(f"account @{account.handle}" if account.handle else f"account {account.account_id}"):
            _account(setup, extraction, client, account)


def _account(setup: ExtractSetup, extraction: Extraction, client, account: Account) -> None:
    settings = setup.config.x
    paging = {"token_path": "meta.next_token", "token_param": "pagination_token", "records_path": "data"}
    user_id = segment(_user_id(extraction, client, account))
    key = account.key

    def quotes_of(document: Any) -> None:
        if not settings.quote_tweets:
            return
        for tweet in document.get("data") or []:
            if (tweet.get("public_metrics") or {}).get("quote_count", 0) > 0:
                extraction.paged(
                    client,
                    key,
                    f"quotes/{tweet['id']}",
                    f"tweets/{segment(tweet['id'])}/quote_tweets",
                    {"max_results": settings.max_results, **_FIELDS},
                    landing_stream="quotes",
                    **paging,
                )
                extraction.finish(key, f"quotes/{tweet['id']}", None)

    posts_since = extraction.since(extraction.watermark(key, "posts"))
    posts = extraction.paged(
        client,
        key,
        "posts",
        f"users/{user_id}/tweets",
        {"max_results": settings.max_results, "start_time": x_time(posts_since), **_FIELDS},
        on_page=quotes_of,
        **paging,
    )
    if posts.complete:
        extraction.finish(key, "posts", posts.started_at)

    since_id = extraction.watermark(key, "mentions")
    window = {"since_id": since_id} if since_id else {"start_time": x_time(extraction.since(None))}
    mentions = extraction.paged(
        client,
        key,
        "mentions",
        f"users/{user_id}/mentions",
        {"max_results": settings.max_results, **window, **_FIELDS},
        newest=lambda document: (document.get("meta") or {}).get("newest_id"),
        **paging,
    )
    if mentions.complete:
        extraction.finish(key, "mentions", mentions.newest)


def _user_id(extraction: Extraction, client, account: Account) -> str:
    """The numeric id; a handle is looked up once (the answer, a user object, is landed as a person)."""
    if account.account_id:
        return account.account_id
    known = extraction.watermark(account.key, "user")
    if known:
        return known
    response = extraction.single(client, f"users/by/username/{segment(account.handle)}", _USER_FIELDS)
    user = response.json().get("data")
    if not user:
        raise ExtractError(f"x: no account @{account.handle}; check its handle in {account.configured_under}")
    extraction.land(account.key, "users", response, 1)
    user_id = str(user["id"])
    extraction.finish(account.key, "user", user_id)
    return user_id
