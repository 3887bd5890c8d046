"""The commands that need TweetEval stop with where to point ROR_TWEETEVAL_DIR, before loading any model."""

import pytest

from models import evaluate
from models.training import finetune, tweeteval_head


@pytest.mark.parametrize(
    ("command", "argv"),
    [
        (evaluate.main, []),
        (finetune.main, []),
        (tweeteval_head.main, ["sentiment"]),
        (tweeteval_head.main, ["emotion"]),
    ],
)
def test_a_missing_tweeteval_folder_says_what_to_set(command, argv, monkeypatch, tmp_path):
    monkeypatch.setenv("ROR_TWEETEVAL_DIR", str(tmp_path / "nowhere"))
    with pytest.raises(SystemExit, match=r"TweetEval not found in .*nowhere: set ROR_TWEETEVAL_DIR"):
        command(argv)
