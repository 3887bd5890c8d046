"""Themes: what a conversation is about, found from the texts' own embeddings, stable from one day to the next.

A theme is a group of texts whose sentence embeddings (models.embeddings, the encoder pass that scores sentiment)
lie close together, with a centroid (the unit-length mean of its members' embeddings), a stable id and a short
label made of its most distinctive words. No keyword lists and no clustering written here: scikit-learn's HDBSCAN
and Ward's linkage (scipy's, as scikit-learn's AgglomerativeClustering runs it) find the groups, c-TF-IDF
(class-based TF-IDF, as in BERTopic: Grootendorst, 2022) over scikit-learn's CountVectorizer names them.

How themes are found (``cluster``): HDBSCAN decides how many themes there are, Ward's agglomerative clustering
draws them. The embeddings are reduced with PCA (``ThemeRules.reduced_dims``, seeded) and re-normalised; HDBSCAN
counts the dense groups (a group needs ``min_theme_share`` of the texts, at least ``min_theme_size``;
``min_samples`` sets how dense its core must be, ``selection`` is its cluster_selection_method); that count is the
number of themes: the data decide it, ``max_themes`` is only a safety bound (on BANKING77, 77 intents, the count
stays well below it: models/EVALUATION.md). Ward (scikit-learn's AgglomerativeClustering, on the full embeddings)
splits the texts into that many themes, and every text goes to the nearest theme centroid. HDBSCAN's own groups
leave many texts as noise and, at the same number of themes, match human labels less well than Ward's or k-means'
(models/EVALUATION.md); Ward matches them best. A text whose cosine
to its theme's centroid stays below ``assign_similarity`` is *unplaced*. Above ``max_cluster_texts`` texts, the
clustering sees a seeded sample of that size (Ward's memory grows with the square of the texts) and every text
still goes to its nearest centroid. Everything is seeded and groups are numbered by their first row: the same texts
in the same order give the same themes.

How themes stay stable (``refresh``): a clustering clusters every text so far again (the caller gives them in a
canonical order, so a refresh and a rebuild over the same texts find the same groups), then carries the known
themes over: the overlap of each known theme's texts with each new group is matched one to one (Hungarian
assignment, scipy's linear_sum_assignment), and a group that holds at least ``carry_over_share`` of a known theme's
texts keeps that theme's id and label. A group that matches no known theme gets the next new id and its own label:
that is when a new theme appears (new texts that fit no known theme and form a dense group of the minimum size).
Ids and labels therefore never change; a known theme that no group matches keeps its id and label with no texts
(it merged into a neighbour). Texts may move between themes as the themes sharpen with more data: this is what
keeps day-by-day and a full rebuild in agreement (they differ only in id naming).

Between clusterings (``place``): clustering every text again costs the same whatever the day added, so a day's new
texts only go to their nearest known theme (the same cosine rule, against the stored centroids) until the texts have
grown by ``recluster_growth`` since the last clustering; the caller (models.theme_tables) decides when to cluster.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass

import numpy as np
import polars as pl

NO_THEME = -1
# Words only: no numbers, no single letters, no handles, links or e-mail addresses (removed before counting).
_WORD_PATTERN = r"(?u)\b[^\W\d_]{3,}\b"
_NOT_WORDS = r"(?i)https?://\S+|www\.\S+|\S+@\S+|@\w+"
# Rows of Ward's distance matrix computed at a time: 512 x 10,000 texts in float64 is 40 MB beside the matrix.
_DISTANCE_BLOCK_ROWS = 512


@dataclass(frozen=True)
class ThemeRules:
    """Every rule of theme discovery, with defaults selected on the banking77 train split (models/EVALUATION.md)."""

    # A theme needs min_theme_share of the texts clustered, and never fewer than min_theme_size: a share, so that a
    # larger conversation needs larger groups to make a theme (a fixed size keeps splitting the same topics finer as
    # texts accumulate). HDBSCAN counts the dense groups of that size: that count is the number of themes. Fewer
    # texts per theme, more (finer) themes.
    min_theme_share: float = 0.001
    min_theme_size: int = 5
    min_samples: int = 5  # HDBSCAN's density: higher, fewer texts in a theme's core
    selection: str = "eom"  # HDBSCAN's cluster_selection_method: "eom" (larger themes) or "leaf" (finer ones)
    reduced_dims: int = 32  # PCA components HDBSCAN sees (it separates poorly in all 384 dimensions)
    assign_similarity: float = 0.5  # cosine to its theme's centroid a text needs to be placed, else unplaced
    max_themes: int = 200  # a safety bound only (Ward's cost, a readable list): the data sets the count below it
    max_cluster_texts: int = 10_000  # above this, the clustering sees a seeded sample (Ward's memory grows as n^2)
    carry_over_share: float = 0.3  # share of a known theme's texts a new group needs to keep its id and label
    # Cluster again once the texts grew by this share since the last clustering; until then new texts only go to
    # their nearest known theme. Not part of the fingerprint: a rebuild finds the same themes whatever its value.
    recluster_growth: float = 0.25
    label_terms: int = 3  # words (or two-word phrases) in a label
    min_term_texts: int = 3  # a label word appears in at least this many of the theme's texts: never one author's
    seed: int = 20261206

    def fingerprint(self) -> str:
        """A digest of the rules that decide what a clustering finds (a change rebuilds the themes)."""
        rules = {name: value for name, value in asdict(self).items() if name != "recluster_growth"}
        return hashlib.sha256(json.dumps(rules, sort_keys=True).encode()).hexdigest()[:16]


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


def cluster(embeddings: np.ndarray, rules: ThemeRules) -> np.ndarray:
    """Group index per row (NO_THEME: unplaced), groups numbered by their first row; see the module docstring."""
    # scikit-learn and scipy are imported where they cluster: a day that only places new texts (``place``), and
    # every process that builds the definitions, does without them (seconds of start-up)
    from sklearn.decomposition import PCA

    rows = len(embeddings)
    groups = np.full(rows, NO_THEME, dtype=np.int64)
    if rows < smallest_theme(rows, rules):
        return groups
    sample = np.arange(rows)
    if rows > rules.max_cluster_texts:
        sample = np.sort(np.random.default_rng(rules.seed).choice(rows, rules.max_cluster_texts, replace=False))
    dims = min(rules.reduced_dims, len(sample) - 1, embeddings.shape[1])
    solver = _pca_solver(len(sample), embeddings.shape[1])
    reduced = unit_rows(PCA(dims, svd_solver=solver, random_state=rules.seed).fit_transform(embeddings[sample]))
    found = _hdbscan(reduced, rules)
    # One topic alone (a brand's small conversation, a first small day, a complaint wave) is noise to HDBSCAN, which
    # finds groups by their contrast with others: PCA centres the texts, and what is left of one topic is noise.
    # Then the texts are one theme, and those that lie within assign_similarity of its centroid are placed on it.
    count = min(max(len(np.unique(found[found >= 0])), 1), rules.max_themes)
    ward = _ward(embeddings[sample], count) if count > 1 else np.zeros(len(sample), dtype=np.int64)
    centroids = centroids_of(embeddings[sample], ward, count)
    similarity = embeddings @ centroids.T
    nearest = similarity.argmax(axis=1)
    fits = similarity[np.arange(rows), nearest] >= rules.assign_similarity
    if np.sum(fits) < smallest_theme(rows, rules):
        return groups
    first_rows = sorted((int(np.flatnonzero(nearest == group)[0]), group) for group in np.unique(nearest[fits]))
    for number, (_, group) in enumerate(first_rows):
        groups[(nearest == group) & fits] = number
    return groups


def _ward(embeddings: np.ndarray, count: int) -> np.ndarray:
    """Each row's group among ``count`` by Ward's linkage: what AgglomerativeClustering(count, linkage="ward") does
    (scipy's Ward tree, cut as scikit-learn cuts it, so the groups are numbered alike), on distances from one matrix
    product (``pairwise_distances``) instead of scipy's one pair at a time."""
    from scipy.cluster.hierarchy import linkage
    from sklearn.cluster._agglomerative import _hc_cut

    tree = linkage(pairwise_distances(embeddings), method="ward")
    return _hc_cut(count, tree[:, :2].astype(np.intp), len(embeddings))


def pairwise_distances(embeddings: np.ndarray) -> np.ndarray:
    """The condensed Euclidean distance matrix (scipy's ``pdist`` layout), in float64, as |a|^2 + |b|^2 - 2 a.b: one
    matrix product per block of rows. scipy's ``pdist`` sums each pair's squared differences one dimension at a
    time, about 10 CPU seconds for 10,000 texts of 384 dimensions against under one here; the two differ in the last
    bits only (the 1M-interaction benchmark year and BANKING77 give the same Ward groups either way)."""
    vectors = np.asarray(embeddings, dtype=np.float64)
    rows = len(vectors)
    squares = np.einsum("ij,ij->i", vectors, vectors)
    condensed = np.empty(rows * (rows - 1) // 2, dtype=np.float64)
    for first in range(0, rows, _DISTANCE_BLOCK_ROWS):
        last = min(first + _DISTANCE_BLOCK_ROWS, rows)
        block = (
            squares[first:last, None] + squares[None, first + 1 :] - 2 * (vectors[first:last] @ vectors[first + 1 :].T)
        )
        np.sqrt(np.maximum(block, 0, out=block), out=block)  # rounding may leave a duplicate a hair below zero
        for row in range(first, last):
            start = rows * row - row * (row + 1) // 2
            condensed[start : start + rows - row - 1] = block[row - first, row - first :]
    return condensed


def _pca_solver(rows: int, dims: int) -> str:
    """A tall sample (scikit-learn's own rule: ten times more texts than dimensions) is reduced from its covariance
    matrix's eigenvectors, a dims x dims problem, instead of the SVD of every text: the same components to rounding
    (the same themes on the 1M-interaction benchmark year and on BANKING77), in a fraction of the time at 10,000
    texts. Fewer texts keep the full SVD, exact whatever their rank."""
    return "covariance_eigh" if rows >= 10 * dims else "full"


def smallest_theme(texts: int, rules: ThemeRules) -> int:
    """The fewest texts a theme may hold when ``texts`` are clustered."""
    return max(rules.min_theme_size, round(rules.min_theme_share * texts), 2)


def _hdbscan(reduced: np.ndarray, rules: ThemeRules) -> np.ndarray:
    from sklearn.cluster import HDBSCAN

    return HDBSCAN(
        min_cluster_size=smallest_theme(len(reduced), rules),
        min_samples=min(rules.min_samples, len(reduced)),
        cluster_selection_method=rules.selection,
        copy=True,
    ).fit_predict(reduced)


def centroids_of(embeddings: np.ndarray, groups: np.ndarray, count: int) -> np.ndarray:
    return unit_rows(np.stack([embeddings[groups == group].mean(axis=0) for group in range(count)]))


def carry_over(known: np.ndarray, known_count: int, groups: np.ndarray, count: int, share: float) -> np.ndarray:
    """Per new group, the index of the known theme it continues (NO_THEME: a new theme). ``known`` is each text's
    known theme (NO_THEME for new or unplaced texts); groups and known themes are matched one to one by overlap."""
    from scipy.optimize import linear_sum_assignment

    continued = np.full(count, NO_THEME, dtype=np.int64)
    both = (known >= 0) & (groups >= 0)
    if not known_count or not count or not both.any():
        return continued
    overlap = np.zeros((known_count, count))
    np.add.at(overlap, (known[both], groups[both]), 1)
    known_sizes = np.bincount(known[known >= 0], minlength=known_count)
    rows, columns = linear_sum_assignment(overlap, maximize=True)
    enough = overlap[rows, columns] >= share * np.maximum(known_sizes[rows], 1)
    enough &= overlap[rows, columns] > 0
    continued[columns[enough]] = rows[enough]
    return continued


def refresh(
    themes: Themes,
    known: np.ndarray,
    texts: list[str],
    embeddings: np.ndarray,
    rules: ThemeRules,
    keep_words: frozenset[str] = frozenset(),
    next_number: int | None = None,
) -> tuple[Themes, Placement]:
    """Cluster every text again and carry ``themes`` over (module docstring). ``known`` is each text's index in
    ``themes`` before (NO_THEME if none). Returns the themes, the known ones first with their ids and labels, and each
    text's place among them. New themes are numbered from ``next_number`` (default: after ``themes``; the warehouse
    numbers over every brand group, so that an id names one brand's theme).
    ``refresh(Themes.empty(dim), all NO_THEME, ...)`` is the full rebuild."""
    embeddings = unit_rows(np.asarray(embeddings, dtype=np.float32))
    groups = cluster(embeddings, rules)
    count = int(groups.max()) + 1
    continued = carry_over(np.asarray(known, dtype=np.int64), len(themes), groups, count, rules.carry_over_share)
    fresh = np.flatnonzero(continued == NO_THEME)
    first_number = len(themes) + 1 if next_number is None else next_number
    index_of = continued.copy()
    index_of[fresh] = len(themes) + np.arange(len(fresh))
    new_labels = label_themes(texts, groups, count, rules, keep_words) if len(fresh) else []
    centroids = themes.centroids.copy() if len(themes) else np.zeros((0, embeddings.shape[1]), dtype=np.float32)
    if count:
        group_centroids = centroids_of(embeddings, groups, count)
        centroids = np.concatenate([centroids, group_centroids[fresh]]).astype(np.float32)
        centroids[continued[continued >= 0]] = group_centroids[continued >= 0]
    grown = Themes(
        themes.ids + tuple(theme_id(first_number + number) for number in range(len(fresh))),
        themes.labels + tuple(new_labels[group] for group in fresh),
        centroids,
    )
    theme = np.where(groups >= 0, index_of[np.maximum(groups, 0)] if count else NO_THEME, NO_THEME)
    similarity = np.where(
        theme >= 0, np.sum(embeddings * grown.centroids[np.maximum(theme, 0)], axis=1) if len(grown) else 0, np.nan
    )
    return grown, Placement(theme, similarity)


def place(themes: Themes, embeddings: np.ndarray, rules: ThemeRules) -> Placement:
    """Each text on its nearest known theme, when its cosine to that centroid reaches ``assign_similarity`` (else
    unplaced): how new texts are placed between clusterings. Depends only on the centroids and the text itself."""
    embeddings = unit_rows(np.asarray(embeddings, dtype=np.float32))
    unplaced = Placement(np.full(len(embeddings), NO_THEME, dtype=np.int64), np.full(len(embeddings), np.nan))
    if not len(themes) or not len(embeddings):
        return unplaced
    similarity = embeddings @ themes.centroids.T
    nearest = similarity.argmax(axis=1)
    best = similarity[np.arange(len(embeddings)), nearest]
    fits = best >= rules.assign_similarity
    return Placement(np.where(fits, nearest, NO_THEME), np.where(fits, best, np.nan))


def _cleaned(texts: list[str]) -> pl.Series:
    return (
        pl.Series(texts, dtype=pl.String)
        .fill_null("")
        .str.replace_all(_NOT_WORDS, " ")
        .str.replace_all("['’]", "")  # "hasn't" -> "hasnt", a stop word, rather than "hasn"
    )


def proper_nouns(texts: list[str], keep_words: frozenset[str] = frozenset()) -> set[str]:
    """Lower-case words written capitalised ("Maria", not "MARIA") in most of their occurrences inside a sentence
    (a sentence's first word is capitalised anyway and does not count): names of people, places and companies,
    which must never label a theme. ``keep_words`` (lower case: the configured brand and product names) stay."""
    tokens = (
        pl.DataFrame({"token": _cleaned(texts).str.extract_all(r"[^\W\d_]+|[.!?\n]")})
        .with_row_index("text")
        .explode("token")
        .drop_nulls("token")
        .with_columns(previous=pl.col("token").shift(1).over("text"))
        .filter(pl.col("token").str.len_chars() >= 3, pl.col("previous").is_not_null())
        .filter(~pl.col("previous").is_in([".", "!", "?", "\n"]))
        .group_by(word=pl.col("token").str.to_lowercase())
        .agg(capitalised=pl.col("token").str.contains(r"^\p{Lu}\p{Ll}").mean())
        .filter(pl.col("capitalised") > 0.5, ~pl.col("word").is_in(list(keep_words)))
    )
    return set(tokens["word"].to_list())


def label_themes(
    texts: list[str], classes: np.ndarray, count: int, rules: ThemeRules, keep_words: frozenset[str] = frozenset()
) -> list[str]:
    """Each theme's ``label_terms`` most distinctive words by c-TF-IDF: the texts of a class are one document, a
    term's weight is its frequency in the class times log(1 + mean words per class / its frequency in all classes).
    The texts of no theme form one more class, so words common to everything never label a theme. A word counts
    only where it appears in at least ``min_term_texts`` of the theme's texts, and never when it is a proper noun
    (``proper_nouns``: a person's name must not label a theme)."""
    from sklearn.feature_extraction.text import CountVectorizer

    vectorizer = CountVectorizer(
        stop_words="english", token_pattern=_WORD_PATTERN, ngram_range=(1, 2), min_df=rules.min_term_texts
    )
    try:
        counts = vectorizer.fit_transform(_cleaned(texts).to_list())
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
    names = proper_nouns(texts, keep_words)
    weight[:, [bool(set(str(term).split()) & names) for term in terms]] = 0.0
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
    from scipy.optimize import linear_sum_assignment

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
