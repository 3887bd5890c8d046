"""Each warehouse's reports are its own: the report asset writes into a folder named after its warehouse, and the
refresh summary lists the files that run wrote, read from the asset's metadata, not whatever lies in the folder."""

from __future__ import annotations

import shutil
from pathlib import Path

from dagster import materialize

from orchestration.assets.report import build_report_asset, report_dir_for, written_report_paths
from orchestration.resources import WarehouseResource


def test_two_warehouses_in_one_folder_keep_their_reports_apart(serving_file: Path, tmp_path: Path) -> None:
    samples, demo = tmp_path / "samples.duckdb", tmp_path / "demo.duckdb"
    for warehouse in (samples, demo):
        shutil.copyfile(serving_file, warehouse)
    assert report_dir_for(samples) == tmp_path / "samples_reports"
    stale = report_dir_for(samples) / "ror-report-someone-else-2026-01-01-2026-01-31.html"
    stale.parent.mkdir()
    stale.write_text("an earlier run's report")

    report_asset = build_report_asset()
    written = {}
    for warehouse in (samples, demo):
        result = materialize(
            [report_asset],
            resources={"warehouse": WarehouseResource(serving_path=str(warehouse))},
        )
        assert result.success
        written[warehouse] = written_report_paths(result)

    assert written[samples] and written[demo]
    assert all(path.parent == tmp_path / "samples_reports" and path.is_file() for path in written[samples])
    assert all(path.parent == tmp_path / "demo_reports" and path.is_file() for path in written[demo])
    assert stale not in written[samples]
