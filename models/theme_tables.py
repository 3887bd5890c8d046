"""Themes in the warehouse: ``enrichment.themes`` and ``enrichment.theme_assignments``, refreshed day by day.

``refresh_themes`` places every text that has an embedding for the model version and no theme yet (new texts, and
those unplaced so far) on the stored themes, adding themes only as ``models.themes.extend`` allows; placed texts
keep their theme for good. A different model version or different rules (their fingerprint) start over: every
theme and assignment is rebuilt from the texts in arrival order, deterministically. Low-effort texts (``is_substantive``
false: "nice!", emoji) are recorded with status ``low_effort`` and no theme, so every scored text has exactly one row.
Themes are found over the whole warehouse (every brand's texts): brands and their competitors are compared on the
same themes, and brand attribution happens later, in dbt. dbt reads both tables as sources. No Dagster here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import duckdb
import numpy as np
import polars as pl

from models.cache import _ArrowStream
from models.embeddings import TABLE as EMBEDDING_TABLE
from models.embeddings import dequantise
from models.themes import ThemeRules, Themes, extend

THEMES_TABLE = "enrichment.themes"
ASSIGNMENTS_TABLE = "enrichment.theme_assignments"
STATUSES = ("assigned", "unplaced", "low_effort")


@dataclass(frozen=True)
class ThemeRefresh:
    rebuilt: bool
    texts_considered: int
    texts_assigned: int
    texts_unplaced: int
    new_themes: int
    themes: int


def ensure_theme_tables(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("create schema if not exists enrichment")
    con.execute(
        f"create table if not exists {THEMES_TABLE} (theme_id varchar primary key, label varchar, "
        "model_version varchar, rules_fingerprint varchar, centroid blob, created_at timestamptz)"
    )
    con.execute(
        f"create table if not exists {ASSIGNMENTS_TABLE} (text_hash varchar primary key, theme_id varchar, "
        "similarity double, status varchar, model_version varchar, assigned_at timestamptz)"
    )


def load_themes(con: duckdb.DuckDBPyConnection, dim: int) -> Themes:
    rows = con.execute(f"select theme_id, label, centroid from {THEMES_TABLE} order by theme_id").fetchall()
    if not rows:
        return Themes.empty(dim)
    centroids = np.frombuffer(b"".join(blob for *_, blob in rows), dtype=np.float32).reshape(len(rows), -1)
    return Themes(tuple(row[0] for row in rows), tuple(row[1] for row in rows), centroids.copy())


def _stale(con: duckdb.DuckDBPyConnection, model_version: str, rules: ThemeRules) -> bool:
    [(other,)] = con.execute(
        f"select count(*) from {THEMES_TABLE} where model_version <> ? or rules_fingerprint <> ?",
        [model_version, rules.fingerprint()],
    ).fetchall()
    [(assigned_elsewhere,)] = con.execute(
        f"select count(*) from {ASSIGNMENTS_TABLE} where model_version <> ?", [model_version]
    ).fetchall()
    return bool(other or assigned_elsewhere)


def _pending(con: duckdb.DuckDBPyConnection, model_version: str) -> pl.DataFrame:
    """Texts with an embedding and no theme yet, first seen first (then by hash: a stable order for ties)."""
    query = con.sql(
        f"""
        select embeddings.text_hash, any_value(interactions.text) as text, min(interactions.created_at) as first_seen,
            any_value(embeddings.embedding) as embedding, any_value(embeddings.embedding_scale) as embedding_scale,
            coalesce(any_value(scores.is_substantive), true) as is_substantive
        from {EMBEDDING_TABLE} as embeddings
        inner join raw.interactions as interactions on interactions.text_hash = embeddings.text_hash
        left join enrichment.text_enrichment as scores
            on scores.text_hash = embeddings.text_hash and scores.model_version = embeddings.model_version
        left join {ASSIGNMENTS_TABLE} as assigned on assigned.text_hash = embeddings.text_hash
        where embeddings.model_version = $model_version
            and (assigned.text_hash is null or assigned.status = 'unplaced')
        group by embeddings.text_hash
        order by first_seen, embeddings.text_hash
        """,
        params={"model_version": model_version},
    )
    return pl.DataFrame(query.fetchnumpy())


def refresh_themes(
    con: duckdb.DuckDBPyConnection, model_version: str, rules: ThemeRules, now: datetime
) -> ThemeRefresh:
    """Assign the pending texts of ``model_version``, in one transaction; see the module docstring."""
    ensure_theme_tables(con)
    con.execute("begin transaction")
    try:
        rebuilt = _stale(con, model_version, rules)
        if rebuilt:
            con.execute(f"delete from {THEMES_TABLE}").fetchall()
            con.execute(f"delete from {ASSIGNMENTS_TABLE}").fetchall()
        pending = _pending(con, model_version)
        substantive = pending.filter(pl.col("is_substantive"))
        embeddings = dequantise(substantive["embedding"].to_list(), substantive["embedding_scale"].to_numpy())
        before = load_themes(con, embeddings.shape[1] if len(embeddings) else 0)
        themes, placement = (
            extend(before, substantive["text"].to_list(), embeddings, rules) if substantive.height else (before, None)
        )
        _write_new_themes(con, themes, len(before), model_version, rules, now)
        assignments = _assignments(pending, substantive, themes, placement, model_version, now)
        con.register("incoming_assignments", _ArrowStream(assignments))
        try:
            con.execute(
                f"delete from {ASSIGNMENTS_TABLE} where text_hash in (select text_hash from incoming_assignments)"
            ).fetchall()
            con.execute(f"insert into {ASSIGNMENTS_TABLE} by name select * from incoming_assignments").fetchall()
        finally:
            con.unregister("incoming_assignments")
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    status = assignments["status"]
    return ThemeRefresh(
        rebuilt,
        pending.height,
        int((status == "assigned").sum()),
        int((status == "unplaced").sum()),
        len(themes) - len(before),
        len(themes),
    )


def _write_new_themes(con, themes: Themes, known: int, model_version: str, rules: ThemeRules, now: datetime) -> None:
    for index in range(known, len(themes)):
        con.execute(
            f"insert into {THEMES_TABLE} values (?, ?, ?, ?, ?, ?)",
            [
                themes.ids[index],
                themes.labels[index],
                model_version,
                rules.fingerprint(),
                themes.centroids[index].astype(np.float32).tobytes(),
                now,
            ],
        ).fetchall()


def _assignments(pending, substantive, themes: Themes, placement, model_version: str, now: datetime) -> pl.DataFrame:
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
    rows = pending.select("text_hash", "is_substantive").join(placed, on="text_hash", how="left")
    return rows.select(
        "text_hash",
        pl.when(pl.col("theme_id") != "").then(pl.col("theme_id")).alias("theme_id"),
        pl.col("similarity").cast(pl.Float64).fill_nan(None),
        pl.when(~pl.col("is_substantive"))
        .then(pl.lit("low_effort"))
        .when(pl.col("theme_id") == "")
        .then(pl.lit("unplaced"))
        .otherwise(pl.lit("assigned"))
        .alias("status"),
        pl.lit(model_version).alias("model_version"),
        pl.lit(now).cast(pl.Datetime("us", "UTC")).alias("assigned_at"),
    )
