"""Themes in the warehouse: ``enrichment.themes`` and ``enrichment.theme_assignments``, refreshed day by day.

Themes are found per brand group: a brand and the competitors it tracks (``group_accounts``: every account of the
brand and of its competitors, from the configuration). A group's conversation is every text of a thread where one of
its accounts writes, is replied to or is mentioned, with the thread's root, the parent the account's interaction
answers and what replies to, quotes or shares any of these (``group_texts``). That is wider than dbt's attribution on
purpose: themes are an input of dbt (fct_interactions.theme_id, and the Spark build reads them as Parquet), so which
texts a group clusters must follow from the raw rows and the configuration alone, before dbt runs; every interaction
dbt attributes to the brand (int_interactions_attributed) or tracks for one of its competitors
(int_interactions_tracked_attributed) lies in such a thread. Competitors' mentions are clustered with the group that
tracks them, so share_of_voice compares the brand and its competitors on the same themes, and a competitor tracked
by two brands is clustered in each group. Texts in no group's conversation (a warehouse with no brand configured)
are clustered together, with brand_id null. A text in two groups' conversations has a row, and a theme, in each.

``refresh_themes`` clusters a group's texts (every text with an embedding for the model version, in text_hash order)
and carries its stored themes over (``models.themes.refresh``): known themes keep their id, label and created_at,
their centroid follows their texts, and new groups get new ids. Ids are numbered over all groups (theme-0001 onward,
never reused), so a theme id names one brand's theme. A clustering rewrites the group's assignments; a text whose
theme did not change keeps its assigned_at. Clustering costs the same whatever a day added, so a group is clustered
only when it never was, when its texts grew by ``ThemeRules.recluster_growth`` since its last clustering
(``theme_clusterings`` keeps how many it clustered), or on a full refresh; in between, a day's new texts go to their
nearest theme (``models.themes.place``) and every other row stays as it is. A refresh with no new text changes
nothing, and a rerun from the same tables writes the same rows. A day-by-day warehouse and a rebuild agree after each
clustering (the same groups, differing only in id naming); in between, the day-by-day one has placed its newest texts
on the themes it knew. A different model version, different rules or different brand groups (``setup_fingerprint``)
start over: a warehouse whose configuration changed then holds the themes of a fresh one. Low-effort texts
(``is_substantive`` false: "nice!", emoji) are recorded with status ``low_effort`` and no theme, so every scored text
has exactly one row per group whose conversation holds it. dbt reads both tables as sources. No Dagster here.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from datetime import datetime

import duckdb
import numpy as np
import polars as pl

from models.cache import _ArrowStream
from models.embeddings import TABLE as EMBEDDING_TABLE
from models.embeddings import dequantise
from models.themes import NO_THEME, ThemeRules, Themes, place, refresh

THEMES_TABLE = "enrichment.themes"
ASSIGNMENTS_TABLE = "enrichment.theme_assignments"
# Per brand group ('' for the texts of none), how many texts its last clustering clustered: when to cluster again.
CLUSTERINGS_TABLE = "enrichment.theme_clusterings"
STATUSES = ("assigned", "unplaced", "low_effort")
# The accounts of every brand group: the brand's own and those of the competitors it tracks (one row per account).
GROUP_ACCOUNTS = {"brand_id": pl.String, "platform": pl.String, "account_id": pl.String, "handle": pl.String}
_NO_GROUP = ""  # numpy and polars keys have no null: the texts of no brand group (brand_id null in the tables)
_ASSIGNMENT_SCHEMA = {
    "brand_group": pl.String,
    "text_hash": pl.String,
    "brand_id": pl.String,
    "theme_id": pl.String,
    "similarity": pl.Float64,
    "status": pl.String,
    "model_version": pl.String,
    "assigned_at": pl.Datetime("us", "UTC"),
}


@dataclass(frozen=True)
class ThemeRefresh:
    rebuilt: bool
    texts_considered: int
    texts_assigned: int
    texts_unplaced: int
    texts_moved: int  # texts already themed (or unplaced) whose theme changed as the themes sharpened
    new_themes: int
    themes: int
    groups: int  # brand groups with texts (the texts of no group count as one more)
    groups_clustered: int  # groups clustered again this time (the others' new texts went to their nearest theme)


def ensure_theme_tables(con: duckdb.DuckDBPyConnection) -> bool:
    """Create the tables if absent. Tables of the version before brand groups (no brand_id) are dropped, to be
    rebuilt by the next refresh: returns True when that happened."""
    con.execute("create schema if not exists enrichment")
    [(old_shape,)] = con.execute(
        "select count(*) from information_schema.tables as tables where table_schema = 'enrichment' "
        "and table_name in ('themes', 'theme_assignments') and not exists (select 1 from information_schema.columns "
        "as columns where columns.table_schema = 'enrichment' and columns.table_name = tables.table_name "
        "and columns.column_name = 'brand_id')"
    ).fetchall()
    if old_shape:
        con.execute(f"drop table if exists {THEMES_TABLE}")
        con.execute(f"drop table if exists {ASSIGNMENTS_TABLE}")
    con.execute(
        f"create table if not exists {THEMES_TABLE} (theme_id varchar primary key, brand_id varchar, label varchar, "
        "model_version varchar, rules_fingerprint varchar, centroid blob, created_at timestamptz)"
    )
    con.execute(
        f"create table if not exists {ASSIGNMENTS_TABLE} (text_hash varchar, brand_id varchar, theme_id varchar, "
        "similarity double, status varchar, model_version varchar, assigned_at timestamptz)"
    )
    con.execute(
        f"create table if not exists {CLUSTERINGS_TABLE} (brand_group varchar primary key, texts bigint, "
        "model_version varchar, clustered_at timestamptz)"
    )
    return bool(old_shape)


def theme_number(theme_id: str) -> int:
    return int(re.sub(r"\D", "", theme_id) or 0)


def load_themes(con: duckdb.DuckDBPyConnection, dim: int, group: str = _NO_GROUP) -> Themes:
    """The stored themes of one brand group (``_NO_GROUP``: the texts of none), in the order they were found."""
    rows = con.execute(
        f"select theme_id, label, centroid from {THEMES_TABLE} where coalesce(brand_id, '') = ?", [group]
    ).fetchall()
    rows.sort(key=lambda row: theme_number(row[0]))
    if not rows:
        return Themes.empty(dim)
    centroids = np.frombuffer(b"".join(blob for *_, blob in rows), dtype=np.float32).reshape(len(rows), -1)
    return Themes(tuple(row[0] for row in rows), tuple(row[1] for row in rows), centroids.copy())


def setup_fingerprint(rules: ThemeRules, group_accounts: pl.DataFrame) -> str:
    """The rules and the brand groups' accounts, as one digest (stored as each theme's rules_fingerprint): when either
    changes, the themes are rebuilt, so a warehouse whose configuration changed holds the themes a fresh one with the
    new configuration would (as dbt rebuilds its incremental models from scratch)."""
    accounts = group_accounts.select(
        pl.col("brand_id"), pl.col("platform").str.to_lowercase(), pl.col("account_id"), _handle_lower()
    ).unique()
    rows = sorted(tuple("" if value is None else value for value in row) for row in accounts.rows())
    return hashlib.sha256(json.dumps([rules.fingerprint(), rows]).encode()).hexdigest()[:16]


def _handle_lower() -> pl.Expr:
    return pl.col("handle").str.strip_prefix("@").str.to_lowercase().alias("handle_lower")


def _stale(con: duckdb.DuckDBPyConnection, model_version: str, fingerprint: str) -> bool:
    [(other,)] = con.execute(
        f"select count(*) from {THEMES_TABLE} where model_version <> ? or rules_fingerprint <> ?",
        [model_version, fingerprint],
    ).fetchall()
    [(assigned_elsewhere,)] = con.execute(
        f"select count(*) from {ASSIGNMENTS_TABLE} where model_version <> ?", [model_version]
    ).fetchall()
    return bool(other or assigned_elsewhere)


def group_texts(con: duckdb.DuckDBPyConnection, group_accounts: pl.DataFrame) -> None:
    """Temporary table ``group_texts`` (brand_id, text_hash): the texts of each brand group's conversation (module
    docstring). Equi-joins only (author id, author handle, replied-to id, mentioned handle), so the cost grows with
    the interactions, not with interactions x accounts."""
    accounts = group_accounts.select(
        "brand_id",
        pl.col("platform").str.to_lowercase(),
        "account_id",
        _handle_lower(),
    )
    con.register("group_accounts_given", _ArrowStream(accounts))
    try:
        con.execute(
            """
            create or replace temp table group_texts as
            with
            accounts as (select distinct * from group_accounts_given),
            posts as (
                select platform, interaction_id, parent_id, text_hash, author_id, in_reply_to_author_id,
                    lower(author_handle) as author_handle, mentioned_handles,
                    coalesce(conversation_id, parent_id, interaction_id) as thread_key
                from raw.interactions
            ),
            involving as (
                select accounts.brand_id, posts.* from posts
                inner join accounts on posts.platform = accounts.platform and posts.author_id = accounts.account_id
                union all
                select accounts.brand_id, posts.* from posts
                inner join accounts on posts.platform = accounts.platform
                    and posts.author_handle = accounts.handle_lower
                union all
                select accounts.brand_id, posts.* from posts
                inner join accounts on posts.platform = accounts.platform
                    and posts.in_reply_to_author_id = accounts.account_id
                union all
                select accounts.brand_id, mentioned.* exclude (handle_lower) from (
                    select posts.*, lower(unnest(posts.mentioned_handles)) as handle_lower from posts
                ) as mentioned
                inner join accounts on mentioned.platform = accounts.platform
                    and mentioned.handle_lower = accounts.handle_lower
            ),
            -- the thread of each such interaction, the interaction itself and the parent it answers
            group_keys as (
                select brand_id, platform, thread_key as key from involving
                union
                select brand_id, platform, interaction_id from involving
                union
                select brand_id, platform, parent_id from involving where parent_id is not null
            ),
            -- what lies in one of those threads, is one of those interactions, or replies to, quotes or shares one
            in_groups as (
                select group_keys.brand_id, posts.text_hash from posts
                inner join group_keys on posts.platform = group_keys.platform and posts.thread_key = group_keys.key
                union
                select group_keys.brand_id, posts.text_hash from posts
                inner join group_keys on posts.platform = group_keys.platform
                    and posts.interaction_id = group_keys.key
                union
                select group_keys.brand_id, posts.text_hash from posts
                inner join group_keys on posts.platform = group_keys.platform and posts.parent_id = group_keys.key
            )
            select distinct brand_id, text_hash from in_groups where text_hash is not null
            """
        ).fetchall()
    finally:
        con.unregister("group_accounts_given")


def _texts(con: duckdb.DuckDBPyConnection, model_version: str) -> pl.DataFrame:
    """Every (brand group, text) with an embedding, with its theme so far in that group, by group and text_hash:
    the canonical order that makes a refresh cluster the same texts exactly as a rebuild would, whatever day each
    arrived. A text in no group's conversation is in group ``_NO_GROUP``."""
    query = con.sql(
        f"""
        with
        embedded as (
            select embeddings.text_hash, any_value(interactions.text) as text,
                any_value(embeddings.embedding) as embedding,
                any_value(embeddings.embedding_scale) as embedding_scale,
                coalesce(any_value(scores.is_substantive), true) as is_substantive
            from {EMBEDDING_TABLE} as embeddings
            inner join raw.interactions as interactions on interactions.text_hash = embeddings.text_hash
            left join enrichment.text_enrichment as scores
                on scores.text_hash = embeddings.text_hash and scores.model_version = embeddings.model_version
            where embeddings.model_version = $model_version
            group by embeddings.text_hash
        ),
        grouped as (
            select group_texts.brand_id as brand_group, embedded.*
            from embedded inner join group_texts on group_texts.text_hash = embedded.text_hash
            union all
            select '' as brand_group, embedded.*
            from embedded anti join group_texts on group_texts.text_hash = embedded.text_hash
        )
        select grouped.*,
            -- '' and 0 for none: numpy has no null strings or times
            coalesce(assigned.theme_id, '') as known_theme_id,
            coalesce(assigned.status, '') as known_status,
            coalesce(epoch_us(assigned.assigned_at), 0) as known_assigned_us
        from grouped
        left join {ASSIGNMENTS_TABLE} as assigned
            on assigned.text_hash = grouped.text_hash and coalesce(assigned.brand_id, '') = grouped.brand_group
        order by grouped.brand_group = '', grouped.brand_group, grouped.text_hash
        """,
        params={"model_version": model_version},
    )
    # typed even when empty (numpy gives no type to an empty text column)
    texts = ("brand_group", "text_hash", "text", "known_theme_id", "known_status")
    return pl.DataFrame(query.fetchnumpy(), schema_overrides=dict.fromkeys(texts, pl.String))


