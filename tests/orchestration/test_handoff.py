"""The Parquet hand-off: every raw, enrichment and config table, read back the same, replaced whole on each export."""

from pathlib import Path

import duckdb
from dagster import AssetKey, materialize

from orchestration.assets.handoff import parquet_handoff
from orchestration.handoff import export_parquet
from orchestration.resources import WarehouseResource
from orchestration.settings import working_database_for


def _warehouse(path: Path) -> None:
    with duckdb.connect(str(path)) as con:
        for schema in ("raw", "enrichment", "config", "marts"):
            con.execute(f"create schema {schema}")
        con.execute(
            "create table raw.interactions as select * from (values ('x', 'p1', ['a', 'b'], "
            "timestamptz '2026-03-01 10:00:00+00'), ('x', 'p2', [], null)) as t(platform, interaction_id, "
            "mentioned_handles, created_at)"
        )
        con.execute("create table enrichment.text_enrichment as select 'h1' as text_hash, 0.25 as p_positive")
        con.execute("create table config.brands as select 'b1' as brand_id where false")
        con.execute("create table marts.advocacy as select 1 as n")
        con.execute("create view raw.interactions_view as select * from raw.interactions")


def _read(root: Path, schema: str, table: str) -> list[tuple]:
    files = sorted((root / schema / table).glob("*.parquet"))
    assert len(files) == 1
    with duckdb.connect() as con:
        return con.execute("select * from read_parquet(?) order by all", [str(files[0])]).fetchall()


def test_export_holds_every_input_table_and_nothing_else(tmp_path: Path) -> None:
    db, root = tmp_path / "w.duckdb", tmp_path / "out" / "ror.parquet"
    _warehouse(db)
    with duckdb.connect(str(db), read_only=True) as con:
        exported = export_parquet(con, root)
        expected = con.execute("select * from raw.interactions order by all").fetchall()
    assert {(t.schema, t.name, t.rows) for t in exported} == {
        ("raw", "interactions", 2),
        ("enrichment", "text_enrichment", 1),
        ("config", "brands", 0),
    }
    assert sorted(p.name for p in root.iterdir()) == ["config", "enrichment", "raw"]
    assert _read(root, "raw", "interactions") == expected  # lists and UTC instants survive
    assert _read(root, "config", "brands") == []


def test_a_second_export_replaces_the_first_whole(tmp_path: Path) -> None:
    db, root = tmp_path / "w.duckdb", tmp_path / "ror.parquet"
    _warehouse(db)
    with duckdb.connect(str(db), read_only=True) as con:
        export_parquet(con, root)
    with duckdb.connect(str(db)) as con:
        con.execute("drop table config.brands")
        con.execute("insert into enrichment.text_enrichment values ('h2', 0.5)")
    with duckdb.connect(str(db), read_only=True) as con:
        export_parquet(con, root)
    assert not (root / "config").exists()
    assert len(_read(root, "enrichment", "text_enrichment")) == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ror.parquet", "w.duckdb"]  # no staging folder left


def test_the_asset_exports_beside_the_warehouse(tmp_path: Path) -> None:
    serving = tmp_path / "ror.duckdb"
    _warehouse(working_database_for(serving))
    result = materialize([parquet_handoff], resources={"warehouse": WarehouseResource(serving_path=str(serving))})
    assert result.success
    assert _read(tmp_path / "ror.parquet", "enrichment", "text_enrichment") == [("h1", 0.25)]


def test_the_refresh_job_leaves_the_handoff_to_its_own_job(defs) -> None:
    """A one-machine deployment never pays for the export: only the ror_handoff job writes it."""
    handoff = AssetKey(["handoff", "parquet"])
    assert handoff not in defs.resolve_job_def("ror_refresh").asset_layer.selected_asset_keys
    assert defs.resolve_job_def("ror_handoff").asset_layer.selected_asset_keys == {handoff}
