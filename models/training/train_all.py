"""Train every head for one encoder: sentiment, emotion (TweetEval; Barbieri et al., Findings of EMNLP 2020) and
intent (the hand-written set).

    ROR_TWEETEVAL_DIR=/path/to/tweeteval/datasets python -m models.training.train_all [--encoder ID_OR_FOLDER]
        [--heads-dir FOLDER]

With another encoder, write the heads to their own folder and point ROR_HEADS_DIR (and ROR_ENCODER) at it.
"""

from __future__ import annotations

import sys

from models.training import train_emotion, train_intent, train_sentiment


def main(argv: list[str] | None = None) -> None:
    arguments = sys.argv[1:] if argv is None else argv
    for script in (train_sentiment, train_emotion, train_intent):
        script.main(arguments)


if __name__ == "__main__":
    main()
