"""One extractor's run: its HTTP client, budgets, state, landed pages, streams and report.

Every request goes through dlt's REST client on dlt's retrying session (pagination by the page token the response
carries, backoff on 5xx and dropped connections, a timeout on every request) and, below it, the platform's
``extract.limits.Throttle`` (rate-limit headers, pacing, quota and usage-cap answers). Credentials travel in headers
only (never in a URL, which ends up in logs and error messages). Paths are built from percent-encoded segments
(``segment``): an id or handle can never add a path segment, a query or another host.

A run is made of streams (an account, a channel, a subreddit, a search query): ``stream(name)`` lets one fail alone,
named in the report, while the others go on. A credential, budget, quota or rate limit that no wait ends stops the
whole platform (every other stream would meet it too).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

import requests

from extract.config import ExtractConfig
from extract.landing import PageWriter
from extract.limits import LimitPolicy, RateLimited, Throttle, clock
from extract.state import ExtractState

USER_AGENT = "ror-warehouse/0.1 (+brand interaction extract)"
# dlt's session retries these; rate limits (429) are the Throttle's, which knows each platform's headers.
_RETRIED_BY_DLT = tuple(range(500, 600))


class ExtractError(RuntimeError):
    """A stream could not go on; the message says what to do."""


class PlatformStopped(ExtractError):
    """Nothing more can be fetched from this platform in this run."""


class CredentialsRejected(PlatformStopped):
    pass


class BudgetExhausted(PlatformStopped):
    pass


class LimitReached(PlatformStopped):
    """A quota, credit or usage cap is spent, or a rate-limit window ends later than this run may wait."""


class StreamRefused(ExtractError):
    """HTTP 403 for one stream: private, banned, or not visible to these credentials."""


def segment(value: str) -> str:
    """One path segment from an id, handle or name, percent-encoded: ``/``, ``?``, ``#`` and ``..`` stay inside it."""
    text = str(value)
    if text in ("", ".", ".."):
        raise ExtractError(f"{text!r} is not a usable id or handle: check brands[].accounts in the configuration file")
    return quote(text, safe="")


@dataclass
class ExtractReport:
    platform: str
    status: str = "ok"  # ok | partial | skipped | budget_exhausted | limited | failed
    message: str = ""
    accounts: int = 0
    streams: int = 0  # accounts, channels, subreddits and queries read
    failed_streams: list[str] = field(default_factory=list)  # "<stream>: <why>", one each
    requests: int = 0  # HTTP requests sent, retries included
    pages: int = 0  # response pages received
    pages_landed: int = 0  # pages written to the landing folder (new content)
    records: int = 0  # items on the pages received
    reads: int = 0  # billed items read by this run (X: posts)
    reads_this_month: int = 0  # ... this calendar month (UTC), this run included
    read_budget: int = 0  # ... allowed per month (0: the platform bills no reads)
    estimated_cost_usd: float = 0.0  # of this month's reads

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def line(self) -> str:
        counts = f"{self.pages} pages ({self.pages_landed} new), {self.records} records, {self.requests} requests"
        if self.read_budget:
            counts += (
                f"; {self.reads} posts read, {self.reads_this_month} of {self.read_budget} this month "
                f"(about ${self.estimated_cost_usd:.2f})"
            )
        return f"{self.platform}: {self.status}" + (f": {self.message}" if self.message else "") + f"; {counts}"


@dataclass
class Pass:
    """One walk through a paged listing. Saved with the cursor after every page until it completes."""

    params: dict[str, Any]
    started_at: str
    next_page: str | None = None
    newest: str | None = None  # what the first page says is newest (X: meta.newest_id)
    complete: bool = False

    def saved(self) -> dict[str, Any]:
        return {
            "params": self.params,
            "started_at": self.started_at,
            "next_page": self.next_page,
            "newest": self.newest,
        }


class RequestBudget:
    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.used = 0

    @property
    def exhausted(self) -> bool:
        return self.used >= self.limit


@dataclass(frozen=True)
class ReadBudget:
    """Items a platform bills per read (X: posts), allowed per calendar month, and what one costs."""

    monthly: int
    price_usd: float
    count: Callable[[Any], int]  # billed items on a response document


