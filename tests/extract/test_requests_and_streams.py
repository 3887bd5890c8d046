"""Requests are built, not concatenated: a hostile handle stays one encoded path segment, credentials go only to https
(or a local test server a key names); each stream fails alone, named, while the others go on."""

from __future__ import annotations

import pydantic
import pytest
from werkzeug import Request, Response

from extract.config import Account, ExtractConfig
from extract.landing import EXTRACT_FOLDER
from tests.extract.test_platforms import REDDIT_SECRETS, reddit_api, run
from tests.extract.test_x import ACCOUNT, TOKEN, run_x

HOSTILE = "Acme/../../admin?x=1#"


def test_a_hostile_handle_stays_one_encoded_path_segment(httpserver, x_api, tmp_path):
    raw: list[str] = []
    lookup = "/x/users/by/username/" + HOSTILE  # what the server decodes the one segment back to

    def record_raw(request: Request) -> Response:
        raw.append(request.environ.get("REQUEST_URI") or request.environ["RAW_URI"])
        return Response('{"errors": [{"title": "Not Found Error"}]}', status=404, content_type="application/json")

    x_api.handlers[lookup] = record_raw
    report = run_x(httpserver, tmp_path, accounts=[Account("acme", "x", None, HOSTILE)])

    assert [path for path, _, _ in x_api.seen] == [lookup]  # no request left the lookup endpoint
    assert raw[0].startswith("/x/users/by/username/Acme%2F..%2F..%2Fadmin%3Fx%3D1%23?")
    assert report.status == "failed" and report.failed_streams[0].startswith(f"account @{HOSTILE}: ")


@pytest.mark.parametrize("handle", ["..", "."])
def test_a_dot_segment_handle_fails_its_stream_without_a_request(httpserver, x_api, tmp_path, handle):
    report = run_x(httpserver, tmp_path, accounts=[Account("acme", "x", None, handle), ACCOUNT])

    assert report.status == "partial" and "not a usable id or handle" in report.message
    assert all(path.startswith(("/x/users/1500000000000000001/", "/x/tweets/")) for path, _, _ in x_api.seen)


def test_a_subreddit_name_with_slashes_stays_one_segment(httpserver, replay, tmp_path):
    reddit_api(replay)
    report = run(httpserver, tmp_path, "reddit", [], REDDIT_SECRETS, {"subreddits": ["acme/../../api/v1/me"]})

    assert "/reddit/api/v1/me" not in [path for path, _, _ in replay.seen]
    assert report.status == "failed" and report.failed_streams[0].startswith("subreddit r/acme/../../api/v1/me: ")


@pytest.mark.parametrize(
    ("settings", "named"),
    [
        ({"x": {"base_url": "http://api.x.com/2"}}, "extract.x.base_url must be an https:// URL"),
        ({"reddit": {"token_url": "http://www.reddit.com/api/v1/access_token"}}, "extract.reddit.token_url"),
        ({"bluesky": {"base_url": "http://localhost:8080/xrpc"}}, "local_test_server: true"),
        ({"local_test_server": True, "youtube": {"base_url": "http://10.0.0.5/youtube"}}, "extract.youtube.base_url"),
    ],
)
def test_credentials_go_only_to_https_unless_a_key_names_a_local_test_server(settings, named):
    with pytest.raises(pydantic.ValidationError, match=named):
        ExtractConfig.model_validate(settings)
    local = ExtractConfig.model_validate({"local_test_server": True, "x": {"base_url": "http://127.0.0.1:9/x"}})
    assert local.x.base_url == "http://127.0.0.1:9/x"


def test_one_private_subreddit_fails_alone_and_is_named(httpserver, replay, tmp_path):
    reddit_api(replay)
    replay.fail("/reddit/r/private_one/new", 403)
    report = run(httpserver, tmp_path, "reddit", [], REDDIT_SECRETS, {"subreddits": ["private_one", "acme"]})

    assert report.status == "partial" and report.streams == 2
    assert report.failed_streams == [
        "subreddit r/private_one: reddit answered HTTP 403 for r/private_one/new: private, banned, or not visible to "
        "these credentials"
    ]
    assert "1 of 2 streams failed: subreddit r/private_one" in report.message
    assert [args.get("after") for args in replay.requests_to("/reddit/r/acme/new")] == [None, "page2"]
    assert len(list((tmp_path / "landing" / EXTRACT_FOLDER / "reddit" / "r_acme").rglob("*.json"))) >= 2


def test_an_account_that_is_gone_fails_alone_and_the_next_run_tries_it_again(httpserver, x_api, tmp_path):
    gone = Account("acme", "x", None, "GoneAccount")
    report = run_x(httpserver, tmp_path, accounts=[gone, ACCOUNT])

    assert report.status == "partial"
    assert report.failed_streams[0].startswith("account @GoneAccount: x answered HTTP 404")
    assert report.pages_landed == 5  # every page of the account that exists
    assert TOKEN not in report.message

    x_api.seen.clear()
    run_x(httpserver, tmp_path, accounts=[gone, ACCOUNT])
    assert len(x_api.requests_to("/x/users/by/username/GoneAccount")) == 1
