"""A run killed mid-way (SIGKILL, while it waits for a page) resumes at that page: no gap, no duplicate."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time

from werkzeug import Request, Response

from extract.run import run_extractor
from tests.extract.test_x import ACCOUNT, MENTIONS, POSTS, QUOTES, TOKEN, _next_token, mention_pages
from tests.support.api_replay import RUN_AT, make_setup, twarc_pages

CHILD = """
import sys
from datetime import datetime
from extract.config import Account, ExtractConfig, ExtractSetup, Secrets
from extract.run import run_extractor
config = ExtractConfig.model_validate(
    {"first_run_days": 10000, "local_test_server": True, "x": {"base_url": sys.argv[1]}}
)
setup = ExtractSetup(config, (Account("acme", "x", "1500000000000000001", "AcmeCoffee"),),
                     Secrets({"ROR_X_BEARER_TOKEN": sys.argv[3]}, {}))
run_extractor(setup, "x", landing_dir=sys.argv[2], now=datetime.fromisoformat(sys.argv[4]))
"""


def test_a_killed_run_resumes_at_the_page_it_was_waiting_for(httpserver, replay, tmp_path):
    replay.pages(MENTIONS, mention_pages(), "pagination_token", _next_token)
    replay.pages(POSTS, twarc_pages("x_twitter_v2/edited.jsonl"), "pagination_token", _next_token)
    replay.pages(QUOTES, twarc_pages("x_twitter_v2/quoted_edit.jsonl"), "pagination_token", _next_token)
    third_page, released = replay.routes[MENTIONS]["page3"], threading.Event()

    def hang_on_the_third_page(request: Request) -> Response:
        if request.args.get("pagination_token") != "page3" or released.is_set():
            return Response(
                json.dumps(replay.routes[MENTIONS][request.args.get("pagination_token")]),
                content_type="application/json",
            )
        released.wait(30)  # the run is killed while it waits here
        return Response(json.dumps(third_page), content_type="application/json")

    replay.handlers[MENTIONS] = hang_on_the_third_page
    landing = tmp_path / "landing"
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, httpserver.url_for("/x"), str(landing), TOKEN, RUN_AT.isoformat()]
    )
    try:
        deadline = time.monotonic() + 60
        while not any(args.get("pagination_token") == "page3" for args in replay.requests_to(MENTIONS)):
            assert child.poll() is None and time.monotonic() < deadline, "the run never asked for the third page"
            time.sleep(0.05)
        child.kill()
        child.wait(30)
    finally:
        released.set()
    killed_landed = sorted(path.name for path in landing.rglob("*.json"))  # the state file is hidden, not .json
    assert len(killed_landed) == 4  # posts, quotes, mentions pages 1 and 2

    replay.seen.clear()
    setup = make_setup(httpserver, {}, [ACCOUNT], {"ROR_X_BEARER_TOKEN": TOKEN})
    report = run_extractor(setup, "x", landing_dir=landing, now=RUN_AT, log=lambda _: None)

    assert report.status == "ok", report.message
    assert [args.get("pagination_token") for args in replay.requests_to(MENTIONS)] == ["page3"]
    resumed_landed = sorted(path.name for path in landing.rglob("*.json"))
    assert len(resumed_landed) == 5 and set(killed_landed) < set(resumed_landed)
