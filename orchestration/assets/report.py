"""Report layer: the self-contained HTML ROR report per brand, written from the serving file after publication."""

from pathlib import Path

from dagster import (
    AssetExecutionContext,
    AssetKey,
    AssetsDefinition,
    MaterializeResult,
    MetadataValue,
    asset,
)

from orchestration.names import WAREHOUSE_STEP_TAGS
from orchestration.progress import progress_line
from orchestration.resources import WarehouseResource
from report import EmptyWarehouseError, PeriodWithoutDataError, write_reports

REPORT_PATHS_METADATA = "report_paths"


def report_dir_for(serving_path: Path) -> Path:
    """Each warehouse's reports in a folder of its own beside it (`ror.duckdb` -> `ror_reports/`): two warehouses
    in one folder never mix their reports."""
    return serving_path.parent / f"{serving_path.stem}_reports"


def written_report_paths(result) -> list[Path]:
    """The report files a finished run wrote, from the ror_report materialization's metadata (none when it did not
    run)."""
    return [
        Path(path)
        for event in result.get_asset_materialization_events()
        if event.event_specific_data.materialization.asset_key.to_user_string() == "ror_report"
        and REPORT_PATHS_METADATA in event.event_specific_data.materialization.metadata
        for path in event.event_specific_data.materialization.metadata[REPORT_PATHS_METADATA].value
    ]


def build_report_asset() -> AssetsDefinition:
    return asset(
        op_tags=WAREHOUSE_STEP_TAGS,
        name="ror_report",
        deps=[AssetKey("serving_warehouse")],
        group_name="report",
        kinds={"html", "plotly"},
        description="One self-contained HTML ROR report per brand for the latest six weeks (net sentiment, emotions, "
        "engagement quality, response times, community, advocacy, cost per lead, ROR beside ROI), read from the "
        "serving file. Opens offline: plotly.js is inlined.",
    )(ror_report)


def ror_report(context: AssetExecutionContext, warehouse: WarehouseResource) -> MaterializeResult:
    serving = Path(warehouse.serving_path)
    try:
        reports = write_reports(serving, report_dir_for(serving))
    # marts with brands but no dated rows yet, or none in the latest six weeks: nothing to draw, nothing wrong
    except (EmptyWarehouseError, PeriodWithoutDataError):
        reports = []
    if not reports:
        context.log.info("No report: no brand has data yet (brands come from the configuration file).")
    context.log.info(progress_line("report", len(reports), len(reports), "brands"))
    return MaterializeResult(
        metadata={
            "reports": MetadataValue.md("\n".join(f"- `{r.path}` ({r.charts_drawn} charts)" for r in reports)),
            "brands": len(reports),
            "charts_without_data": sum(r.charts_empty for r in reports),
            "report_dir": MetadataValue.path(str(report_dir_for(serving))),
            REPORT_PATHS_METADATA: MetadataValue.json([str(r.path) for r in reports]),
        }
    )
