"""The themes section of models/EVALUATION.md: discovered themes against human intent labels, beside k-means.

    python -m models.evaluate --themes-only [--banking77-dir FOLDER]     (or as part of: ror evaluate)

Data: BANKING77 (the folder of its train.csv and test.csv, ``--banking77-dir``; default ../shared/data/banking77
beside the checkout): 13,083 online-banking customer messages, each with
one of 77 intents (Casanueva, Temcinson, Gerz, Henderson, Vulic, "Efficient Intent Detection with Dual Sentence
Encoders", NLP4ConvAI 2020). Metrics: adjusted mutual information between themes and labels (unplaced texts count as
one more theme), and per label the best theme's F1 (the theme whose members best match the label's texts; an
unplaced text is in no theme), averaged over labels. Baseline: scikit-learn k-means (seeded) on the same embeddings,
with k = the number of themes ours found and k = 77. The rule (models.themes.ThemeRules: the smallest theme as a
share of the texts, HDBSCAN's cluster selection) is selected on the train split only, by mean best-theme F1; the
number of themes is whatever HDBSCAN then finds (max_themes is only a safety bound, never reached here). The test
split is read once, with the selected rule. Also measured on test: the agreement of a day-by-day refresh (7 equal
"days" in file order) with one rebuild.
"""

from __future__ import annotations

import csv
import time
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
from sklearn.cluster import KMeans
from sklearn.metrics import adjusted_mutual_info_score

from models.enrich import Enricher
from models.themes import NO_THEME, ThemeRules, Themes, agreement, cluster, refresh, smallest_theme, unit_rows

SECTION_START = "<!-- themes: written by models/evaluate_themes.py -->"
SECTION_END = "<!-- end of themes -->"
DEFAULT_DIR = Path(__file__).resolve().parents[2] / "shared" / "data" / "banking77"  # beside the checkout
SPLITS = ("train", "test")
# The train-split grid (min_theme_share x HDBSCAN's cluster selection); ThemeRules' defaults are the rule it selected.
GRID = [(share, selection) for share in (0.0025, 0.001, 0.005) for selection in ("leaf", "eom")]
LABELS = 77
DAYS = 7
TRAIN_TEXTS, TEST_TEXTS = 10_003, 3_080
TIMED_ROWS = (20_000, 100_000)


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


def missing_banking77(folder: Path) -> str | None:
    """What to do when BANKING77's splits are not in ``folder``; None when they are."""
    missing = [f"{name}.csv" for name in SPLITS if not (folder / f"{name}.csv").is_file()]
    if not missing:
        return None
    return (
        f"BANKING77 not found in {folder} (no {' or '.join(missing)}): pass --banking77-dir with the folder of its "
        "train.csv and test.csv (in this project's checkouts: --banking77-dir ../shared/data/banking77)"
    )


def read_split(enricher: Enricher, name: str, folder: Path) -> Split:
    with open(folder / f"{name}.csv", newline="", encoding="utf-8") as handle:
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
    unknown = np.full(len(split.texts), NO_THEME)
    return refresh(Themes.empty(split.embeddings.shape[1]), unknown, split.texts, split.embeddings, rules)[1].theme


def kmeans_themes(split: Split, k: int, seed: int) -> np.ndarray:
    return KMeans(k, random_state=seed, n_init=4).fit_predict(split.embeddings)


def day_by_day(split: Split, rules: ThemeRules) -> tuple[np.ndarray, float]:
    """Each day refreshes the themes over every text so far (file order); the last day's assignment, and the share
    of texts themed on an earlier day that changed theme on a later one."""
    themes = Themes.empty(split.embeddings.shape[1])
    assigned = np.full(len(split.texts), NO_THEME)
    moved = np.zeros(len(split.texts), dtype=bool)
    for day in np.array_split(np.arange(len(split.texts)), DAYS):
        so_far = np.arange(day[-1] + 1)
        themes, placement = refresh(
            themes, assigned[so_far], split.texts[: day[-1] + 1], split.embeddings[so_far], rules
        )
        moved[so_far] |= (assigned[so_far] != NO_THEME) & (placement.theme != assigned[so_far])
        assigned[so_far] = placement.theme
    return assigned, float(moved.mean())