def refresh_themes(
    con: duckdb.DuckDBPyConnection,
    model_version: str,
    rules: ThemeRules,
    now: datetime,
    keep_words: frozenset[str] = frozenset(),
    group_accounts: pl.DataFrame | None = None,
    recluster: bool = False,
) -> ThemeRefresh:
    """Place every text of ``model_version`` on a theme of each brand group whose conversation holds it, in one
    transaction; see the module docstring. A group is clustered again, every text of it (``_refresh_group``), when
    ``_clusters_again``; otherwise only its texts without an assignment are placed, on their nearest theme
    (models.themes.place), and its other rows stay as they are. ``recluster`` (a full refresh) clusters every group.
    ``group_accounts`` (GROUP_ACCOUNTS): none, every text is in no group."""
    started_over = ensure_theme_tables(con)
    accounts = group_accounts if group_accounts is not None else pl.DataFrame(schema=GROUP_ACCOUNTS)
    accounts = accounts.select(list(GROUP_ACCOUNTS)).cast(GROUP_ACCOUNTS)
    fingerprint = setup_fingerprint(rules, accounts)
    con.execute("begin transaction")
    try:
        rebuilt = _stale(con, model_version, fingerprint) or started_over
        if rebuilt:
            for table in (THEMES_TABLE, ASSIGNMENTS_TABLE, CLUSTERINGS_TABLE):
                con.execute(f"delete from {table}").fetchall()
        group_texts(con, accounts)
        texts = _texts(con, model_version)
        clustered_texts = dict(con.execute(f"select brand_group, texts from {CLUSTERINGS_TABLE}").fetchall())
        ids = [theme for (theme,) in con.execute(f"select theme_id from {THEMES_TABLE}").fetchall()]
        first_new = next_number = 1 + max((theme_number(theme) for theme in ids), default=0)
        parts, clustered = [], {}
        for (group,), part in texts.group_by("brand_group", maintain_order=True):
            if recluster or _clusters_again(part, clustered_texts.get(group), rules):
                substantive = part.filter(pl.col("is_substantive"))
                themes, placement, known = _refresh_group(con, substantive, group, rules, keep_words, next_number)
                next_number += len(themes) - known
                _write_themes(con, themes, known, group, model_version, fingerprint, now)
                parts.append(_assignments(part, substantive, themes, placement, model_version, now))
                clustered[group] = part.height
            else:
                new = part.filter(pl.col("known_status") == "")
                substantive = new.filter(pl.col("is_substantive"))
                themes, placement = _placed_on_known_themes(con, substantive, group, rules)
                parts.append(_assignments(new, substantive, themes, placement, model_version, now))
        assignments = pl.concat(parts) if parts else pl.DataFrame(schema=_ASSIGNMENT_SCHEMA)
        _write_assignments(con, assignments, texts.select("brand_group", "text_hash"), list(clustered))
        _record_clusterings(con, clustered, model_version, now)
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    statuses = dict(con.execute(f"select status, count(*) from {ASSIGNMENTS_TABLE} group by status").fetchall())
    moved = texts.join(assignments, on=["brand_group", "text_hash"]).filter(
        (pl.col("known_status") != "")
        & (
            (pl.col("known_theme_id") != pl.col("theme_id").fill_null(""))
            | (pl.col("known_status") != pl.col("status"))
        )
    )
    return ThemeRefresh(
        rebuilt,
        texts.height,
        statuses.get("assigned", 0),
        statuses.get("unplaced", 0),
        moved.height,
        next_number - first_new,
        len(ids) + next_number - first_new,
        texts["brand_group"].n_unique(),
        len(clustered),
    )


