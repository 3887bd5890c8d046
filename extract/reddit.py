"""Reddit: posts by the brand's accounts, posts that mention the brand, posts in configured subreddits, and their
comment trees.

Endpoints (an app-only OAuth token from ``/api/v1/access_token`` with the app's client id and secret):
``/user/:name/submitted``, ``/search?q=…&sort=new&type=link`` per search term and ``/r/:sub/new`` per subreddit,
newest first until the last run minus the look-back; for each post on a page, ``/comments/:id`` (the post and its
comment tree) and ``/api/morechildren`` for the comments folded behind "load more". Listings and comment trees are
landed as they came; the ``reddit_api`` reader takes both.

Limits: one window per client, ``x-ratelimit-remaining`` and ``x-ratelimit-reset`` (seconds until the window ends, not
a time). Each listing (a brand account, a search term, a subreddit) is a stream of its own: a private or banned
subreddit (403) or a missing user (404) fails alone.
"""

from __future__ import annotations

from typing import Any

from extract.config import Account, ExtractSetup
from extract.extraction import Extraction, segment
from extract.limits import LimitPolicy, RateLimitHeaders

CLIENT_ID_VARIABLE = "ROR_REDDIT_CLIENT_ID"
CLIENT_SECRET_VARIABLE = "ROR_REDDIT_CLIENT_SECRET"
CREDENTIALS = (CLIENT_ID_VARIABLE, CLIENT_SECRET_VARIABLE)
_PAGING = {"token_path": "data.after", "token_param": "after", "records_path": "data.children"}
_MORE_PER_REQUEST = 100
LIMITS = LimitPolicy(RateLimitHeaders("x-ratelimit-remaining", "x-ratelimit-reset", reset_is_delay=True))


def _token_auth(setup: ExtractSetup, session):
    from dlt.sources.helpers.rest_client.auth import OAuth2ClientCredentials

    class RedditAppAuth(OAuth2ClientCredentials):
        """Reddit wants the app's id and secret as HTTP basic auth on the token request, not in the form."""

        def build_access_token_request(self) -> dict[str, Any]:
            return {"auth": (self.client_id, self.client_secret), "data": {"grant_type": "client_credentials"}}

    return RedditAppAuth(
        access_token_url=setup.config.reddit.token_url,
        client_id=setup.secrets.get(CLIENT_ID_VARIABLE),
        client_secret=setup.secrets.get(CLIENT_SECRET_VARIABLE),
        session=session,
    )


def listings(setup: ExtractSetup, accounts: list[Account]) -> list[tuple[str, str, tuple[str, ...], dict[str, Any]]]:
    """(stream name, cursor key, path segments, params) of every listing to read. Names and terms stay values: each
    is one encoded path segment or a query parameter, never spliced into the path."""
    users = [(account, str(account.handle or account.account_id)) for account in accounts]
    found = [(f"user u/{name}", account.key, ("user", name, "submitted"), {}) for account, name in users]
    found += [
        (f"search {term!r}", f"search_{term}", ("search",), {"q": term, "sort": "new", "type": "link"})
        for term in setup.config.reddit.search_terms
    ]
    found += [(f"subreddit r/{name}", f"r_{name}", ("r", name, "new"), {}) for name in setup.config.reddit.subreddits]
    return found


def extract(setup: ExtractSetup, extraction: Extraction, accounts: list[Account]) -> None:
    settings = setup.config.reddit
    client = extraction.client(settings.base_url, user_agent=settings.user_agent)
    client.auth = _token_auth(setup, client.session)
    for name, key, segments, params in listings(setup, accounts):
        with extraction.stream(name):
            path = "/".join(segment(part) for part in segments)
            _listing(extraction, client, key, path, params, settings.comment_limit)


def _listing(extraction: Extraction, client, key: str, path: str, params: dict[str, Any], comment_limit: int) -> None:
    since = extraction.since(extraction.watermark(key, "posts")).timestamp()

    def comment_trees(document: Any) -> None:
        for post in (document.get("data") or {}).get("children") or []:
            data = post.get("data") or {}
            if post.get("kind") == "t3" and data.get("created_utc", 0) >= since:
                _comment_tree(extraction, client, key, data["id"], comment_limit)

    def newer_than_since(document: Any) -> bool:
        created = [child.get("data", {}).get("created_utc", 0) for child in document["data"].get("children", [])]
        return bool(created) and min(created) >= since

    posts = extraction.paged(
        client,
        key,
        "posts",
        path,
        {"limit": 100, "raw_json": 1, **params},
        keep_going=newer_than_since,
        on_page=comment_trees,
        **_PAGING,
    )
    if posts.complete:
        extraction.finish(key, "posts", posts.started_at)


def _comment_tree(extraction: Extraction, client, key: str, post_id: str, limit: int) -> None:
    """The post's comment tree, then every comment folded behind a "more" stub, as long as the budget allows."""
    response = extraction.single(client, f"comments/{segment(post_id)}", {"sort": "new", "limit": limit, "raw_json": 1})
    tree = response.json()
    extraction.land(key, "comments", response, _count_comments(tree))
    folded = _folded(tree)
    asked: set[str] = set()
    while folded:
        batch, folded = folded[:_MORE_PER_REQUEST], folded[_MORE_PER_REQUEST:]
        asked.update(batch)
        response = extraction.single(
            client,
            "api/morechildren",
            {"link_id": f"t3_{post_id}", "children": ",".join(batch), "api_type": "json", "raw_json": 1},
        )
        things = ((response.json().get("json") or {}).get("data") or {}).get("things") or []
        extraction.land(key, "comments", response, sum(thing.get("kind") == "t1" for thing in things))
        folded += [
            child
            for thing in things
            if thing.get("kind") == "more"
            for child in thing["data"].get("children", [])
            if child not in asked and child not in folded
        ]


def _walk(node: Any):
    if isinstance(node, list):
        for item in node:
            yield from _walk(item)
    elif isinstance(node, dict):
        if node.get("kind") in ("t1", "t3", "more"):
            yield node
        for value in (node.get("data") or {}).values() if "kind" in node else node.values():
            if isinstance(value, dict | list):
                yield from _walk(value)


def _count_comments(tree: Any) -> int:
    return sum(thing["kind"] == "t1" for thing in _walk(tree))


def _folded(tree: Any) -> list[str]:
    """Ids of the comments "more" stubs stand for (a stub with none is the "continue this thread" link)."""
    return [child for thing in _walk(tree) if thing["kind"] == "more" for child in thing["data"].get("children", [])]
