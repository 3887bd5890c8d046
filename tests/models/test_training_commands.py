"""The commands that need TweetEval stop with where to point ROR_TWEETEVAL_DIR, before loading any model."""

import pytest

from models import evaluate
from models.training import finetune, train_sentiment


@pytest.mark.parametrize("command", [evaluate.main, finetune.main, train_sentiment.main])
def test_a_missing_tweeteval_folder_says_what_to_set(command, monkeypatch, tmp_path):
    monkeypatch.setenv("ROR_TWEETEVAL_DIR", str(tmp_path / "nowhere"))
    with pytest.raises(SystemExit, match=r"TweetEval not found in .*nowhere: set ROR_TWEETEVAL_DIR"):
        command([])
