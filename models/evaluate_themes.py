"""The themes section of models/EVALUATION.md: discovered themes against human intent labels, beside k-means.

    python -m models.evaluate --themes-only      (or as part of: ror evaluate)

Data: BANKING77 (../shared/data/banking77, or ROR_BANKING77_DIR): 13,083 online-banking customer messages, each with
one of 77 intents (Casanueva, Temcinson, Gerz, Henderson, Vulic, "Efficient Intent Detection with Dual Sentence
Encoders", NLP4ConvAI 2020). Metrics: adjusted mutual information between themes and labels (unplaced texts count as
one more theme), and per label the best theme's F1 (the theme whose members best match the label's texts; an
unplaced text is in no theme), averaged over labels. Baseline: scikit-learn k-means (seeded) on the same embeddings,
with k = the number of themes ours found and k = 77. The rule (models.themes.ThemeRules) is selected on the train
split only, by mean best-theme F1; the test split is read once, with the selected rule. Also measured on test: the
agreement of a day-by-day refresh (7 equal "days" in file order) with one rebuild.
"""

from __future__ import annotations

import csv
import os
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
from sklearn.cluster import KMeans
from sklearn.metrics import adjusted_mutual_info_score

from models.enrich import Enricher
from models.themes import NO_THEME, ThemeRules, Themes, agreement, extend

SECTION_START = "<!-- themes: written by models/evaluate_themes.py -->"
SECTION_END = "<!-- end of themes -->"
DEFAULT_DIR = Path("../shared/data/banking77")  # from the repository root, as the project's other data
# The train-split grid (min_theme_size x assign_similarity); the first default is ThemeRules' own.
GRID = [(size, similarity) for size in (10, 5, 20) for similarity in (0.5, 0.6)]
DAYS = 7


@dataclass(frozen=True)
class Split:
    texts: list[str]
    labels: np.ndarray
    embeddings: np.ndarray


@dataclass(frozen=True)
class Scores:
    themes: int
    unplaced: float
    ami: float
    mean_best_f1: float
    best_f1: dict[str, float]


def data_dir() -> Path:
    return Path(os.environ.get("ROR_BANKING77_DIR") or DEFAULT_DIR)


