"""Write the self-contained HTML report: plotly.js inlined once, every chart as a div, styles inline, no network."""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb
from plotly.offline import get_plotlyjs

from report.charts import CHARTS, Chart
from report.queries import Period, Warehouse

STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0; background: #f5f6f8; color: #1d2330; }
header { background: #1d2330; color: #fff; padding: 24px 32px; }
header h1 { margin: 0 0 4px; font-size: 26px; }
header p { margin: 0; opacity: .8; }
main { display: grid; grid-template-columns: repeat(auto-fit, minmax(560px, 1fr)); gap: 20px; padding: 24px 32px; }
section { background: #fff; border-radius: 8px; padding: 16px 20px; box-shadow: 0 1px 3px rgba(0,0,0,.08); }
section h2 { margin: 0 0 4px; font-size: 18px; }
section p.what { margin: 0; color: #3b4252; }
section p.source { margin: 2px 0 8px; color: #6b7280; font-size: 13px; }
section p.source code { background: #f0f1f4; padding: 1px 4px; border-radius: 3px; }
section p.note { color: #9a3412; }
footer { padding: 0 32px 24px; color: #6b7280; font-size: 13px; }
"""

PLOTLY_CONFIG = {"displaylogo": False, "responsive": True}


@dataclass(frozen=True)
class WrittenReport:
    brand: str
    path: Path
    charts_drawn: int
    charts_empty: int


def _section(chart: Chart) -> str:
    body = (
        chart.figure.to_html(full_html=False, include_plotlyjs=False, config=PLOTLY_CONFIG, div_id=chart.key)
        if chart.figure is not None
        else f'<p class="note">{html.escape(chart.note)}</p>'
    )
    return (
        f'<section id="section-{chart.key}" data-chart="{"drawn" if chart.figure is not None else "empty"}">'
        f'<h2>{html.escape(chart.title)}</h2><p class="what">{html.escape(chart.caption)}</p>'
        f'<p class="source">Source: <code>{html.escape(chart.source)}</code></p>{body}</section>'
    )


def render_brand(wh: Warehouse, brand: str, period: Period, refresh_id: str | None) -> tuple[str, list[Chart]]:
    charts = [build(wh, brand, period) for build in CHARTS]
    generated = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    page = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>ROR report: {html.escape(brand)}, {period}</title>
<style>{STYLE}</style>
<script type="text/javascript">{get_plotlyjs()}</script>
</head><body>
<header><h1>Return on Relationship: {html.escape(brand)}</h1>
<p>{period} ({period.days} days), compared with {period.previous()} where noted.</p></header>
<main>{"".join(_section(chart) for chart in charts)}</main>
<footer>Generated {generated} from the serving warehouse (refresh {html.escape(refresh_id or "unknown")}).
Every number is read from a mart column named under its chart; formulas and denominators: docs/metrics_glossary.md.
</footer></body></html>
"""
    return page, charts


def _refresh_id(con: duckdb.DuckDBPyConnection) -> str | None:
    try:
        row = con.execute("select any_value(refresh_id) from marts.refresh_log").fetchone()
    except duckdb.Error:
        return None
    return row[0] if row else None


def write_reports(
    warehouse_path: Path, out_dir: Path, brand: str | None = None, period: Period | None = None
) -> list[WrittenReport]:
    """One HTML file per brand (or only ``brand``) for ``period`` (default: the latest six weeks of data)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written: list[WrittenReport] = []
    with duckdb.connect(str(warehouse_path), read_only=True) as con:
        wh = Warehouse(con)
        brands = wh.brands()
        if brand is not None:
            if brand not in brands:
                raise UnknownBrandError(brand, brands)
            brands = [brand]
        if not brands:  # nothing attributed to a brand (no configuration yet): no report to write
            return written
        period = period or wh.default_period()
        if period is None:
            raise EmptyWarehouseError(warehouse_path)
        refresh_id = _refresh_id(con)
        for name in brands:
            page, charts = render_brand(wh, name, period, refresh_id)
            path = out_dir / f"ror-report-{name}-{period.start.isoformat()}-{period.end.isoformat()}.html"
            temporary = path.with_suffix(".html.partial")
            temporary.write_text(page, encoding="utf-8")
            temporary.replace(path)
            drawn = sum(chart.figure is not None for chart in charts)
            written.append(WrittenReport(name, path, drawn, len(charts) - drawn))
    return written


class UnknownBrandError(ValueError):
    def __init__(self, brand: str, known: list[str]):
        super().__init__(f"brand '{brand}' is not in the warehouse; known brands: {', '.join(known) or 'none'}")


class EmptyWarehouseError(ValueError):
    def __init__(self, path: Path):
        super().__init__(f"{path} has no sentiment or cost data to report on; run `ror refresh` first")
