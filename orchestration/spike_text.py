"""The words of a spike warning: the themes most over-represented on each spike day (marts.spike_explanations), as in
"negative spike on Oct 12 (x, acme): 'late delivery' x4.1, 'refund' x2.7".

Only theme labels are quoted: a label is a few terms derived from many texts of the theme (dim_themes.theme_label),
never one interaction's text or author.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date

import duckdb

# sentiment_trend's spike flag -> spike_explanations.spike_kind
SPIKE_KINDS = {"is_negative_spike": "negative", "is_volume_spike": "volume"}

# a spike: activity_date, platform, brand_id, account_id (a row of marts.sentiment_trend)
Spike = tuple[date, str, str, str]


def describe_spikes(con: duckdb.DuckDBPyConnection, flag: str, spikes: Sequence[Spike]) -> str:
    """One line per spike of ``flag`` naming its themes with their lift, in the order of ``spikes``."""
    kind = SPIKE_KINDS[flag]
    themes = _explanations(con, kind, spikes)
    return "\n".join(
        spike_line(kind, day, platform, brand_id, themes.get((day, platform, account_id), []))
        for day, platform, brand_id, account_id in spikes
    )


def spike_line(kind: str, day: date, platform: str, brand_id: str, themes: Sequence[tuple[str, float]]) -> str:
    """``themes``: (label, lift), highest lift first."""
    where = f"{kind} spike on {day:%b} {day.day} ({platform}, {brand_id})"
    if not themes:
        return f"{where}: no theme stands out"
    return f"{where}: " + ", ".join(f"'{label}' x{lift:.1f}" for label, lift in themes)


def _explanations(
    con: duckdb.DuckDBPyConnection, kind: str, spikes: Sequence[Spike]
) -> dict[tuple[date, str, str], list[tuple[str, float]]]:
    """(day, platform, account_id) -> its themes by rank; empty before dbt has built the mart once."""
    if not spikes or not _mart_exists(con):
        return {}
    rows = con.execute(
        "select activity_date, platform, account_id, coalesce(theme_label, theme_id), lift "
        "from marts.spike_explanations where spike_kind = ? and activity_date >= ? "
        "order by activity_date, platform, account_id, theme_rank",
        [kind, min(spike[0] for spike in spikes)],
    ).fetchall()
    themes: dict[tuple[date, str, str], list[tuple[str, float]]] = defaultdict(list)
    for day, platform, account_id, label, lift in rows:
        themes[(day, platform, account_id)].append((label, lift))
    return themes


def _mart_exists(con: duckdb.DuckDBPyConnection) -> bool:
    [(found,)] = con.execute(
        "select count(*) from information_schema.tables "
        "where table_schema = 'marts' and table_name = 'spike_explanations'"
    ).fetchall()
    return found > 0
