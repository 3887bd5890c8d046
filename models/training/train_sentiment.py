"""Train the sentiment head (negative / neutral / positive) on TweetEval sentiment (Barbieri et al., 2020, Findings of
EMNLP); official metric: macro-averaged recall on the test split.

    ROR_TWEETEVAL_DIR=/path/to/tweeteval/datasets python -m models.training.train_sentiment
"""

from __future__ import annotations

from models.encoder import Encoder
from models.schema import SENTIMENT_LABELS
from models.training.common import parse_arguments
from models.training.fitting import macro_recall
from models.training.tweeteval_head import train_tweeteval_head

TRAINING_DATA = (
    "TweetEval sentiment: train = SemEval-2017 Task 4A English train/dev/test tweets (47,566; TweetEval's own train "
    "file rebuilt from the same origin, with every tweet also in TweetEval val/test removed), selection on TweetEval "
    "val (2,000), scored on TweetEval test (12,284)"
)


def main(argv: list[str] | None = None) -> None:
    arguments = parse_arguments(__doc__.splitlines()[0], argv)
    train_tweeteval_head(
        task="sentiment",
        head_name="sentiment",
        labels=SENTIMENT_LABELS,
        metric_name="macro_recall",
        metric=macro_recall,
        encoder=Encoder(arguments.encoder),
        heads_dir=arguments.heads_dir,
        module=__spec__.name,
        argv=argv,
        training_data=TRAINING_DATA,
    )


if __name__ == "__main__":
    main()