def _clusters_again(part: pl.DataFrame, clustered_texts: int | None, rules: ThemeRules) -> bool:
    """Whether a group is clustered again: it never was, or its texts grew by ``rules.recluster_growth`` since its
    last clustering. A group clustered before clusterings were recorded counts its texts with an assignment."""
    if clustered_texts is None:
        clustered_texts = part.filter(pl.col("known_status") != "").height
    return not clustered_texts or part.height >= (1 + rules.recluster_growth) * clustered_texts


def _placed_on_known_themes(con, substantive: pl.DataFrame, group: str, rules: ThemeRules):
    """(the group's stored themes, each of these texts' place on its nearest one or None when there is no text)."""
    embeddings = dequantise(substantive["embedding"].to_list(), substantive["embedding_scale"].to_numpy())
    themes = load_themes(con, embeddings.shape[1] if len(embeddings) else 0, group)
    return themes, place(themes, embeddings, rules) if substantive.height else None


def _write_assignments(con, assignments: pl.DataFrame, keys: pl.DataFrame, clustered: list[str]) -> None:
    """The clustered groups' rows replaced, the other groups' new rows added, and the rows of a (group, text) no
    longer in any conversation deleted."""
    con.register("current_keys", _ArrowStream(keys))
    con.register("incoming_assignments", _ArrowStream(assignments))
    try:
        con.execute(
            f"delete from {ASSIGNMENTS_TABLE} as assigned where coalesce(assigned.brand_id, '') in "
            "(select unnest(?::varchar[])) or not exists (select 1 from current_keys where current_keys.text_hash = "
            "assigned.text_hash and current_keys.brand_group = coalesce(assigned.brand_id, ''))",
            [clustered],
        ).fetchall()
        con.execute(
            f"insert into {ASSIGNMENTS_TABLE} by name select * exclude (brand_group) from incoming_assignments"
        ).fetchall()
    finally:
        con.unregister("incoming_assignments")
        con.unregister("current_keys")


