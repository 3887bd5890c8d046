"""Themes (models.themes) and the embeddings they read (models.embeddings), on generated topics and the real encoder."""

from datetime import UTC, datetime
from pathlib import Path

import duckdb
import numpy as np
import polars as pl
import pytest

from ingest.text import text_hash
from ingest.warehouse import ensure_raw_schema
from models import themes as themes_module
from models.cache import ensure_enrichment_table, store, store_files, write_scores
from models.embeddings import TABLE, dequantise, quantise, texts_without_embedding
from models.evaluate_themes import DEFAULT_DIR as BANKING77_DIR
from models.theme_tables import ASSIGNMENTS_TABLE, GROUP_ACCOUNTS, THEMES_TABLE, refresh_themes
from models.themes import NO_THEME, ThemeRules, Themes, agreement, pairwise_distances, proper_nouns, refresh
from orchestration.assets.themes import theme_rules
from ror_config import ConfigError, parse_config
from ror_config.models import ThemesConfig

TOPICS = {
    "refund": ["refund", "money", "back", "charged", "twice"],
    "delivery": ["parcel", "delivery", "late", "courier", "arrived"],
    "app": ["app", "crashes", "login", "update", "screen"],
    "coffee": ["coffee", "blend", "roast", "beans", "taste"],
    "store": ["store", "opening", "hours", "staff", "queue"],
    "sizes": ["size", "fit", "small", "large", "exchange"],
}
FILLER = ["really", "today", "again", "please", "thanks", "guys", "honestly"]
DIM = 384


def generated(topic_days: dict[str, range], per_day: int = 12, seed: int = 7) -> tuple[list[str], np.ndarray, list]:
    """(texts, embeddings, (day, topic) per text): each topic's texts scattered around its own direction."""
    rng = np.random.default_rng(seed)
    centres = {topic: rng.normal(size=DIM) for topic in TOPICS}
    texts, vectors, meta = [], [], []
    for day in range(max(r.stop for r in topic_days.values())):
        for topic, days in topic_days.items():
            if day not in days:
                continue
            for _ in range(per_day):
                words = list(rng.choice(TOPICS[topic], size=3, replace=False)) + list(rng.choice(FILLER, size=2))
                texts.append(" ".join(rng.permutation(words)))
                centre = centres[topic] / np.linalg.norm(centres[topic])
                vectors.append(centre + rng.normal(size=DIM) * 0.045)
                meta.append((day, topic))
    return texts, np.asarray(vectors, dtype=np.float32), meta


def rebuild(texts, embeddings, rules=None, dim=DIM):
    return refresh(Themes.empty(dim), np.full(len(texts), NO_THEME), texts, embeddings, rules or ThemeRules())


def day_by_day(texts, embeddings, days, rules, dim=DIM):
    """Each day refreshes the themes over every text so far (texts are in day order)."""
    themes, assigned, history = Themes.empty(dim), np.full(len(texts), NO_THEME), []
    for day in sorted(set(days)):
        so_far = np.flatnonzero(np.asarray(days) <= day)
        themes, placement = refresh(themes, assigned[so_far], [texts[i] for i in so_far], embeddings[so_far], rules)
        assigned[so_far] = placement.theme
        history.append((themes, assigned.copy()))
    return themes, assigned, history


ALL_WEEK = {topic: range(7) for topic in ("refund", "delivery", "app", "coffee")} | {"store": range(3, 7)}


