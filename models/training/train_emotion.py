"""Train the emotion head (anger / joy / optimism / sadness) on TweetEval emotion (Barbieri et al., 2020, Findings of
EMNLP); official metric: macro-averaged F1 on the test split.

    ROR_TWEETEVAL_DIR=/path/to/tweeteval/datasets python -m models.training.train_emotion
"""

from __future__ import annotations

from models.encoder import Encoder
from models.schema import EMOTION_LABELS
from models.training.common import parse_arguments
from models.training.fitting import macro_f1
from models.training.tweeteval_head import train_tweeteval_head

TRAINING_DATA = "TweetEval emotion: train (3,257 tweets), selection on val (374), scored on test (1,421)"


def main(argv: list[str] | None = None) -> None:
    arguments = parse_arguments(__doc__.splitlines()[0], argv)
    train_tweeteval_head(
        task="emotion",
        head_name="emotion",
        labels=EMOTION_LABELS,
        metric_name="macro_f1",
        metric=macro_f1,
        encoder=Encoder(arguments.encoder),
        heads_dir=arguments.heads_dir,
        module=__spec__.name,
        argv=argv,
        training_data=TRAINING_DATA,
    )


if __name__ == "__main__":
    main()
