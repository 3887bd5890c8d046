"""The ROR report: a self-contained HTML page per brand and period, read from the serving warehouse."""

from report.queries import Period
from report.render import EmptyWarehouseError, UnknownBrandError, WrittenReport, write_reports

__all__ = ["EmptyWarehouseError", "Period", "UnknownBrandError", "WrittenReport", "write_reports"]