def _record_clusterings(con, clustered: dict[str, int], model_version: str, now: datetime) -> None:
    for group, texts in clustered.items():
        con.execute(
            f"insert or replace into {CLUSTERINGS_TABLE} values (?, ?, ?, ?)", [group, texts, model_version, now]
        ).fetchall()


def _refresh_group(con, substantive: pl.DataFrame, group: str, rules: ThemeRules, keep_words, next_number: int):
    """(the group's themes after the refresh, each substantive text's place or None, how many it had before)."""
    embeddings = dequantise(substantive["embedding"].to_list(), substantive["embedding_scale"].to_numpy())
    before = load_themes(con, embeddings.shape[1] if len(embeddings) else 0, group)
    if not substantive.height:
        return before, None, len(before)
    index_of = {theme: index for index, theme in enumerate(before.ids)}
    known = np.array([index_of.get(theme, NO_THEME) for theme in substantive["known_theme_id"].to_list()])
    texts = substantive["text"].to_list()
    themes, placement = refresh(before, known, texts, embeddings, rules, keep_words, next_number)
    return themes, placement, len(before)


def _write_themes(
    con, themes: Themes, known: int, group: str, model_version: str, fingerprint: str, now: datetime
) -> None:
    """Known themes keep id, label and created_at (their centroid follows their texts); new ones are added."""
    for index in range(len(themes)):
        centroid = themes.centroids[index].astype(np.float32).tobytes()
        if index < known:
            con.execute(f"update {THEMES_TABLE} set centroid = ? where theme_id = ?", [centroid, themes.ids[index]])
            continue
        con.execute(
            f"insert into {THEMES_TABLE} values (?, nullif(?, ''), ?, ?, ?, ?, ?)",
            [themes.ids[index], group, themes.labels[index], model_version, fingerprint, centroid, now],
        ).fetchall()


