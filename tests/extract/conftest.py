"""The `x_api` fixture shared by the X extractor's tests: a local server replaying the recorded X API v2 pages."""

from __future__ import annotations

import pytest

from tests.extract.test_x import MENTIONS, POSTS, QUOTES, _next_token, mention_pages
from tests.support.api_replay import twarc_pages


@pytest.fixture
def x_api(replay):
    replay.pages(MENTIONS, mention_pages(), "pagination_token", _next_token)
    replay.pages(POSTS, twarc_pages("x_twitter_v2/edited.jsonl"), "pagination_token", _next_token)
    replay.pages(QUOTES, twarc_pages("x_twitter_v2/quoted_edit.jsonl"), "pagination_token", _next_token)
    return replay
