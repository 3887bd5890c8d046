"""What every training script shares: the command line, the encoder, writing the head and its card."""

from __future__ import annotations

import argparse
import shlex
import sys
from datetime import date
from pathlib import Path

from models.encoder import Encoder
from models.heads import HEADS_DIR, Head, HeadCard, save_head
from models.training.data import add_feature_cache_option, add_tweeteval_option

TWEETEVAL_CITATION = (
    "TweetEval: Barbieri, Camacho-Collados, Espinosa-Anke, Neves, 'TweetEval: Unified Benchmark and Comparative "
    "Evaluation for Tweet Classification', Findings of EMNLP 2020"
)


def parse_arguments(
    description: str, argv: list[str] | None, tasks: tuple[str, ...] = (), tweeteval: bool = False
) -> argparse.Namespace:
    """--encoder, --heads-dir and --feature-cache; --tweeteval-dir when ``tweeteval``; with ``tasks``, first the task
    to train, one of them."""
    parser = argparse.ArgumentParser(description=description)
    if tasks:
        parser.add_argument("task", choices=tasks, help="the head to train")
    parser.add_argument(
        "--encoder", default=None, help="Hugging Face id or local folder (default: the packaged all-MiniLM-L6-v2)"
    )
    parser.add_argument(
        "--heads-dir", type=Path, default=HEADS_DIR, help=f"where to write the head (default {HEADS_DIR})"
    )
    add_feature_cache_option(parser)
    if tweeteval:
        add_tweeteval_option(parser)
    return parser.parse_args(argv)


def reproduce_command(module: str, argv: list[str] | None) -> str:
    arguments = sys.argv[1:] if argv is None else argv
    return " ".join(["python -m", module, *map(shlex.quote, arguments)])


def write_head(head: Head, encoder: Encoder, heads_dir: Path, **card_fields: object) -> HeadCard:
    """Save weights and card; the card names the encoder the head expects."""
    card = HeadCard(
        input_dim=head.input_dim,
        hidden_dim=head.hidden_dim,
        encoder=encoder.name,
        encoder_fingerprint=encoder.fingerprint,
        trained_on=date.today().isoformat(),
        **card_fields,
    )
    weights, card_path = save_head(head, card, heads_dir)
    print(f"wrote {weights} ({weights.stat().st_size / 1024:.0f} KiB) and {card_path}")
    return card