def test_quantised_embeddings_keep_their_direction():
    vectors = np.random.default_rng(1).normal(size=(50, DIM)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    blobs, scales = quantise(vectors)
    assert all(len(blob) == DIM for blob in blobs)
    restored = dequantise(blobs, scales)
    assert np.min(np.sum(restored * vectors, axis=1)) > 0.999


def test_a_full_rebuild_is_deterministic():
    texts, embeddings, _ = generated(ALL_WEEK)
    first, placed = rebuild(texts, embeddings)
    again, placed_again = rebuild(texts, embeddings)
    assert first.ids == again.ids and first.labels == again.labels
    np.testing.assert_array_equal(placed.theme, placed_again.theme)
    assert len(first) == 5
    assert first.ids[0] == "theme-0001"


def test_distances_from_one_matrix_product_per_block_are_scipys_to_the_last_bits(monkeypatch):
    from scipy.spatial.distance import pdist

    # blocks of 7 rows over 60: several blocks, the last one short
    monkeypatch.setattr(themes_module, "_DISTANCE_BLOCK_ROWS", 7)
    _, embeddings, _ = generated(ALL_WEEK, per_day=2)
    embeddings = embeddings[:60]
    np.testing.assert_allclose(pairwise_distances(embeddings), pdist(embeddings), rtol=1e-12, atol=1e-7)
    np.testing.assert_allclose(pairwise_distances(embeddings[:2]), pdist(embeddings[:2]), rtol=1e-12, atol=1e-7)
    # a duplicate is at (about) zero, never NaN: the square root of a rounding error below zero
    twice = np.concatenate([embeddings[:3], embeddings[:3]])
    assert np.sum(pairwise_distances(twice) < 1e-7) == 3 and np.all(pairwise_distances(twice) >= 0)


def test_ward_is_scikit_learns_ward_numbered_alike(monkeypatch):
    from sklearn.cluster import AgglomerativeClustering

    monkeypatch.setattr(themes_module, "_DISTANCE_BLOCK_ROWS", 16)
    _, embeddings, _ = generated(ALL_WEEK, per_day=3)
    for count in (2, 5, 9):
        expected = AgglomerativeClustering(count, linkage="ward").fit_predict(embeddings)
        # the same labels, numbered the same way: the centroids' order decides argmax ties
        np.testing.assert_array_equal(themes_module._ward(embeddings, count), expected)


def test_a_tall_sample_reduced_from_its_covariance_finds_the_full_svds_themes(monkeypatch):
    texts, embeddings, _ = generated(ALL_WEEK, per_day=120)
    assert themes_module._pca_solver(len(texts), DIM) == "covariance_eigh"
    from_covariance = themes_module.cluster(embeddings, ThemeRules())
    monkeypatch.setattr(themes_module, "_pca_solver", lambda rows, dims: "full")
    np.testing.assert_array_equal(from_covariance, themes_module.cluster(embeddings, ThemeRules()))
    assert from_covariance.max() + 1 == 5


def test_day_by_day_agrees_with_one_rebuild_and_never_reshuffles():
    texts, embeddings, meta = generated(ALL_WEEK)
    days = [day for day, _ in meta]
    rules = ThemeRules()
    daily_themes, daily, history = day_by_day(texts, embeddings, days, rules)
    _, rebuilt = rebuild(texts, embeddings, rules)
    assert agreement(daily, rebuilt.theme) >= 0.95
    for (before, _), (after, _) in zip(history, history[1:], strict=False):
        assert after.ids[: len(before)] == before.ids and after.labels[: len(before)] == before.labels
    # the store topic starts on day 3: a new theme then, the old ones kept
    assert len(history[2][0]) == 4 and len(daily_themes) == 5
    assert "store" in daily_themes.labels[4] or "opening" in daily_themes.labels[4] or "queue" in daily_themes.labels[4]


def test_a_broad_first_day_does_not_hold_later_texts_back():
    """Day one sees two topics that a week later turn out to be four: the week's themes are the four a rebuild finds,
    and the first day's ids continue on the two groups that hold most of their texts."""
    week = {"refund": range(7), "delivery": range(7)} | {"app": range(1, 7), "coffee": range(1, 7)}
    texts, embeddings, meta = generated(week, per_day=16)
    days = [day for day, _ in meta]
    themes, daily, history = day_by_day(texts, embeddings, days, ThemeRules())
    _, rebuilt = rebuild(texts, embeddings)
    assert agreement(daily, rebuilt.theme) == 1.0
    assert history[0][0].ids == ("theme-0001", "theme-0002") and len(themes) == 4
    topics = np.array([topic for _, topic in meta])
    assert {topics[daily == 0][0], topics[daily == 1][0]} == {"refund", "delivery"}


def test_a_new_theme_needs_enough_texts_that_fit_no_theme():
    rules = ThemeRules(min_theme_size=10)
    texts, embeddings, _ = generated({"refund": range(1), "delivery": range(1)}, per_day=20)
    themes, placed = rebuild(texts, embeddings, rules)
    few, few_embeddings, _ = generated({"app": range(1)}, per_day=6, seed=11)  # its own noise, not the first texts'
    known = np.concatenate([placed.theme, np.full(len(few), NO_THEME)])
    unchanged, placement = refresh(themes, known, texts + few, np.concatenate([embeddings, few_embeddings]), rules)
    assert unchanged.ids == themes.ids and unchanged.labels == themes.labels
    assert np.all(placement.theme[len(texts) :] == NO_THEME)  # far from every theme: unplaced, not forced into one
    np.testing.assert_array_equal(placement.theme[: len(texts)], placed.theme)
    more, more_embeddings, _ = generated({"app": range(1)}, per_day=20, seed=11)
    known = np.concatenate([placed.theme, np.full(len(more), NO_THEME)])
    grown, placement = refresh(themes, known, texts + more, np.concatenate([embeddings, more_embeddings]), rules)
    assert len(grown) == 3 and grown.ids[2] == "theme-0003" and grown.labels[:2] == themes.labels
    assert np.mean(placement.theme[len(texts) :] == 2) > 0.9


def test_labels_are_the_themes_distinctive_words_never_a_rare_one():
    texts, embeddings, meta = generated({"refund": range(1), "coffee": range(1)}, per_day=30)
    texts[0] = texts[0] + " @someone Zyxwvut https://example.com/x"  # one author's name and link
    themes, placement = rebuild(texts, embeddings)
    topics = {meta[int(np.flatnonzero(placement.theme == index)[0])][1] for index in range(len(themes))}
    assert topics == {"refund", "coffee"}
    for index, label in enumerate(themes.labels):
        topic = meta[int(np.flatnonzero(placement.theme == index)[0])][1]
        words = label.replace(",", " ").split()
        assert 1 <= len(label.split(", ")) <= 3
        assert set(words) <= set(TOPICS[topic]), label  # no filler word, no other topic's word
    assert not any("zyxwvut" in label or "someone" in label or "example" in label for label in themes.labels)


def test_a_persons_name_never_labels_a_theme():
    """Staff thanked by name in most texts of a theme ("thanks Maria") is the theme's most distinctive word; it is
    written capitalised inside sentences, so it is a proper noun and left out, unless configured as a brand word."""
    texts, embeddings, _ = generated({"refund": range(1), "coffee": range(1)}, per_day=30)
    texts = [f"{text} thanks Maria. Maria was great" if index < 30 else text for index, text in enumerate(texts)]
    texts[1] = texts[1] + " maria"  # sometimes written in lower case: still mostly capitalised
    themes, _ = rebuild(texts, embeddings)
    assert len(themes) == 2 and all(themes.labels)
    assert not any("maria" in label for label in themes.labels), themes.labels
    # a sentence's first word does not count ("Coffee"); a configured brand word stays ("lumen")
    written = ["Thanks Maria", "Coffee at Lumen was fine. Coffee rocks", "lumen Lumen", "more coffee"]
    assert proper_nouns(written) == {"maria", "lumen"}
    assert proper_nouns(written, keep_words=frozenset({"lumen"})) == {"maria"}


def test_banking77_day_by_day_agrees_with_a_rebuild(enricher):
    """A sample of real customer messages (BANKING77 test split, 77 close-neighbour intents) fed over 7 days."""
    path = BANKING77_DIR / "test.csv"
    if not path.exists():
        pytest.skip(f"BANKING77 is not in {BANKING77_DIR}")
    texts = pl.read_csv(path)["text"].to_list()[::6]  # 514 messages, every intent
    embeddings = enricher.embed(texts)
    days = list(np.arange(len(texts)) * 7 // len(texts))
    rules = ThemeRules()
    themes, daily, _ = day_by_day(texts, embeddings, days, rules, dim=embeddings.shape[1])
    _, rebuilt = rebuild(texts, embeddings, rules, dim=embeddings.shape[1])
    assert len(themes) >= 5
    assert agreement(daily, rebuilt.theme) >= 0.95


def test_agreement_matches_themes_one_to_one():
    first = np.array([0, 0, 1, 1, NO_THEME])
    assert agreement(first, np.array([5, 5, 3, 3, NO_THEME])) == 1.0
    assert agreement(first, np.array([5, 5, 5, 5, NO_THEME])) == 0.6  # two themes merged: one of them disagrees
    assert agreement(first, np.array([5, 5, 3, 3, 3])) == 0.8


def test_embeddings_are_stored_beside_the_scores_once(enricher, tmp_path):
    texts = ["My parcel never arrived", "Refund please, charged twice", "Love the new roast"]
    frame = pl.DataFrame({"text_hash": [text_hash(text) for text in texts], "text": texts})
    con = duckdb.connect(":memory:")
    con.execute("create schema raw")
    con.execute("create table raw.interactions (text_hash varchar, text varchar)")
    con.executemany("insert into raw.interactions values (?, ?)", frame.rows())
    ensure_enrichment_table(con)
    # scored before embeddings were kept: the texts without one are found, to be encoded once more
    store(con, enricher.enrich(frame[:1]))
    assert texts_without_embedding(con, enricher.model_version)["text"].to_list() == texts[:1]
    enriched = enricher.enrich(frame[1:], with_embedding=True)
    write_scores(enriched, tmp_path / "part-0.parquet")
    assert store_files(con, [tmp_path / "part-0.parquet"]) == 2
    store(con, enricher.enrich(frame[:1], with_embedding=True))
    assert texts_without_embedding(con, enricher.model_version).height == 0
    rows = con.execute(f"select text_hash, embedding, embedding_scale from {TABLE} order by text_hash").fetchall()
    assert len(rows) == 3
    stored = dequantise([blob for _, blob, _ in rows], np.array([scale for *_, scale in rows]))
    order = {hash_: index for index, hash_ in enumerate(frame["text_hash"])}
    exact = enricher.embed([texts[order[hash_]] for hash_, *_ in rows])
    assert np.min(np.sum(stored * exact, axis=1)) > 0.999


def _warehouse_with(texts, embeddings, substantive, created_at, **thread) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(":memory:")
    ensure_raw_schema(con)
    ensure_enrichment_table(con)
    _add_texts(con, texts, embeddings, substantive, created_at, **thread)
    return con


def _add_texts(con, texts, embeddings, substantive, created_at, mentions=None, parent_id=None) -> None:
    """Each text as one interaction on x (mentioning ``mentions``, replying to ``parent_id``), scored and embedded."""
    blobs, scales = quantise(embeddings)
    for text, blob, scale, is_substantive in zip(texts, blobs, scales, substantive, strict=True):
        hashed = text_hash(text)
        con.execute(
            "insert into raw.interactions (platform, interaction_id, text, text_hash, created_at, parent_id, "
            "mentioned_handles) values ('x', ?, ?, ?, ?, ?, ?)",
            [f"{hashed}-{mentions}-{parent_id}", text, hashed, created_at, parent_id, [mentions] if mentions else []],
        ).fetchall()
        con.execute(
            "insert or ignore into enrichment.text_enrichment (text_hash, model_version, is_substantive) "
            "values (?, 'v1', ?)",
            [hashed, is_substantive],
        ).fetchall()
        con.execute(f"insert or ignore into {TABLE} values (?, 'v1', ?, ?)", [hashed, blob, float(scale)]).fetchall()


def test_the_warehouse_tables_keep_every_placed_text_on_its_theme():
    texts, embeddings, meta = generated(ALL_WEEK, per_day=12)
    unique = {}
    for index, text in enumerate(texts):
        unique.setdefault(text, index)  # generated texts can repeat: one row per text, as in the cache
    rows = sorted(unique.values())
    days = np.array([meta[i][0] for i in rows])
    first, later = [rows[i] for i in np.flatnonzero(days < 3)], [rows[i] for i in np.flatnonzero(days >= 3)]
    con = _warehouse_with(
        [texts[i] for i in first] + ["lol", "nice!"],
        np.concatenate([embeddings[first], embeddings[first[:2]]]),
        [True] * len(first) + [False, False],
        datetime(2026, 3, 1, tzinfo=UTC),
    )
    rules = ThemeRules()
    summary = refresh_themes(con, "v1", rules, datetime(2026, 3, 1, tzinfo=UTC))
    assert summary.themes == 4 and not summary.rebuilt
    day_one = dict(con.execute(f"select text_hash, theme_id from {ASSIGNMENTS_TABLE}").fetchall())
    statuses = dict(con.execute(f"select status, count(*) from {ASSIGNMENTS_TABLE} group by all").fetchall())
    assert statuses["low_effort"] == 2 and sum(statuses.values()) == len(first) + 2  # one row per scored text

    _add_texts(con, [texts[i] for i in later], embeddings[later], [True] * len(later), datetime(2026, 3, 4, tzinfo=UTC))
    summary = refresh_themes(con, "v1", rules, datetime(2026, 3, 4, tzinfo=UTC))
    assert summary.new_themes == 1 and summary.themes == 5 and not summary.rebuilt
    day_two = dict(con.execute(f"select text_hash, theme_id from {ASSIGNMENTS_TABLE}").fetchall())
    assert all(day_two[key] == theme for key, theme in day_one.items() if theme is not None)
    labels = [label for (label,) in con.execute(f"select label from {THEMES_TABLE} order by theme_id").fetchall()]
    assert all(labels) and set(labels[4].replace(",", " ").split()) <= set(TOPICS["store"])

    everything = f"select * from {ASSIGNMENTS_TABLE} order by text_hash"
    before = con.execute(everything).fetchall()
    again = refresh_themes(con, "v1", rules, datetime(2026, 3, 5, tzinfo=UTC))
    assert again.new_themes == 0 and again.texts_moved == 0
    assert con.execute(everything).fetchall() == before  # nothing new: not a value changes, assigned_at included

    rebuilt = refresh_themes(con, "v1", ThemeRules(min_theme_size=8), datetime(2026, 3, 5, tzinfo=UTC))
    assert rebuilt.rebuilt and rebuilt.texts_considered == len(rows) + 2  # new rules: everything again


ACME_ACCOUNTS = [("acme", "x", "100", "acme"), ("acme", "x", None, "rival"), ("nova", "x", None, "nova")]
# which group's conversation each topic is in: mentions of @acme and of its competitor @rival are acme's, @nova's
# nova's; the sizes topic mentions nobody (no group)
TOPIC_MENTIONS = {
    "refund": "acme",
    "delivery": "acme",
    "store": "rival",
    "coffee": "nova",
    "app": "nova",
    "sizes": None,
}


def _brand_warehouse(days: range, con: duckdb.DuckDBPyConnection | None = None) -> duckdb.DuckDBPyConnection:
    """The texts of TOPIC_MENTIONS on ``days`` (added to ``con``, else to a new warehouse), each mentioning its topic's
    account, except one refund text a day that replies to a post of acme's account instead (in acme's conversation
    by its thread, with no mention)."""
    texts, embeddings, meta = generated(dict.fromkeys(TOPIC_MENTIONS, range(7)), per_day=8)
    if con is None:
        con = duckdb.connect(":memory:")
        ensure_raw_schema(con)
        ensure_enrichment_table(con)
        con.execute("insert into raw.interactions (platform, interaction_id, author_id) values ('x', 'p1', '100')")
    seen = set()
    for index, (day, topic) in enumerate(meta):
        if texts[index] in seen:
            continue
        seen.add(texts[index])
        if day not in days:
            continue
        parent = "p1" if topic == "refund" and index % 8 == 0 else None
        mention = None if parent else TOPIC_MENTIONS[topic]
        at = datetime(2026, 3, 1 + day, tzinfo=UTC)
        _add_texts(con, [texts[index]], embeddings[index : index + 1], [True], at, mentions=mention, parent_id=parent)
    return con


def _topic_of() -> dict[str, str]:
    texts, _, meta = generated(dict.fromkeys(TOPIC_MENTIONS, range(7)), per_day=8)
    return {text_hash(text): topic for text, (_, topic) in zip(texts, meta, strict=True)}


def _accounts() -> pl.DataFrame:
    return pl.DataFrame(ACME_ACCOUNTS, schema=GROUP_ACCOUNTS, orient="row")


def _placed(con) -> dict[tuple[str, str], str]:
    rows = con.execute(f"select coalesce(brand_id, ''), text_hash, theme_id from {ASSIGNMENTS_TABLE}").fetchall()
    return {(brand, hashed): theme for brand, hashed, theme in rows}


def test_each_brand_group_finds_its_own_themes_with_ids_unique_across_groups():
    con = _brand_warehouse(range(7))
    summary = refresh_themes(con, "v1", ThemeRules(), datetime(2026, 3, 8, tzinfo=UTC), group_accounts=_accounts())
    assert summary.groups == 3  # acme, nova, and the texts of no group
    themes = con.execute(f"select theme_id, coalesce(brand_id, ''), label from {THEMES_TABLE}").fetchall()
    assert len({theme for theme, *_ in themes}) == len(themes) == summary.themes
    per_group = {}
    for _, brand, label in themes:
        per_group.setdefault(brand, []).append(label)
    assert {brand: len(labels) for brand, labels in per_group.items()} == {"acme": 3, "nova": 2, "": 1}
    topic_of, topics = _topic_of(), {}
    for (brand, hashed), theme in _placed(con).items():
        topics.setdefault((brand, theme), set()).add(topic_of[hashed])
    # a competitor's mentions (store, @rival) and a reply under acme's post are clustered with acme's conversation
    assert sorted(sorted(found) for (brand, _), found in topics.items() if brand == "acme") == [
        ["delivery"],
        ["refund"],
        ["store"],
    ]
    assert sorted(sorted(found) for (brand, _), found in topics.items() if brand == "nova") == [["app"], ["coffee"]]
    assert [sorted(found) for (brand, _), found in topics.items() if brand == ""] == [["sizes"]]


def test_a_text_in_two_brand_groups_has_a_theme_in_each():
    con = _brand_warehouse(range(7))
    shared, embedding = "refund please charged twice", generated({"refund": range(1)}, per_day=1)[1]
    for brand in ("acme", "nova"):
        _add_texts(con, [shared], embedding, [True], datetime(2026, 3, 1, tzinfo=UTC), mentions=brand)
    refresh_themes(con, "v1", ThemeRules(), datetime(2026, 3, 8, tzinfo=UTC), group_accounts=_accounts())
    rows = con.execute(
        f"select brand_id, status from {ASSIGNMENTS_TABLE} where text_hash = ? order by brand_id", [text_hash(shared)]
    ).fetchall()
    assert [brand for brand, _ in rows] == ["acme", "nova"]


def test_brand_groups_day_by_day_agree_with_one_rebuild_and_keep_their_ids():
    rules, accounts = ThemeRules(), _accounts()
    daily = _brand_warehouse(range(3))
    refresh_themes(daily, "v1", rules, datetime(2026, 3, 3, tzinfo=UTC), group_accounts=accounts)
    first = daily.execute(f"select theme_id, brand_id, label from {THEMES_TABLE} order by theme_id").fetchall()
    _brand_warehouse(range(3, 7), daily)
    refresh_themes(daily, "v1", rules, datetime(2026, 3, 7, tzinfo=UTC), group_accounts=accounts)
    later = daily.execute(f"select theme_id, brand_id, label from {THEMES_TABLE} order by theme_id").fetchall()
    assert later[: len(first)] == first  # ids, groups and labels kept
    rebuilt = _brand_warehouse(range(7))
    refresh_themes(rebuilt, "v1", rules, datetime(2026, 3, 7, tzinfo=UTC), group_accounts=accounts)
    again = _brand_warehouse(range(7))
    refresh_themes(again, "v1", rules, datetime(2026, 3, 7, tzinfo=UTC), group_accounts=accounts)
    assert _placed(again) == _placed(rebuilt)  # a rebuild is deterministic
    day_by_day, at_once = _placed(daily), _placed(rebuilt)
    assert day_by_day.keys() == at_once.keys()
    for group in ("acme", "nova", ""):
        keys = sorted(key for key in at_once if key[0] == group)
        numbered = {
            theme: index for index, theme in enumerate(sorted(set(day_by_day.values()) | set(at_once.values())))
        }
        first_run = np.array([numbered[day_by_day[key]] for key in keys])
        second_run = np.array([numbered[at_once[key]] for key in keys])
        assert agreement(first_run, second_run) >= 0.95, group


def _tables(con) -> tuple[list, list]:
    themes = con.execute(f"select * from {THEMES_TABLE} order by theme_id").fetchall()
    return themes, con.execute(f"select * from {ASSIGNMENTS_TABLE} order by brand_id, text_hash").fetchall()


def test_between_clusterings_a_days_new_texts_go_to_their_nearest_theme_and_nothing_else_moves():
    rules, accounts = ThemeRules(), _accounts()
    con = _brand_warehouse(range(6))
    refresh_themes(con, "v1", rules, datetime(2026, 3, 6, tzinfo=UTC), group_accounts=accounts)
    themes_before, rows_before = _tables(con)
    _brand_warehouse(range(6, 7), con)  # a sixth more texts: below recluster_growth
    summary = refresh_themes(con, "v1", rules, datetime(2026, 3, 7, tzinfo=UTC), group_accounts=accounts)
    assert summary.groups_clustered == 0 and summary.new_themes == 0 and summary.texts_moved == 0
    themes_after, rows_after = _tables(con)
    assert themes_after == themes_before  # ids, labels and centroids as they were
    assert set(rows_before) < set(rows_after)  # every earlier row as it was, and the new texts added
    topic_of, topics = _topic_of(), {}
    for (brand, hashed), theme in _placed(con).items():
        topics.setdefault((brand, theme), set()).add(topic_of[hashed])
    assert all(len(found) == 1 for (_, theme), found in topics.items() if theme is not None)  # each on its topic

    # the same day added to the same warehouse again gives the same rows, to the bit
    again = _brand_warehouse(range(6))
    refresh_themes(again, "v1", rules, datetime(2026, 3, 6, tzinfo=UTC), group_accounts=accounts)
    _brand_warehouse(range(6, 7), again)
    refresh_themes(again, "v1", rules, datetime(2026, 3, 7, tzinfo=UTC), group_accounts=accounts)
    assert _tables(again) == (themes_after, rows_after)

    # a full refresh clusters every group again (a sixth more texts: the themes stay those it knew)
    full = refresh_themes(con, "v1", rules, datetime(2026, 3, 8, tzinfo=UTC), group_accounts=accounts, recluster=True)
    assert full.groups_clustered == full.groups == 3 and not full.rebuilt


def test_a_group_whose_texts_grew_by_recluster_growth_is_clustered_again():
    accounts = _accounts()
    con = _brand_warehouse(range(6))
    refresh_themes(con, "v1", ThemeRules(), datetime(2026, 3, 6, tzinfo=UTC), group_accounts=accounts)
    _brand_warehouse(range(6, 7), con)
    eager = ThemeRules(recluster_growth=0.1)  # not a rule of what a clustering finds: no rebuild
    summary = refresh_themes(con, "v1", eager, datetime(2026, 3, 7, tzinfo=UTC), group_accounts=accounts)
    assert summary.groups_clustered == 3 and not summary.rebuilt
    assert (
        refresh_themes(con, "v1", eager, datetime(2026, 3, 8, tzinfo=UTC), group_accounts=accounts).groups_clustered
        == 0
    )


def test_tables_from_before_brand_groups_are_rebuilt_per_brand():
    texts, embeddings, _ = generated({"refund": range(1), "coffee": range(1)}, per_day=20)
    unique = sorted({text: index for index, text in enumerate(texts)}.values())
    con = _warehouse_with([texts[i] for i in unique], embeddings[unique], [True] * len(unique), datetime(2026, 3, 1))
    con.execute("create schema if not exists enrichment")
    con.execute(f"create table {THEMES_TABLE} (theme_id varchar primary key, label varchar)")
    con.execute(f"create table {ASSIGNMENTS_TABLE} (text_hash varchar primary key, theme_id varchar)")
    con.execute(f"insert into {THEMES_TABLE} values ('theme-0001', 'old')")
    summary = refresh_themes(con, "v1", ThemeRules(), datetime(2026, 3, 2, tzinfo=UTC))
    assert summary.rebuilt and summary.themes == 2
    assert con.execute(f"select count(*) from {THEMES_TABLE} where label = 'old'").fetchall() == [(0,)]
    assert con.execute(f"select count(*) from {ASSIGNMENTS_TABLE} where brand_id is null").fetchall() == [
        (len(unique),)
    ]


def test_the_documented_theme_rules_are_the_defaults_and_a_valid_configuration():
    """docs/models.md shows the configuration file's themes section with every default: it parses, and gives
    ThemeRules' defaults; a rule given there replaces the default, and a misspelt one is refused."""
    page = (Path(__file__).resolve().parents[2] / "docs" / "models.md").read_text(encoding="utf-8")
    block = page[page.index("## Themes") :].split("```yaml\n", 1)[1].split("```", 1)[0]
    documented = parse_config(block)
    assert theme_rules(documented) == ThemeRules()
    assert set(documented.themes.given()) == set(ThemesConfig.model_fields)
    assert theme_rules(parse_config("themes: {min_theme_share: 0.01}")).min_theme_share == 0.01
    with pytest.raises(ConfigError):
        parse_config("themes: {min_theme_sise: 3}")


def test_a_warehouse_without_texts_refreshes_to_no_theme():
    con = duckdb.connect(":memory:")
    ensure_raw_schema(con)
    ensure_enrichment_table(con)
    summary = refresh_themes(con, "v1", ThemeRules(), datetime(2026, 3, 1, tzinfo=UTC), group_accounts=_accounts())
    assert (summary.texts_considered, summary.themes, summary.groups) == (0, 0, 0)


def test_a_changed_brand_group_rebuilds_the_themes_a_fresh_warehouse_holds():
    """Refreshed first with acme alone, then with nova added: the themes and assignments equal those of a warehouse
    refreshed with both from the start (ids included), as dbt's marts do after a configuration change."""
    rules, both = ThemeRules(), _accounts()
    changed = _brand_warehouse(range(7))
    refresh_themes(changed, "v1", rules, datetime(2026, 3, 7, tzinfo=UTC), group_accounts=both[:2])
    summary = refresh_themes(changed, "v1", rules, datetime(2026, 3, 8, tzinfo=UTC), group_accounts=both)
    fresh = _brand_warehouse(range(7))
    refresh_themes(fresh, "v1", rules, datetime(2026, 3, 8, tzinfo=UTC), group_accounts=both)
    assert summary.rebuilt
    themes = f"select theme_id, brand_id, label from {THEMES_TABLE} order by theme_id"
    assert changed.execute(themes).fetchall() == fresh.execute(themes).fetchall()
    assert _placed(changed) == _placed(fresh)
