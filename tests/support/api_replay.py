"""A local API that replays recorded responses: pages by path and page token, failures queued in front of them."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pytest
from werkzeug import Request, Response

from extract.config import Account, ExtractConfig, ExtractSetup, Secrets

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def fixture_json(relative: str):
    return json.loads((FIXTURES / relative).read_text(encoding="utf-8"))


def twarc_pages(relative: str) -> list[dict]:
    """The API responses of a twarc2 file, without the ``__twarc`` bookkeeping twarc adds."""
    lines = (FIXTURES / relative).read_text(encoding="utf-8").splitlines()
    return [{k: v for k, v in json.loads(line).items() if k != "__twarc"} for line in lines if line.strip()]


@dataclass
class Replay:
    """Serves ``routes[path][token]`` (token None = first page); ``failures[path]`` are answered first, in order."""

    routes: dict[str, dict[str | None, object]] = field(default_factory=dict)
    token_params: dict[str, str] = field(default_factory=dict)
    failures: dict[str, list[tuple[int, dict[str, str], object]]] = field(default_factory=dict)
    handlers: dict[str, Callable[[Request], Response]] = field(default_factory=dict)
    seen: list[tuple[str, dict[str, str], dict[str, str]]] = field(default_factory=list)

    def pages(self, path: str, pages: list[object], token_param: str, set_token: Callable[[object, str], None]):
        """``pages`` chained by tokens ``page2``, ``page3``... that ``set_token(page, token)`` writes into each."""
        chained = [json.loads(json.dumps(page)) for page in pages]
        for index, page in enumerate(chained[:-1]):
            set_token(page, f"page{index + 2}")
        self.routes[path] = {(None if index == 0 else f"page{index + 1}"): page for index, page in enumerate(chained)}
        self.token_params[path] = token_param

    def fail(
        self, path: str, status: int, headers: dict[str, str] | None = None, times: int = 1, body: object = None
    ) -> None:
        """``times`` answers ``status`` with ``headers`` and ``body`` (default ``{"error": status}``)."""
        self.failures.setdefault(path, []).extend([(status, headers or {}, body or {"error": status})] * times)

    def requests_to(self, path: str) -> list[dict[str, str]]:
        return [args for seen_path, args, _ in self.seen if seen_path == path]

    def __call__(self, request: Request) -> Response:
        self.seen.append((request.path, dict(request.args), dict(request.headers)))
        if self.failures.get(request.path):
            status, headers, body = self.failures[request.path].pop(0)
            return Response(json.dumps(body), status=status, headers=headers, content_type="application/json")
        if request.path in self.handlers:
            return self.handlers[request.path](request)
        if request.path not in self.routes:
            return Response(json.dumps({"error": "not recorded"}), status=404, content_type="application/json")
        token = request.args.get(self.token_params.get(request.path, ""))
        page = self.routes[request.path].get(token)
        if page is None:
            return Response(json.dumps({"error": f"no page {token}"}), status=400, content_type="application/json")
        return Response(json.dumps(page), content_type="application/json")


@pytest.fixture
def replay(httpserver) -> Replay:
    server = Replay()
    httpserver.expect_request(re.compile("^/.*")).respond_with_handler(server)
    return server


@pytest.fixture
def working_db(tmp_path):
    con = duckdb.connect(str(tmp_path / "work.duckdb"))
    yield con
    con.close()


def make_setup(
    httpserver, platform_settings: dict, accounts: list[Account], environ: dict[str, str], **config
) -> ExtractSetup:
    """A configuration pointing every platform at the local server, retrying without long waits."""
    document = {
        "first_run_days": 10000,
        "look_back_hours": 0,
        "backoff_seconds": 0,
        "max_attempts": 3,
        "timeout_seconds": 5,
        "local_test_server": True,
        **config,
    }
    for platform in ("x", "youtube", "reddit", "bluesky"):
        document[platform] = {"base_url": httpserver.url_for(f"/{platform}"), **platform_settings.get(platform, {})}
    if "reddit" in document:
        document["reddit"].setdefault("token_url", httpserver.url_for("/reddit-token"))
    return ExtractSetup(ExtractConfig.model_validate(document), tuple(accounts), Secrets(environ, {}))


RUN_AT = datetime(2026, 11, 1, tzinfo=UTC)
