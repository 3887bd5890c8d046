"""Progress lines the assets log and the `ror` console turns into progress bars.

An asset logs ``enrichment: 1024/3712 texts (540 texts/s)`` with :func:`progress_line`; the line reads well in the
Dagster UI's run log, and :func:`parse_progress_line` gives the console the same numbers back.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_LINE = re.compile(r"^(?P<stage>[a-z_]+): (?P<done>\d+)/(?P<total>\d+) (?P<unit>[a-z]+)(?: \((?P<detail>[^)]*)\))?$")


@dataclass(frozen=True)
class Progress:
    stage: str
    done: int
    total: int
    unit: str
    detail: str = ""


def progress_line(stage: str, done: int, total: int, unit: str, detail: str = "") -> str:
    return f"{stage}: {done}/{total} {unit}" + (f" ({detail})" if detail else "")


def parse_progress_line(message: str) -> Progress | None:
    match = _LINE.match(message)
    if match is None:
        return None
    return Progress(match["stage"], int(match["done"]), int(match["total"]), match["unit"], match["detail"] or "")
