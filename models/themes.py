"""Themes: what a conversation is about, found from the texts' own embeddings, stable from one day to the next.

A theme is a group of texts whose sentence embeddings (models.embeddings, the encoder pass that scores sentiment)
lie close together, with a centroid (the unit-length mean of its first members' embeddings), a stable id and a
short label made of its most distinctive words. No keyword lists and no clustering written here: scikit-learn's
HDBSCAN finds the groups, c-TF-IDF (class-based TF-IDF, as in BERTopic: Grootendorst, 2022) over
scikit-learn's CountVectorizer names them.

How themes are found (``discover``): the embeddings are reduced with PCA (``ThemeRules.reduced_dims``, seeded) and
re-normalised, HDBSCAN groups them (a group needs ``min_theme_size`` texts; ``min_samples`` sets how dense its core
must be), at most ``max_themes`` of the largest groups are kept, and every text is then placed on the nearest
centroid when its cosine similarity reaches ``assign_similarity`` (HDBSCAN leaves many texts of a clear theme as
noise; placing them on their nearest theme recovers them) - a text near no centroid is *unplaced*.

How themes stay stable (``extend``): a refresh places each new text, and each text unplaced so far, on the existing
centroids, which never move, so no text ever changes theme and ids and labels never reshuffle. Only when at least
``min_theme_size`` texts fit no theme does discovery run on them; the groups it finds become new themes with the
next ids and the texts of those groups are placed. A full rebuild (``extend`` from no themes, over every text in
the order they arrived) is deterministic: the same texts in the same order give the same themes, ids and labels.
Day-by-day and rebuild agree on the texts' themes (after matching theme to theme) on at least 95% of texts when the
topics are distinct (tests/models/test_themes.py); what differs is texts between two topics, and themes that a
rebuild sees whole but the days saw grow (their first days' texts may have been placed on an older neighbour).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass

import numpy as np
import polars as pl
from scipy.optimize import linear_sum_assignment
from sklearn.cluster import HDBSCAN
from sklearn.decomposition import PCA
from sklearn.feature_extraction.text import CountVectorizer

NO_THEME = -1
# Words only: no numbers, no single letters, no handles, links or e-mail addresses (removed before counting).
_WORD_PATTERN = r"(?u)\b[^\W\d_]{3,}\b"
_NOT_WORDS = r"(?i)https?://\S+|www\.\S+|\S+@\S+|@\w+"


@dataclass(frozen=True)
class ThemeRules:
    """Every rule of theme discovery, with defaults selected on the banking77 train split (models/EVALUATION.md)."""

    min_theme_size: int = 10  # texts a theme needs to be found; also the fewest unfitting texts that start a new one
    min_samples: int = 5  # HDBSCAN's density: higher, fewer texts in a theme's core
    reduced_dims: int = 32  # PCA components HDBSCAN sees (it separates poorly in all 384 dimensions)
    assign_similarity: float = 0.5  # cosine to a theme's centroid a text needs to join it
    max_themes: int = 100  # per discovery run: the largest groups are kept
    label_terms: int = 3  # words (or two-word phrases) in a label
    min_term_texts: int = 3  # a label word appears in at least this many of the theme's texts: never one author's
    seed: int = 20261206

    def fingerprint(self) -> str:
        return hashlib.sha256(json.dumps(asdict(self), sort_keys=True).encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Themes:
    """The themes known so far: ids, labels and unit-length centroids, in the order they were found."""

    ids: tuple[str, ...]
    labels: tuple[str, ...]
    centroids: np.ndarray  # float32 (themes, dim)

    @classmethod
    def empty(cls, dim: int) -> Themes:
        return cls((), (), np.zeros((0, dim), dtype=np.float32))

    def __len__(self) -> int:
        return len(self.ids)


@dataclass(frozen=True)
class Placement:
    """Per text: the index of its theme in ``Themes`` (NO_THEME when unplaced) and its cosine to that centroid."""

    theme: np.ndarray
    similarity: np.ndarray


def theme_id(number: int) -> str:
    return f"theme-{number:04d}"


def unit_rows(vectors: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return (vectors / np.where(norms == 0, 1.0, norms)).astype(np.float32)


def discover(embeddings: np.ndarray, rules: ThemeRules) -> np.ndarray:
    """Group index per row (NO_THEME for HDBSCAN's noise), groups numbered by their first row: deterministic."""
    rows = len(embeddings)
    groups = np.full(rows, NO_THEME, dtype=np.int64)
    if rows < max(rules.min_theme_size, 2):
        return groups
    dims = min(rules.reduced_dims, rows - 1, embeddings.shape[1])
    reduced = unit_rows(PCA(dims, svd_solver="full", random_state=rules.seed).fit_transform(embeddings))
    found = _hdbscan(reduced, rules, single_cluster=False)
    if found.max() < 0:
        # the texts no theme took may hold just one new theme (a complaint wave), which HDBSCAN calls noise for want
        # of a second cluster to split from; a diffuse single group is then dropped by the coherence rule below
        found = _hdbscan(reduced, rules, single_cluster=True)
    found = _coherent_groups(embeddings, found, rules)
    labels, sizes = np.unique(found[found >= 0], return_counts=True)
    kept = labels[np.argsort(-sizes, kind="stable")][: rules.max_themes]
    first_rows = sorted((int(np.flatnonzero(found == label)[0]), label) for label in kept)
    for number, (_, label) in enumerate(first_rows):
        groups[found == label] = number
    return groups


def _hdbscan(reduced: np.ndarray, rules: ThemeRules, single_cluster: bool) -> np.ndarray:
    return HDBSCAN(
        min_cluster_size=rules.min_theme_size,
        min_samples=min(rules.min_samples, len(reduced)),
        allow_single_cluster=single_cluster,
        copy=True,
    ).fit_predict(reduced)


def _coherent_groups(embeddings: np.ndarray, found: np.ndarray, rules: ThemeRules) -> np.ndarray:
    """HDBSCAN's groups, less those whose own centroid holds fewer than ``min_theme_size`` of its members at
    ``assign_similarity``: a theme must be able to take its own texts."""
    kept = found.copy()
    for group in np.unique(found[found >= 0]):
        members = embeddings[found == group]
        centroid = unit_rows(members.mean(axis=0, keepdims=True))[0]
        if np.sum(members @ centroid >= rules.assign_similarity) < rules.min_theme_size:
            kept[found == group] = NO_THEME
    return kept


def centroids_of(embeddings: np.ndarray, groups: np.ndarray, count: int) -> np.ndarray:
    return unit_rows(np.stack([embeddings[groups == group].mean(axis=0) for group in range(count)]))


def place(embeddings: np.ndarray, centroids: np.ndarray, rules: ThemeRules) -> Placement:
    """Nearest centroid by cosine, kept when it reaches ``rules.assign_similarity``; ties go to the older theme."""
    if not len(centroids) or not len(embeddings):
        return Placement(np.full(len(embeddings), NO_THEME, dtype=np.int64), np.full(len(embeddings), np.nan))
    similarity = embeddings @ centroids.T
    nearest = similarity.argmax(axis=1)
    best = similarity[np.arange(len(embeddings)), nearest]
    fits = best >= rules.assign_similarity
    return Placement(np.where(fits, nearest, NO_THEME), np.where(fits, best, np.nan))


def extend(themes: Themes, texts: list[str], embeddings: np.ndarray, rules: ThemeRules) -> tuple[Themes, Placement]:
    """Place ``texts`` (new ones and those unplaced so far, in arrival order) on ``themes``; when at least
    ``min_theme_size`` of them fit none, discover new themes among those and place them there. Existing themes are
    never changed. ``extend(Themes.empty(dim), ...)`` over every text is the full rebuild."""
    embeddings = unit_rows(np.asarray(embeddings, dtype=np.float32))
    placement = place(embeddings, themes.centroids, rules)
    unfit = np.flatnonzero(placement.theme == NO_THEME)
    if len(unfit) < rules.min_theme_size:
        return themes, placement
    groups = discover(embeddings[unfit], rules)
    count = int(groups.max()) + 1
    if count == 0:
        return themes, placement
    new_centroids = centroids_of(embeddings[unfit], groups, count)
    classes = np.full(len(texts), NO_THEME, dtype=np.int64)
    classes[unfit] = groups
    labels = label_themes(texts, classes, count, rules)
    first = len(themes) + 1
    grown = Themes(
        themes.ids + tuple(theme_id(first + index) for index in range(count)),
        themes.labels + tuple(labels),
        np.concatenate([themes.centroids, new_centroids]).astype(np.float32),
    )
    placed_now = place(embeddings[unfit], new_centroids, rules)
    theme = placement.theme.copy()
    similarity = placement.similarity.copy()
    fits = placed_now.theme != NO_THEME
    theme[unfit[fits]] = placed_now.theme[fits] + len(themes)
    similarity[unfit[fits]] = placed_now.similarity[fits]
    return grown, Placement(theme, similarity)


def label_themes(texts: list[str], classes: np.ndarray, count: int, rules: ThemeRules) -> list[str]:
    """Each theme's ``label_terms`` most distinctive words by c-TF-IDF: the texts of a class are one document, a
    term's weight is its frequency in the class times log(1 + mean words per class / its frequency in all classes).
    The texts of no theme form one more class, so words common to everything never label a theme. A word counts
    only where it appears in at least ``min_term_texts`` of the theme's texts."""
    cleaned = (
        pl.Series(texts, dtype=pl.String)
        .fill_null("")
        .str.replace_all(_NOT_WORDS, " ")
        .str.replace_all("['’]", "")  # "hasn't" -> "hasnt", a stop word, rather than "hasn"
        .to_list()
    )
    vectorizer = CountVectorizer(
        stop_words="english", token_pattern=_WORD_PATTERN, ngram_range=(1, 2), min_df=rules.min_term_texts
    )
    try:
        counts = vectorizer.fit_transform(cleaned)
    except ValueError:  # no word in enough texts: nothing distinctive to say
        return [""] * count
    terms = vectorizer.get_feature_names_out()
    membership = np.zeros((count + 1, len(texts)), dtype=np.float64)
    membership[np.where(classes >= 0, classes, count), np.arange(len(texts))] = 1.0
    class_counts = np.asarray((counts.T @ membership.T).T)
    class_texts = np.asarray(((counts > 0).astype(np.float64).T @ membership.T).T)
    totals = class_counts.sum(axis=1, keepdims=True)
    frequency = class_counts / np.where(totals == 0, 1.0, totals)
    term_totals = class_counts.sum(axis=0)
    weight = frequency * np.log1p(totals.mean() / np.where(term_totals == 0, 1.0, term_totals))
    weight[class_texts < rules.min_term_texts] = 0.0
    return [_label(terms, weight[group], rules.label_terms) for group in range(count)]


def _label(terms: np.ndarray, weights: np.ndarray, size: int) -> str:
    """The heaviest terms, skipping any that shares a word with one already chosen ("card" after "card arrival")."""
    chosen: list[str] = []
    words: set[str] = set()
    for index in np.lexsort((terms, -weights)):
        if weights[index] <= 0 or len(chosen) == size:
            break
        term_words = set(str(terms[index]).split())
        if term_words & words:
            continue
        chosen.append(str(terms[index]))
        words |= term_words
    return ", ".join(chosen)


def agreement(first: np.ndarray, second: np.ndarray) -> float:
    """Share of texts on which two assignments agree once each theme of one is matched to at most one theme of the
    other (the matching that maximises agreement); unplaced agrees only with unplaced."""
    if not len(first):
        return 1.0
    left = {value: index for index, value in enumerate(np.unique(first[first >= 0]))}
    right = {value: index for index, value in enumerate(np.unique(second[second >= 0]))}
    overlap = np.zeros((len(left), len(right)))
    both = (first >= 0) & (second >= 0)
    np.add.at(overlap, ([left[v] for v in first[both]], [right[v] for v in second[both]]), 1)
    rows, columns = linear_sum_assignment(overlap, maximize=True)
    matched = overlap[rows, columns].sum()
    unplaced_in_both = np.sum((first < 0) & (second < 0))
    return float((matched + unplaced_in_both) / len(first))
