"""Train every head for one encoder.

    ROR_TWEETEVAL_DIR=/path/to/tweeteval/datasets python -m models.training.train_all [--encoder ID_OR_FOLDER]
        [--heads-dir FOLDER]

The shipped encoder (no --encoder): fine-tune its top layers with the sentiment and emotion heads
(models.training.finetune, about an hour on 2 cores), then train the intent head on the tuned encoder. Another
encoder: sentiment and emotion heads on its frozen features (TweetEval; Barbieri et al., Findings of EMNLP 2020), then
intent; write them to their own folder and point ROR_HEADS_DIR (and ROR_ENCODER) at it.
"""

from __future__ import annotations

import sys

from models.training import finetune, train_intent, tweeteval_head
from models.training.common import parse_arguments


def main(argv: list[str] | None = None) -> None:
    arguments = sys.argv[1:] if argv is None else argv
    parsed = parse_arguments(__doc__.splitlines()[0], arguments)
    if parsed.encoder is None:
        finetune.main(["--heads-dir", str(parsed.heads_dir)])
        train_intent.main(arguments)
        return
    for task in tweeteval_head.TASKS:
        tweeteval_head.main([task, *arguments])
    train_intent.main(arguments)


if __name__ == "__main__":
    main()