class Extraction:
    def __init__(
        self,
        platform: str,
        config: ExtractConfig,
        *,
        request_budget: int,
        state: ExtractState,
        writer: PageWriter,
        credential_variables: tuple[str, ...] = (),
        limits: LimitPolicy | None = None,
        read_budget: ReadBudget | None = None,
        now: datetime | None = None,
        pause: Callable[[float], None] = time.sleep,
        log: Callable[[str], None] = print,
    ) -> None:
        self.platform = platform
        self.config = config
        self.state = state
        self.writer = writer
        self.credential_variables = credential_variables
        self.limits = limits or LimitPolicy()
        self.read_budget = read_budget
        self.budget = RequestBudget(request_budget)
        self.report = ExtractReport(platform)
        self.now = now or datetime.now(UTC)
        self.pause = pause
        self.log = log
        self.current_stream: str | None = None
        if read_budget is not None:
            self.report.read_budget = read_budget.monthly
            self._count_reads(None)  # the month's count so far, for the report

    # -------------------------------------------------------------------------------------------- time

    def since(self, watermark: str | None) -> datetime:
        """Where a time-driven pass starts: the last completed pass minus the look-back, or the first-run window."""
        if watermark is None:
            return self.now - timedelta(days=self.config.first_run_days)
        return datetime.fromisoformat(watermark) - timedelta(hours=self.config.look_back_hours)

    def wait(self, seconds: float, why: str) -> None:
        """Wait for a rate-limit window; ``pause`` decides how (the warehouse assets wait without the warehouse
        lock, or raise RateLimited where they cannot let go of it)."""
        self.log(f"{self.platform}: {why}; waiting {math.ceil(seconds)} s")
        self.pause(seconds)

    # -------------------------------------------------------------------------------------------- streams

    @contextmanager
    def stream(self, name: str) -> Iterator[None]:
        """One account, channel, subreddit or query: its failure is recorded with its name, and the run goes on."""
        self.report.streams += 1
        self.current_stream = name
        try:
            yield
        except PlatformStopped:
            raise
        except ExtractError as error:
            self.report.failed_streams.append(f"{name}: {error}")
            self.log(f"{self.platform}: {name} failed: {error}")
        self.current_stream = None

    # -------------------------------------------------------------------------------------------- HTTP

    def client(
        self,
        base_url: str,
        headers: dict[str, str] | None = None,
        user_agent: str = USER_AGENT,
    ):
        """dlt's REST client on a retrying session, throttled by the platform's limits."""
        from dlt.sources.helpers.requests import Client
        from dlt.sources.helpers.rest_client import RESTClient

        session = Client(
            request_timeout=self.config.timeout_seconds,
            raise_for_status=False,
            status_codes=_RETRIED_BY_DLT,
            request_max_attempts=self.config.max_attempts,
            request_backoff_factor=self.config.backoff_seconds,
            request_max_retry_delay=self.config.max_retry_delay_seconds,
            respect_retry_after_header=True,
        ).session
        Throttle(self, self.limits).install(session.get_adapter(base_url))
        session.headers["User-Agent"] = user_agent  # on every request, token requests included
        return RESTClient(base_url=base_url, headers=headers, session=session)

    def single(self, client, path: str, params: dict[str, Any] | None = None) -> requests.Response:
        """One request that is not paged (a lookup, a thread); ``land`` writes it."""
        from dlt.sources.helpers.rest_client.paginators import SinglePagePaginator

        self._check_budget()
        with self._errors(path):
            page = next(
                iter(
                    client.paginate(
                        path,
                        params=dict(params or {}),
                        paginator=SinglePagePaginator(),
                        data_selector="$",
                        timeout=self.config.timeout_seconds,
                    )
                )
            )
        self._count_reads(self._document(page.response))
        return page.response

    def paged(
        self,
        client,
        account: str,
        stream: str,
        path: str,
        params: dict[str, Any],
        *,
        token_path: str,
        token_param: str,
        records_path: str,
        keep_going: Callable[[Any], bool] | None = None,
        newest: Callable[[Any], str | None] | None = None,
        on_page: Callable[[Any], None] | None = None,
        land: bool = True,
        landing_stream: str | None = None,
    ) -> Pass:
        """Every page of a listing, each landed as it arrives (``land``), then ``on_page(page)`` (what the page leads
        to: replies, threads, statistics), then the cursor saved. ``params`` start a new pass; a pass a killed or
        budget-stopped run left unfinished resumes with its own parameters at the first page not yet done, so nothing
        is skipped and a page done twice lands once. ``keep_going(page)`` False ends the pass early (a newest-first
        listing reached what was read before). ``landing_stream`` names the landing folder when it is not ``stream``."""
        from dlt.sources.helpers.rest_client.paginators import JSONResponseCursorPaginator

        state = self.state.get(account, stream)
        saved = state.get("pass")
        run = Pass(**saved) if saved else Pass(params=params, started_at=self.now.isoformat())
        request_params = dict(run.params) | ({token_param: run.next_page} if run.next_page else {})
        paginator = JSONResponseCursorPaginator(cursor_path=token_path, cursor_param=token_param)
        self._check_budget()
        with self._errors(path):
            for page in client.paginate(
                path,
                params=request_params,
                paginator=paginator,
                data_selector=records_path,
                timeout=self.config.timeout_seconds,
            ):
                document = page.response.json()
                self._count_reads(document)
                if newest is not None and run.newest is None:
                    run.newest = newest(document)
                if land:
                    self.land(account, landing_stream or stream, page.response, len(page))
                else:
                    self.report.pages += 1
                if on_page is not None:
                    on_page(document)
                run.next_page = page.request.params.get(token_param) if paginator.has_next_page else None
                if run.next_page is None or (keep_going is not None and not keep_going(document)):
                    run.complete = True
                    break
                state["pass"] = run.saved()
                self.state.put(account, stream, state)
                self._check_budget()
            else:
                run.complete = True
        return run

    def finish(self, account: str, stream: str, watermark: str | None) -> None:
        """A pass completed: the next one starts from ``watermark`` (kept as it was when None)."""
        state = self.state.get(account, stream)
        state.pop("pass", None)
        if watermark is not None:
            state["watermark"] = watermark
        if state:
            self.state.put(account, stream, state)
        else:  # a listing read whole each time (quotes of a post, replies of a thread) keeps no row once done
            self.state.delete(account, stream)

    def watermark(self, account: str, stream: str) -> str | None:
        return self.state.get(account, stream).get("watermark")

    def land(self, account: str, stream: str, response: requests.Response, records: int) -> None:
        """Write a page with records (an empty page carries nothing to ingest and would only be quarantined)."""
        self.report.pages += 1
        self.report.records += records
        if records and self.writer.write(self.platform, account, stream, response.content) is not None:
            self.report.pages_landed += 1

    # -------------------------------------------------------------------------------------------- budgets

    @property
    def month(self) -> str:
        return f"{self.now:%Y-%m}"

    def _count_reads(self, document: Any) -> None:
        if self.read_budget is None:
            return
        items = self.read_budget.count(document) if document else 0
        total = self.state.add_reads(self.month, items) if items else self.state.reads(self.month)
        self.report.reads += items
        self.report.reads_this_month = total
        self.report.estimated_cost_usd = round(total * self.read_budget.price_usd, 2)

    @staticmethod
    def _document(response: requests.Response) -> Any:
        try:
            return response.json()
        except ValueError:
            return None

    def _check_budget(self) -> None:
        if self.budget.exhausted:
            raise BudgetExhausted(
                f"request budget of {self.budget.limit} spent; the next run resumes where this one stopped "
                f"(raise extract.{self.platform}.request_budget to fetch more per run)"
            )
        spent = self.read_budget is not None and self.report.reads_this_month >= self.read_budget.monthly
        if spent:
            raise BudgetExhausted(
                f"the monthly budget of {self.read_budget.monthly} posts is spent ({self.report.reads_this_month} read "
                f"in {self.month}, about ${self.report.estimated_cost_usd:.2f}); the next month's first run resumes "
                f"where this one stopped (raise extract.{self.platform}.monthly_post_budget to read more)"
            )

    def _errors(self, path: str):
        return _HttpErrors(self, path)