def _assignments(texts, substantive, themes: Themes, placement, model_version: str, now: datetime) -> pl.DataFrame:
    ids = np.array(themes.ids + ("",), dtype=object)
    placed = (
        pl.DataFrame(
            {
                "text_hash": substantive["text_hash"],
                "theme_id": ids[placement.theme],  # NO_THEME (-1) picks the trailing "": no theme
                "similarity": placement.similarity,
            }
        )
        if placement is not None
        else pl.DataFrame(schema={"text_hash": pl.String, "theme_id": pl.String, "similarity": pl.Float64})
    )
    rows = texts.select(
        "brand_group", "text_hash", "is_substantive", "known_theme_id", "known_status", "known_assigned_us"
    ).join(placed, on="text_hash", how="left")
    return rows.with_columns(
        pl.when(pl.col("theme_id") != "").then(pl.col("theme_id")).alias("theme_id"),
        pl.when(~pl.col("is_substantive"))
        .then(pl.lit("low_effort"))
        .when(pl.col("theme_id") == "")
        .then(pl.lit("unplaced"))
        .otherwise(pl.lit("assigned"))
        .alias("status"),
    ).select(
        "brand_group",
        "text_hash",
        pl.when(pl.col("brand_group") != _NO_GROUP).then(pl.col("brand_group")).alias("brand_id"),
        "theme_id",
        pl.col("similarity").cast(pl.Float64).fill_nan(None),
        "status",
        pl.lit(model_version).alias("model_version"),
        # a text whose theme did not change keeps the time it got it: a refresh with nothing new changes nothing
        pl.when(
            (pl.col("known_theme_id") == pl.col("theme_id").fill_null(""))
            & (pl.col("known_status") == pl.col("status"))
        )
        .then(pl.from_epoch("known_assigned_us", "us").dt.replace_time_zone("UTC"))
        .otherwise(pl.lit(now).cast(pl.Datetime("us", "UTC")))
        .alias("assigned_at"),
    )
