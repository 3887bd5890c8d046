"""One extractor's run: its HTTP client, request budget, cursors, landed pages and report.

Every request goes through dlt's REST client on dlt's retrying session: pagination by the page token the response
carries, retries with exponential backoff on 429, 5xx and dropped connections, the ``Retry-After`` header honoured
when the server sends one, a timeout on every request. Credentials travel in headers only (never in a URL, which
ends up in logs and error messages).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import requests
import requests.adapters

from extract.config import ExtractConfig
from extract.cursors import CursorStore
from extract.landing import PageWriter

USER_AGENT = "ror-warehouse/0.1 (+brand interaction extract)"


class ExtractError(RuntimeError):
    """An extractor could not go on; the message says what to do."""


class CredentialsRejected(ExtractError):
    pass


class BudgetExhausted(ExtractError):
    pass


@dataclass
class ExtractReport:
    platform: str
    status: str = "ok"  # ok | skipped | budget_exhausted | failed
    message: str = ""
    accounts: int = 0
    requests: int = 0  # HTTP requests sent, retries included
    pages: int = 0  # response pages received
    pages_landed: int = 0  # pages written to the landing folder (new content)
    records: int = 0  # items on the pages received

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def line(self) -> str:
        counts = f"{self.pages} pages ({self.pages_landed} new), {self.records} records, {self.requests} requests"
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


def _instrument(adapter: requests.adapters.HTTPAdapter, budget: RequestBudget, reset_header: str | None) -> None:
    """At the transport, below dlt's retries (request hooks would be replaced by the REST client's own): every
    attempt spends budget, and a 429 that announces the end of its window in ``reset_header`` instead of
    ``Retry-After`` gets the equivalent ``Retry-After``, so the session waits for the window instead of backing off
    blindly into it."""
    send = adapter.send

    def send_counted(*args: Any, **kwargs: Any) -> requests.Response:
        budget.used += 1
        response = send(*args, **kwargs)
        reset = response.headers.get(reset_header) if reset_header and response.status_code == 429 else None
        if reset and reset.isdigit() and "Retry-After" not in response.headers:
            response.headers["Retry-After"] = str(max(1, math.ceil(int(reset) - time.time())))
        return response

    adapter.send = send_counted


class Extraction:
    def __init__(
        self,
        platform: str,
        config: ExtractConfig,
        *,
        request_budget: int,
        cursors: CursorStore,
        writer: PageWriter,
        credential_variables: tuple[str, ...] = (),
        now: datetime | None = None,
    ) -> None:
        self.platform = platform
        self.config = config
        self.cursors = cursors
        self.writer = writer
        self.credential_variables = credential_variables
        self.budget = RequestBudget(request_budget)
        self.report = ExtractReport(platform)
        self.now = now or datetime.now(UTC)

    # -------------------------------------------------------------------------------------------- time

    def since(self, watermark: str | None) -> datetime:
        """Where a time-driven pass starts: the last completed pass minus the look-back, or the first-run window."""
        if watermark is None:
            return self.now - timedelta(days=self.config.first_run_days)
        return datetime.fromisoformat(watermark) - timedelta(hours=self.config.look_back_hours)

    # -------------------------------------------------------------------------------------------- HTTP

    def client(
        self,
        base_url: str,
        headers: dict[str, str] | None = None,
        user_agent: str = USER_AGENT,
        rate_limit_reset_header: str | None = None,
    ):
        """dlt's REST client on a retrying session. ``rate_limit_reset_header`` names the header in which an API
        that sends no ``Retry-After`` announces, in epoch seconds, when its rate-limit window ends (X's
        x-rate-limit-reset)."""
        from dlt.sources.helpers.requests import Client
        from dlt.sources.helpers.rest_client import RESTClient

        session = Client(
            request_timeout=self.config.timeout_seconds,
            raise_for_status=False,
            request_max_attempts=self.config.max_attempts,
            request_backoff_factor=self.config.backoff_seconds,
            request_max_retry_delay=self.config.max_retry_delay_seconds,
            respect_retry_after_header=True,
        ).session
        _instrument(session.get_adapter(base_url), self.budget, rate_limit_reset_header)
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

        state = self.cursors.get(self.platform, account, stream)
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
                self.cursors.put(self.platform, account, stream, state)
                self._check_budget()
            else:
                run.complete = True
        return run

    def finish(self, account: str, stream: str, watermark: str | None) -> None:
        """A pass completed: the next one starts from ``watermark`` (kept as it was when None)."""
        state = self.cursors.get(self.platform, account, stream)
        state.pop("pass", None)
        if watermark is not None:
            state["watermark"] = watermark
        if state:
            self.cursors.put(self.platform, account, stream, state)
        else:  # a listing read whole each time (quotes of a post, replies of a thread) keeps no row once done
            self.cursors.delete(self.platform, account, stream)

    def watermark(self, account: str, stream: str) -> str | None:
        return self.cursors.get(self.platform, account, stream).get("watermark")

    def land(self, account: str, stream: str, response: requests.Response, records: int) -> None:
        """Write a page with records (an empty page carries nothing to ingest and would only be quarantined)."""
        self.report.pages += 1
        self.report.records += records
        if records and self.writer.write(self.platform, account, stream, response.content) is not None:
            self.report.pages_landed += 1

    # -------------------------------------------------------------------------------------------- errors

    def _check_budget(self) -> None:
        if self.budget.exhausted:
            raise BudgetExhausted(
                f"request budget of {self.budget.limit} spent; the next run resumes where this one stopped "
                f"(raise extract.{self.platform}.request_budget to fetch more per run)"
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
        if error is None or not isinstance(error, requests.RequestException):
            return False
        platform = self.extraction.platform
        response = getattr(error, "response", None)
        status = response.status_code if response is not None else None
        if status in (401, 403):
            names = " and ".join(self.extraction.credential_variables)
            what = (
                f"set {names} (environment or extract.secrets_file) to valid, unexpired credentials"
                if names
                else "this public endpoint refused the request; check extract." + platform + ".base_url"
            )
            raise CredentialsRejected(
                f"{platform} answered HTTP {status} for {self.path}: the credentials were refused or have expired; "
                f"{what}"
            ) from None
        if status is not None:
            raise ExtractError(f"{platform} answered HTTP {status} for {self.path} after retries") from None
        raise ExtractError(f"{platform}: request to {self.path} failed after retries: {type(error).__name__}") from None
