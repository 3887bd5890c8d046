"""Report layer: the self-contained HTML ROR report per brand, written from the serving file after publication."""

from pathlib import Path

from dagster import (
    AssetExecutionContext,
    AssetKey,
    AssetsDefinition,
    BackfillPolicy,
    MaterializeResult,
    MetadataValue,
    PartitionsDefinition,
    asset,
)

from orchestration.names import WAREHOUSE_STEP_TAGS
from orchestration.progress import progress_line
from orchestration.resources import WarehouseResource
from report import EmptyWarehouseError, write_reports


def report_dir_for(serving_path: Path) -> Path:
    """Reports live in a `reports` folder beside the serving file."""
    return serving_path.parent / "reports"


def build_report_asset(partitions: PartitionsDefinition) -> AssetsDefinition:
    return asset(
        op_tags=WAREHOUSE_STEP_TAGS,
        name="ror_report",
        deps=[AssetKey("serving_warehouse")],
        group_name="report",
        kinds={"html", "plotly"},
        partitions_def=partitions,
        backfill_policy=BackfillPolicy.single_run(),
        description="One self-contained HTML ROR report per brand for the latest six weeks (net sentiment, emotions, "
        "engagement quality, response times, community, advocacy, cost per lead, ROR beside ROI), read from the "
        "serving file. Opens offline: plotly.js is inlined.",
    )(ror_report)


def ror_report(context: AssetExecutionContext, warehouse: WarehouseResource) -> MaterializeResult:
    serving = Path(warehouse.serving_path)
    try:
        reports = write_reports(serving, report_dir_for(serving))
    except EmptyWarehouseError:  # marts with brands but no dated rows yet: nothing to draw, nothing wrong
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
        }
    )
