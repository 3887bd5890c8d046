"""The dashboards as code (bi/assets) speak to people: every column and metric a chart shows has a human name with its
unit, and every percentage is formatted as one. Fast: reads the YAML, no Superset."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path
from types import ModuleType

import yaml

ASSETS = Path(__file__).resolve().parents[2] / "bi" / "assets"
SNAKE_CASE = re.compile(r"^[a-z0-9]+(_[a-z0-9]+)+$")
# Mart columns holding a share or a rate: shown as percentages (the HTML report shows ROI as one too).
PERCENT_COLUMNS = re.compile(r"(_rate|_share|_roi|^net_sentiment.*|^cash_roi)$")


def _assets(kind: str, root: Path = ASSETS) -> dict[str, dict]:
    return {(a := yaml.safe_load(p.read_text()))["uuid"]: a for p in sorted((root / kind).rglob("*.yaml"))}


def test_every_column_and_metric_a_chart_shows_has_a_human_name(tmp_path: Path) -> None:
    _superset_ror().render_assets(tmp_path / "ror.duckdb", tmp_path / "assets")
    datasets = _assets("datasets", tmp_path / "assets")  # as imported: with the brands' names
    for chart in _assets("charts").values():
        params = chart["params"]
        columns = {c["column_name"]: c for c in datasets[chart["dataset_uuid"]]["columns"]}
        for column in params.get("all_columns", []) + params.get("groupby", []):
            name = columns[column]["verbose_name"]
            assert name and not SNAKE_CASE.match(name), (chart["slice_name"], column)
            if PERCENT_COLUMNS.search(column):
                assert "(%)" in name, (chart["slice_name"], column)
                assert params["column_config"][column]["d3NumberFormat"].endswith("%"), (chart["slice_name"], column)
        for metric in params.get("metrics", []):
            assert metric["hasCustomLabel"] and metric["label"][0].isupper(), (chart["slice_name"], metric["label"])
            if "(%)" in metric["label"]:
                assert params["y_axis_format"].endswith("%"), chart["slice_name"]


def test_no_table_cuts_rows_off_silently() -> None:
    """A table pages through its rows on the server (Superset shows the pages), instead of showing the first few."""
    tables = [chart for chart in _assets("charts").values() if chart["viz_type"] == "table"]
    assert tables
    for chart in tables:
        assert chart["params"].get("server_pagination") is True, chart["slice_name"]


def _superset_ror() -> ModuleType:
    """bi/superset_ror.py, loaded by path (it runs with bi/.venv's Python; this needs only its YAML handling)."""
    spec = importlib.util.spec_from_file_location("superset_ror", ASSETS.parent / "superset_ror.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_each_dashboard_gets_brand_platform_and_period_filters_scoped_to_the_charts_they_can_filter(
    tmp_path: Path,
) -> None:
    superset_ror = _superset_ror()
    superset_ror.render_assets(tmp_path / "ror.duckdb", tmp_path / "assets")
    charts, datasets = _assets("charts"), _assets("datasets", tmp_path / "assets")
    for path in sorted((tmp_path / "assets" / "dashboards").glob("*.yaml")):
        dashboard = yaml.safe_load(path.read_text())
        filters = {f["name"]: f for f in dashboard["metadata"]["native_filter_configuration"]}
        assert list(filters) == ["Brand", "Platform", "Period"], path.name
        # the brand filter lists and filters the brands' names, never their ids
        assert [t["column"]["name"] for t in filters["Brand"]["targets"]] == ["brand_name"], path.name
        for node in dashboard["position"].values():
            if not (isinstance(node, dict) and node["type"] == "CHART"):
                continue
            chart = charts[node["meta"]["uuid"]]
            columns = {c["column_name"] for c in datasets[chart["dataset_uuid"]]["columns"]}
            for name, column in (("Brand", "brand_name"), ("Platform", "platform")):
                excluded = node["meta"]["chartId"] in filters[name]["scope"]["excluded"]
                assert excluded == (column not in columns), (path.name, name, chart["slice_name"])
                assert excluded == (chart["slice_name"] in filters[name]["description"]), (path.name, name)
            assert "brand_name" in columns, chart["slice_name"]  # the required brand filter reaches every chart
            assert not {"brand_id"} & set(chart["params"].get("all_columns", []) + chart["params"].get("groupby", []))
