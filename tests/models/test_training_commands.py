"""The training and evaluation commands take their data folders as options (no environment variable): a missing
folder stops the command before any model is loaded, saying which option to pass, and the folders given are the
ones read and written."""

import pytest
from tiny_models import write_tweeteval

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
def test_a_missing_tweeteval_folder_says_which_option_to_pass(command, argv, tmp_path):
    with pytest.raises(SystemExit, match=r"TweetEval not found in .*nowhere: pass --tweeteval-dir"):
        command([*argv, "--tweeteval-dir", str(tmp_path / "nowhere")])


def test_evaluate_checks_banking77_before_any_work(tmp_path):
    """The themes come last, 25 minutes in: a missing BANKING77 must stop the command at its start."""
    tweeteval = write_tweeteval(tmp_path / "tweeteval")
    (tmp_path / "banking77").mkdir()
    (tmp_path / "banking77" / "train.csv").write_text("text,category\n")
    output = tmp_path / "EVALUATION.md"
    argv = ["--tweeteval-dir", str(tweeteval), "--banking77-dir", str(tmp_path / "banking77"), "--output", str(output)]
    with pytest.raises(SystemExit, match=r"BANKING77 not found in .*banking77 \(no test.csv\): pass --banking77-dir"):
        evaluate.main(argv)
    with pytest.raises(SystemExit, match="BANKING77 not found"):
        evaluate.main([*argv, "--themes-only"])
    assert not output.exists()


def test_evaluate_names_every_missing_input_at_once(tmp_path):
    with pytest.raises(SystemExit) as stopped:
        evaluate.main(["--tweeteval-dir", str(tmp_path / "a"), "--banking77-dir", str(tmp_path / "b")])
    lines = str(stopped.value.code).splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("TweetEval not found") and lines[1].startswith("BANKING77 not found")


def test_the_folder_options_reach_the_readers(tiny_encoder_dir, tmp_path):
    """A head trained on the TweetEval folder given, its features cached in the cache folder given."""
    tweeteval = write_tweeteval(tmp_path / "tweeteval")
    cache, heads = tmp_path / "cache", tmp_path / "heads"
    tweeteval_head.main(
        [
            "sentiment",
            "--encoder",
            str(tiny_encoder_dir),
            "--heads-dir",
            str(heads),
            "--tweeteval-dir",
            str(tweeteval),
            "--feature-cache",
            str(cache),
        ]
    )
    cached = sorted(path.name.rsplit("_", 1)[0] for path in cache.rglob("*.npy"))
    assert cached == ["tweeteval_sentiment_test", "tweeteval_sentiment_train", "tweeteval_sentiment_val"]
    assert (heads / "sentiment.json").exists()