def clustering_seconds(embeddings: np.ndarray, rows: int, rules: ThemeRules) -> float:
    """Seconds one re-cluster of ``rows`` texts takes: the given embeddings resampled with a little seeded noise."""
    rng = np.random.default_rng(rules.seed)
    texts = embeddings[rng.integers(0, len(embeddings), rows)] + rng.normal(0, 0.02, (rows, embeddings.shape[1]))
    start = time.perf_counter()
    cluster(unit_rows(texts), rules)
    return time.perf_counter() - start


def evaluate_themes(enricher: Enricher, folder: Path) -> str:
    """The themes section, from BANKING77's splits in ``folder``."""
    train = read_split(enricher, "train", folder)
    tuning = []
    for share, selection in GRID:
        rules = replace(ThemeRules(), min_theme_share=share, selection=selection)
        tuning.append((rules, score(train.labels, our_themes(train, rules))))
    chosen, _ = max(tuning, key=lambda pair: pair[1].mean_best_f1)
    test = read_split(enricher, "test", folder)
    ours = our_themes(test, chosen)
    results = {"ours": score(test.labels, ours)}
    found = results["ours"].themes
    results[f"k-means, k = {found}"] = score(test.labels, kmeans_themes(test, found, chosen.seed))
    results[f"k-means, k = {LABELS}"] = score(test.labels, kmeans_themes(test, LABELS, chosen.seed))
    daily, moved = day_by_day(test, chosen)
    timings = {rows: clustering_seconds(train.embeddings, rows, chosen) for rows in TIMED_ROWS}
    return render(
        tuning, chosen, results, (agreement(daily, ours), moved, score(test.labels, daily)), timings, enricher
    )


def render(tuning, chosen: ThemeRules, results: dict[str, Scores], days, timings: dict[int, float], enricher) -> str:
    daily_agreement, moved, daily = days
    capped = (
        any(result.themes >= rules.max_themes for rules, result in tuning)
        or results["ours"].themes >= chosen.max_themes
    )
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
        "| min_theme_share | smallest theme (texts) | selection | themes | unplaced | AMI | mean best-theme F1 |",
        "|---|---|---|---|---|---|---|",
    ]
    for rules, result in tuning:
        lines.append(
            f"| {rules.min_theme_share} | {smallest_theme(TRAIN_TEXTS, rules)} | {rules.selection} | {result.themes} |"
            f" {result.unplaced:.3f} | "
            f"{result.ami:.4f} | {result.mean_best_f1:.4f} |"
        )
    lines += [
        "",
        f"Selected: min_theme_share {chosen.min_theme_share}, selection {chosen.selection}; the other"
        f" rules at their defaults ({chosen}).",
        "",
        f"How many themes: {results['ours'].themes} found on the test split against {LABELS} human intents, decided"
        f" by the data (HDBSCAN's dense groups of at least {smallest_theme(TEST_TEXTS, chosen)} texts there: the"
        f" share {chosen.min_theme_share} of 3,080 texts, and at least min_theme_size {chosen.min_theme_size});"
        f" the safety bound max_themes ({chosen.max_themes}) was"
        + (" reached by some rule above." if capped else " reached by no rule above."),
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
        " to one). Each day re-clusters every text so far and carries the known themes' ids and labels over, so the"
        f" last day finds the rebuild's groups; on the way, {moved:.3f} of texts themed on an earlier day changed"
        " theme on a later one (the first days' themes are coarser: a small batch makes broad themes).",
        "",
        "Time of one re-cluster on this machine (2 shared CPU cores; BANKING77 train embeddings resampled with noise;"
        f" above {chosen.max_cluster_texts:,} texts the clustering sees a seeded sample of that size and every text"
        " goes to its nearest theme): "
        + "; ".join(f"{rows:,} texts {seconds:.1f} s" for rows, seconds in timings.items())
        + ".",
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
