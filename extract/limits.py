"""The platforms' limits: rate-limit windows read from each API's own headers, requests paced by what is left of a
window, and quota, credit and usage-cap answers told apart from rate limits (waiting does not end those).

Below dlt's retries (which back off on 5xx and dropped connections), every HTTP attempt passes through ``Throttle``:

* before sending, when the last answer from that endpoint said nothing is left of its window, it waits for the reset;
* a rate-limited answer (429, or what the platform's ``throttled`` says) is retried after ``Retry-After``, else the
  reset the platform's headers announce, else exponential backoff, up to ``max_attempts`` tries;
* an answer that ``spent`` explains (a daily quota, credits, a usage cap) is returned at once: the run stops that
  platform with the explanation, and the next run resumes where it stopped.

A wait longer than ``max_retry_delay_seconds`` is not waited for: the platform stops with the time its window ends.
Every wait goes through ``Extraction.wait``, which the warehouse assets turn into a wait without the warehouse lock.
"""

from __future__ import annotations

import math
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any

import requests
import requests.adapters

if TYPE_CHECKING:
    from extract.extraction import Extraction


@dataclass(frozen=True)
class RateLimitHeaders:
    """Where an API says how much of its rate-limit window is left and when the window resets."""

    remaining: str
    reset: str
    reset_is_delay: bool = False  # Reddit: seconds until the reset; X and Bluesky: a Unix time

    def window(self, response: requests.Response, now: float) -> tuple[float | None, float | None]:
        """(requests left, seconds until the reset), each None when the answer does not say."""
        return _number(response.headers.get(self.remaining)), self._reset_in(response, now)

    def _reset_in(self, response: requests.Response, now: float) -> float | None:
        reset = _number(response.headers.get(self.reset))
        if reset is None:
            return None
        return max(0.0, reset if self.reset_is_delay else reset - now)


def _never(response: requests.Response) -> str | None:
    return None


def _too_many_requests(response: requests.Response) -> bool:
    return response.status_code == 429


@dataclass(frozen=True)
class LimitPolicy:
    """A platform's limits. ``spent(response)`` explains an answer saying a quota, credit or usage cap is used up
    (None otherwise); ``throttled(response)`` says the answer is a rate limit worth waiting out; ``per_endpoint``:
    each endpoint has its own window (X), not one per client (Reddit, Bluesky)."""

    headers: RateLimitHeaders | None = None
    spent: Callable[[requests.Response], str | None] = _never
    throttled: Callable[[requests.Response], bool] = _too_many_requests
    per_endpoint: bool = False


class RateLimited(Exception):
    """Waiting for a rate-limit window is not possible now (too long, or not without holding the warehouse)."""


@dataclass
class _Window:
    remaining: float
    resets_at: float | None  # as time.time() counts; None when the answer did not say


@dataclass
class Throttle:
    extraction: Extraction
    policy: LimitPolicy
    windows: dict[str, _Window] = field(default_factory=dict)

    def install(self, adapter: requests.adapters.HTTPAdapter) -> None:
        """At the transport, below dlt's retries (request hooks would be replaced by the REST client's own)."""
        send = adapter.send

        def send_throttled(request: requests.PreparedRequest, *args: Any, **kwargs: Any) -> requests.Response:
            return self.send(lambda: send(request, *args, **kwargs), _endpoint(request.path_url, self.policy))

        adapter.send = send_throttled

    def send(self, send: Callable[[], requests.Response], endpoint: str) -> requests.Response:
        config = self.extraction.config
        for attempt in range(1, config.max_attempts + 1):
            self._pace(endpoint)
            self.extraction.budget.used += 1
            response = send()
            self._observe(endpoint, response)
            if self.policy.spent(response) is not None or not self.policy.throttled(response):
                return response
            delay = self._retry_delay(response, attempt)
            if attempt == config.max_attempts or delay > config.max_retry_delay_seconds:
                return response
            self.extraction.wait(delay, f"rate limited on {endpoint}")
        raise AssertionError("unreachable: the last attempt returns")

    def _pace(self, endpoint: str) -> None:
        window = self.windows.get(endpoint)
        if window is None or window.remaining > 0 or window.resets_at is None:
            return
        delay = window.resets_at - time.time()
        if delay > self.extraction.config.max_retry_delay_seconds:
            raise RateLimited(f"no requests left on {endpoint} until {clock(window.resets_at)}")
        if delay > 0:
            self.extraction.wait(delay, f"no requests left on {endpoint} until the window resets")
        self.windows.pop(endpoint)

    def _observe(self, endpoint: str, response: requests.Response) -> None:
        if self.policy.headers is None:
            return
        now = time.time()
        remaining, reset_in = self.policy.headers.window(response, now)
        if remaining is not None:
            self.windows[endpoint] = _Window(remaining, None if reset_in is None else now + reset_in)

    def _retry_delay(self, response: requests.Response, attempt: int) -> float:
        retry_after = _retry_after(response.headers.get("Retry-After"))
        if retry_after is not None:
            return retry_after
        window = self.policy.headers.window(response, time.time())[1] if self.policy.headers else None
        if window is not None:
            return max(1.0, math.ceil(window))
        return self.extraction.config.backoff_seconds * 2 ** (attempt - 1)


def _endpoint(path_url: str, policy: LimitPolicy) -> str:
    """The rate-limit window an answer belongs to: the path without its query and ids (X), or the whole client."""
    if not policy.per_endpoint:
        return "every endpoint"
    return re.sub(r"/\d+(?=/|$)", "/:id", path_url.split("?", 1)[0])


def _number(value: str | None) -> float | None:
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


def _retry_after(value: str | None) -> float | None:
    """``Retry-After`` in seconds or as an HTTP date."""
    if not value:
        return None
    seconds = _number(value.strip())
    if seconds is None:
        try:
            seconds = parsedate_to_datetime(value).timestamp() - time.time()
        except (TypeError, ValueError):
            return None
    return max(0.0, seconds)


def clock(moment: float) -> str:
    return datetime.fromtimestamp(moment, UTC).strftime("%H:%M:%S UTC")
