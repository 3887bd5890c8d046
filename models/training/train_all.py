"""Train every head for one encoder.

    python -m models.training.train_all [--tweeteval-dir /path/to/tweeteval/datasets] [--encoder ID_OR_FOLDER]
        [--heads-dir FOLDER] [--feature-cache FOLDER]

The shipped encoder (no --encoder): fine-tune its top layers with the sentiment and emotion heads
(models.training.finetune, about an hour on 2 cores), then train the intent head on the tuned encoder. Another
encoder: sentiment and emotion heads on its frozen features (TweetEval; Barbieri et al., Findings of EMNLP 2020), then
intent; write them to their own folder and point ROR_HEADS_DIR (and ROR_ENCODER) at it.
"""

from __future__ import annotations

from models.training import finetune, train_intent, tweeteval_head
from models.training.common import parse_arguments


def main(argv: list[str] | None = None) -> None:
    parsed = parse_arguments(__doc__.splitlines()[0], argv, tweeteval=True)
    heads = ["--heads-dir", str(parsed.heads_dir), "--feature-cache", str(parsed.feature_cache)]
    encoder = ["--encoder", parsed.encoder] if parsed.encoder else []
    tweeteval = ["--tweeteval-dir", str(parsed.tweeteval_dir)]
    if parsed.encoder is None:
        finetune.main(["--heads-dir", str(parsed.heads_dir), *tweeteval])
    else:
        for task in tweeteval_head.TASKS:
            tweeteval_head.main([task, *encoder, *heads, *tweeteval])
    train_intent.main([*encoder, *heads])


if __name__ == "__main__":
    main()
