"""The ROR report: a self-contained HTML page per brand and period, read from the serving warehouse (and its PDF)."""

from report.pdf import ChromiumMissingError
from report.queries import Period
from report.render import EmptyWarehouseError, PeriodWithoutDataError, UnknownBrandError, WrittenReport, write_reports

__all__ = [
    "ChromiumMissingError",
    "EmptyWarehouseError",
    "Period",
    "PeriodWithoutDataError",
    "UnknownBrandError",
    "WrittenReport",
    "write_reports",
]