class _HttpErrors:
    """Turns a failed request into an error that says what to do."""

    def __init__(self, extraction: Extraction, path: str) -> None:
        self.extraction = extraction
        self.path = path

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind, error, traceback) -> bool:
        platform = self.extraction.platform
        resumes = "the next run resumes where this one stopped"
        if isinstance(error, RateLimited):
            raise LimitReached(f"{platform}: {error}; {resumes}") from None
        if error is None or not isinstance(error, requests.RequestException):
            return False
        response = getattr(error, "response", None)
        status = response.status_code if response is not None else None
        if status is None:
            failure = type(error).__name__
            raise ExtractError(f"{platform}: request to {self.path} failed after retries: {failure}") from None
        spent = self.extraction.limits.spent(response)
        if spent is not None:
            raise LimitReached(f"{platform}: {spent}; {resumes}") from None
        if self.extraction.limits.throttled(response):
            raise LimitReached(
                f"{platform} is still rate limited on {self.path}{self._until(response)}; {resumes}"
            ) from None
        if status == 401:
            raise CredentialsRejected(self._refused_credentials(status)) from None
        if status == 403:
            raise StreamRefused(
                f"{platform} answered HTTP 403 for {self.path}: private, banned, or not visible to these credentials"
            ) from None
        if status == 404:
            raise ExtractError(
                f"{platform} answered HTTP 404 for {self.path}: not found; check the id or handle in the configuration"
            ) from None
        retried = " after retries" if status >= 500 else ""
        raise ExtractError(f"{platform} answered HTTP {status} for {self.path}{retried}") from None

    def _refused_credentials(self, status: int) -> str:
        platform = self.extraction.platform
        names = " and ".join(self.extraction.credential_variables)
        what = (
            f"set {names} (environment or extract.secrets_file) to valid, unexpired credentials"
            if names
            else "this public endpoint refused the request; check extract." + platform + ".base_url"
        )
        return f"{platform} answered HTTP {status} for {self.path}: the credentials were refused or expired; {what}"

    def _until(self, response: requests.Response) -> str:
        headers = self.extraction.limits.headers
        reset_in = headers.window(response, time.time())[1] if headers else None
        return f" until {clock(time.time() + reset_in)}" if reset_in else ""