def read_split(enricher: Enricher, name: str) -> Split:
    with open(data_dir() / f"{name}.csv", newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    texts = [row["text"] for row in rows]
    return Split(texts, np.array([row["category"] for row in rows]), enricher.embed(texts))


def best_theme_f1(labels: np.ndarray, themes: np.ndarray) -> dict[str, float]:
    """Per label, the highest F1 of any one theme's membership against the label's texts."""
    scores = {}
    placed = themes[themes != NO_THEME]
    theme_sizes = dict(zip(*np.unique(placed, return_counts=True), strict=True))
    for label in np.unique(labels):
        members = labels == label
        overlap = dict(zip(*np.unique(themes[members & (themes != NO_THEME)], return_counts=True), strict=True))
        scores[str(label)] = max(
            (2 * count / (members.sum() + theme_sizes[theme]) for theme, count in overlap.items()), default=0.0
        )
    return scores


def score(labels: np.ndarray, themes: np.ndarray) -> Scores:
    best = best_theme_f1(labels, themes)
    found = len(np.unique(themes[themes != NO_THEME]))
    return Scores(
        found,
        float(np.mean(themes == NO_THEME)),
        adjusted_mutual_info_score(labels, themes),
        float(np.mean(list(best.values()))),
        best,
    )


def our_themes(split: Split, rules: ThemeRules) -> np.ndarray:
    return extend(Themes.empty(split.embeddings.shape[1]), split.texts, split.embeddings, rules)[1].theme


def kmeans_themes(split: Split, k: int, seed: int) -> np.ndarray:
    return KMeans(k, random_state=seed, n_init=4).fit_predict(split.embeddings)


def day_by_day(split: Split, rules: ThemeRules) -> np.ndarray:
    """Each day's texts, and those no theme took so far, extend the themes of the days before."""
    themes = Themes.empty(split.embeddings.shape[1])
    assigned = np.full(len(split.texts), NO_THEME)
    for day in np.array_split(np.arange(len(split.texts)), DAYS):
        pending = np.concatenate([np.flatnonzero(assigned[: day[0]] == NO_THEME), day])
        themes, placement = extend(themes, [split.texts[i] for i in pending], split.embeddings[pending], rules)
        assigned[pending] = placement.theme
    return assigned


def evaluate_themes(enricher: Enricher) -> str:
    train = read_split(enricher, "train")
    tuning = []
    for size, similarity in GRID:
        rules = replace(ThemeRules(), min_theme_size=size, assign_similarity=similarity)
        tuning.append((rules, score(train.labels, our_themes(train, rules))))
    chosen, _ = max(tuning, key=lambda pair: pair[1].mean_best_f1)
    test = read_split(enricher, "test")
    ours = our_themes(test, chosen)
    results = {"ours": score(test.labels, ours)}
    results[f"k-means, k = {results['ours'].themes}"] = score(
        test.labels, kmeans_themes(test, results["ours"].themes, chosen.seed)
    )
    results["k-means, k = 77"] = score(test.labels, kmeans_themes(test, 77, chosen.seed))
    daily = day_by_day(test, chosen)
    return render(tuning, chosen, results, agreement(daily, ours), score(test.labels, daily), enricher)


def render(
    tuning, chosen: ThemeRules, results: dict[str, Scores], daily_agreement: float, daily: Scores, enricher
) -> str:
    lines = [
        SECTION_START,
        "## Themes: BANKING77 intents (models.themes)",
        "",
        "Data: BANKING77, 13,083 online-banking customer messages with 77 intent labels (Casanueva et al., 2020,"
        ' "Efficient Intent Detection with Dual Sentence Encoders"; CC BY 4.0). Embeddings: the sentence embedding of'
        f" `{enricher.model_name} {enricher.model_version}` (the one stored beside the scores). Best-theme F1: per"
        " label, the F1 of the one theme that best matches its texts, averaged over the 77 labels; unplaced texts are"
        " in no theme. AMI: adjusted mutual information, unplaced texts as one more group.",
        "",
        "Rule selection on the train split (10,003 texts), by mean best-theme F1:",
        "",
        "| min_theme_size | assign_similarity | themes | unplaced | AMI | mean best-theme F1 |",
        "|---|---|---|---|---|---|",
    ]
    for rules, result in tuning:
        lines.append(
            f"| {rules.min_theme_size} | {rules.assign_similarity} | {result.themes} | {result.unplaced:.3f} | "
            f"{result.ami:.4f} | {result.mean_best_f1:.4f} |"
        )
    lines += [
        "",
        f"Selected: min_theme_size {chosen.min_theme_size}, assign_similarity {chosen.assign_similarity}; the other"
        f" rules at their defaults ({chosen}).",
        "",
        "Test split (3,080 texts), read once:",
        "",
        "| method | themes | unplaced | AMI | mean best-theme F1 |",
        "|---|---|---|---|---|",
    ]
    for name, result in results.items():
        lines.append(
            f"| {name} | {result.themes} | {result.unplaced:.3f} | {result.ami:.4f} | **{result.mean_best_f1:.4f}** |"
        )
    lines += [
        f"| ours, day by day ({DAYS} days) | {daily.themes} | {daily.unplaced:.3f} | {daily.ami:.4f} | "
        f"{daily.mean_best_f1:.4f} |",
        "",
        f"Day by day against one rebuild on the test split: {daily_agreement:.3f} of texts agree (themes matched one"
        " to one). BANKING77's 77 intents are close neighbours (card arrival / card delivery estimate / card not"
        " working): the first day's themes are coarser than a rebuild's, and later days place texts on them.",
        "",
        "Best-theme F1 per label (test):",
        "",
        "| label | " + " | ".join(results) + " |",
        "|---|" + "---|" * len(results),
    ]
    for label in results["ours"].best_f1:
        lines.append(f"| {label} | " + " | ".join(f"{result.best_f1[label]:.3f}" for result in results.values()) + " |")
    lines += ["", SECTION_END]
    return "\n".join(lines)


def replace_section(document: str, section: str) -> str:
    """``document`` with its themes section replaced by ``section`` (appended when it has none)."""
    if SECTION_START in document and SECTION_END in document:
        before = document[: document.index(SECTION_START)]
        after = document[document.index(SECTION_END) + len(SECTION_END) :]
        return before + section + after
    return document.rstrip("\n") + "\n\n" + section + "\n"
