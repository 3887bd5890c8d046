"""Write the self-contained HTML report: plotly.js inlined once, every chart as a div, styles inline, no network.

A page reads top to bottom as a marketing lead would forward it: the headline numbers against the previous period,
how to read ROR beside ROI, the best and worst moments, the top posts, then the charts. The print stylesheet keeps
every block on one page (``ror report --pdf`` prints it with Chromium: report.pdf)."""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb
from plotly.offline import get_plotlyjs

from report.charts import CHARTS, Chart, ReportContext, account_names
from report.conversation import CONVERSATION_CHARTS
from report.headline import headline_html
from report.moments import moments_html, top_posts_html
from report.queries import Period, Warehouse

STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0; background: #f5f6f8; color: #1d2330; }
header { background: #1d2330; color: #fff; padding: 24px 32px; }
header h1 { margin: 0 0 4px; font-size: 26px; }
header p { margin: 0; opacity: .85; }
.banner { margin: 24px 32px 0; padding: 14px 18px; border-radius: 8px; background: #fff4e5; border: 1px solid #f0b35a;
  color: #7a4b00; font-weight: 600; }
main { display: grid; grid-template-columns: repeat(auto-fit, minmax(560px, 1fr)); gap: 20px; padding: 24px 32px; }
section { background: #fff; border-radius: 8px; padding: 16px 20px; box-shadow: 0 1px 3px rgba(0,0,0,.08); }
section.wide { grid-column: 1 / -1; }
section h2 { margin: 0 0 4px; font-size: 18px; }
section h3 { margin: 12px 0 4px; font-size: 15px; }
section p.what { margin: 0 0 8px; color: #3b4252; }
section p.note { color: #9a3412; }
.tiles { display: grid; grid-template-columns: repeat(auto-fill, minmax(190px, 1fr)); gap: 12px; margin-top: 8px; }
.tile { border: 1px solid #e5e7eb; border-radius: 6px; padding: 10px 12px; }
.tile .label { font-size: 13px; color: #4b5563; }
.tile .value { font-size: 24px; font-weight: 700; margin: 2px 0; }
.tile .change { font-size: 13px; }
.tile .was, .tile .explain { color: #6b7280; font-size: 12px; }
.good .change, li.good { color: #047857; }
.bad .change, li.bad { color: #b91c1c; }
.neutral .change, .flat .change { color: #4b5563; }
.movers li { margin: 2px 0; }
.pair { display: grid; grid-template-columns: 1fr 1fr; gap: 16px; }
.moment { border-left: 4px solid #9ca3af; padding-left: 12px; }
.moment.good { border-color: #059669; }
.moment.bad { border-color: #dc2626; }
.moment ul { margin: 4px 0; padding-left: 18px; }
.nolink { color: #6b7280; }
q.message { display: block; font-style: italic; color: #1d2330; overflow-wrap: anywhere; }
q.message::before { content: "“"; }
q.message::after { content: "”"; }
.meta { display: block; font-size: 12px; color: #6b7280; margin: 2px 0 8px; }
ul.examples { list-style: none; padding-left: 0; }
.example { margin-bottom: 4px; }
td.post { min-width: 320px; }
.movers .quote { font-style: italic; overflow-wrap: anywhere; }
table { border-collapse: collapse; width: 100%; font-size: 14px; }
th, td { text-align: left; padding: 6px 8px; border-bottom: 1px solid #e5e7eb; }
th.num, td.num { text-align: right; }
.explainer dl { display: grid; grid-template-columns: max-content 1fr; gap: 4px 16px; margin: 8px 0 0; }
.explainer dt { font-weight: 600; }
.explainer dd { margin: 0; }
footer { padding: 0 32px 24px; color: #6b7280; font-size: 13px; }
@media print {
  @page { size: A4; margin: 12mm; }
  body { background: #fff; -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  header { padding: 14px 18px; }
  main { display: block; padding: 0; }
  section, .banner { box-shadow: none; border: 1px solid #e5e7eb; margin: 0 0 12px; break-inside: avoid;
    page-break-inside: avoid; }
  .js-plotly-plot, .plot-container, table, .tile, .moment { break-inside: avoid; page-break-inside: avoid; }
  a { color: #1d4ed8; text-decoration: none; }
  footer { padding: 0; }
}
"""

ROR_BESIDE_ROI = """
<section class="explainer wide" id="how-to-read"><h2>How to read ROR beside ROI</h2>
<p class="what">ROI (return on investment) counts money: what ad spend brought back in revenue. ROR (return on
relationship) counts what the audience did with the brand: how people feel about it, whether the brand answers them,
whether they recommend it. ROI moves in weeks; ROR moves first and explains next quarter's ROI. Read them together:
ROI up with ROR down is a campaign buying sales from an audience that cools; ROR up with ROI flat is goodwill that has
not been turned into sales yet.</p>
<dl>
<dt>Net sentiment</dt><dd>share of positive minus share of negative audience interactions (-100% to +100%).</dd>
<dt>Response rate</dt><dd>questions and complaints the brand's own accounts answered, of those received.</dd>
<dt>Referral rate</dt><dd>people who recommended, shouted out or shared the brand, of the people who engaged.</dd>
<dt>Cash ROI</dt><dd>(revenue closed - ad spend) / ad spend, in percent: 150% means every unit spent came back 2.5
times. Lead-cohort ROI counts the revenue of the leads that month's spend brought, whenever it closed.</dd>
</dl></section>
"""

PLOTLY_CONFIG = {"displaylogo": False, "responsive": True}
# what people talk about and the competitors first: a marketing lead reads those before the service details
SECTIONS = [*CONVERSATION_CHARTS, *CHARTS]


@dataclass(frozen=True)
class WrittenReport:
    brand: str
    path: Path
    charts_drawn: int
    charts_empty: int
    pdf: Path | None = None


def _section(chart: Chart) -> str:
    body = (
        chart.figure.to_html(full_html=False, include_plotlyjs=False, config=PLOTLY_CONFIG, div_id=chart.key)
        if chart.figure is not None
        else f'<p class="note">{html.escape(chart.note)}</p>'
    )
    # the mart columns stay on the page for whoever checks a number, out of the reader's way
    wide = ' class="wide"' if chart.wide else ""
    state = "drawn" if chart.figure is not None else "empty"
    return (
        f'<section id="section-{chart.key}"{wide} data-chart="{state}" '
        f'data-source="{html.escape(chart.source)}">'
        f'<h2>{html.escape(chart.title)}</h2><p class="what">{html.escape(chart.caption)}</p>{body}'
        f"{chart.details if chart.figure is not None else ''}</section>"
    )


def render_brand(wh: Warehouse, brand: str, period: Period, refresh_id: str | None) -> tuple[str, list[Chart]]:
    ctx = ReportContext(wh, wh.brand_profile(brand), period, account_names(wh, brand))
    name = html.escape(ctx.brand.name)
    charts = [build(ctx) for build in SECTIONS]
    generated = datetime.now(UTC).strftime("%d %b %Y %H:%M UTC")
    banner = ""
    if not wh.has_brand_data(brand, period):
        span = wh.data_span()
        banner = (
            f'<div class="banner" id="no-data">No data for {name} between {period.start} and {period.end}. '
            + (f"The warehouse holds data from {span.start} to {span.end}. " if span else "")
            + "Choose a period inside it.</div>"
        )
    blocks = headline_html(wh, ctx.brand, period) + ROR_BESIDE_ROI + moments_html(ctx) + top_posts_html(ctx)
    page = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Return on Relationship: {name}, {period}</title>
<style>{STYLE}</style>
<script type="text/javascript">{get_plotlyjs()}</script>
</head><body>
<header><h1>Return on Relationship: {name}</h1>
<p>{period.start.strftime("%d %b %Y")} to {period.end.strftime("%d %b %Y")} ({period.days} days), compared with the
{period.days} days before ({period.previous()}).</p></header>
{banner}
<main>{blocks}{"".join(_section(chart) for chart in charts)}</main>
<footer>Generated {generated} from the published warehouse (refresh {html.escape(refresh_id or "unknown")}). Every
number comes from the warehouse's published tables, which document each measure's formula beside its column; ask
your data team for the definitions.</footer></body></html>
"""
    return page, charts


def _refresh_id(con: duckdb.DuckDBPyConnection) -> str | None:
    try:
        row = con.execute("select any_value(refresh_id) from marts.refresh_log").fetchone()
    except duckdb.Error:
        return None
    return row[0] if row else None


def write_reports(
    warehouse_path: Path,
    out_dir: Path,
    brand: str | None = None,
    period: Period | None = None,
    pdf: bool = False,
) -> list[WrittenReport]:
    """One HTML file per brand (or only ``brand``) for ``period`` (default: the latest six weeks of data), and beside
    each its PDF when ``pdf``. A period in which none of these brands has data is refused (PeriodWithoutDataError)
    before anything is written; a brand without data when others have some gets a page that says so on top."""
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
        if not any(wh.has_brand_data(name, period) for name in brands):
            raise PeriodWithoutDataError(period, wh.data_span())
        refresh_id = _refresh_id(con)
        out_dir.mkdir(parents=True, exist_ok=True)
        for name in brands:
            page, charts = render_brand(wh, name, period, refresh_id)
            path = out_dir / f"ror-report-{name}-{period.start.isoformat()}-{period.end.isoformat()}.html"
            temporary = path.with_suffix(".html.partial")
            temporary.write_text(page, encoding="utf-8")
            temporary.replace(path)
            drawn = sum(chart.figure is not None for chart in charts)
            written.append(WrittenReport(name, path, drawn, len(charts) - drawn))
    if pdf:
        from report.pdf import print_pdfs

        pdfs = print_pdfs([report.path for report in written])
        written = [
            WrittenReport(r.brand, r.path, r.charts_drawn, r.charts_empty, p)
            for r, p in zip(written, pdfs, strict=True)
        ]
    return written


class UnknownBrandError(ValueError):
    def __init__(self, brand: str, known: list[str]):
        super().__init__(f"brand '{brand}' is not in the warehouse; known brands: {', '.join(known) or 'none'}")


class EmptyWarehouseError(ValueError):
    def __init__(self, path: Path):
        super().__init__(f"{path} has no sentiment or cost data to report on; run `ror refresh` first")


class PeriodWithoutDataError(ValueError):
    def __init__(self, period: Period, span: Period | None):
        held = f"the warehouse holds data from {span.start} to {span.end}" if span else "the warehouse holds no data"
        super().__init__(
            f"no data to report between {period.start} and {period.end}: {held}; choose --from and --to inside it"
        )
