"""Files written the same way every time: CSV with a fixed header, rows in the caller's order and LF line ends;
compact JSON lines."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Sequence
from datetime import datetime
from pathlib import Path


def write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[object]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        for row in rows:
            if len(row) != len(header):
                raise ValueError(f"{path.name}: row has {len(row)} values for {len(header)} columns")
            writer.writerow(["" if value is None else value for value in row])
    return path


TIME_STYLES = {
    "micros": "%Y-%m-%d %H:%M:%S.%f",  # 2026-08-02 06:41:01.193000
    "millis": "%Y-%m-%d %H:%M:%S.%f",  # 2026-08-02 06:41:01.193 (cut to milliseconds)
    "iso_millis": "%Y-%m-%dT%H:%M:%S.%f",  # 2026-08-02T06:41:01.193 (cut to milliseconds)
    "iso_seconds": "%Y-%m-%dT%H:%M:%S",  # 2026-08-02T06:41:01
    "seconds": "%Y-%m-%d %H:%M:%S",  # 2026-08-02 06:41:01
}


def fivetran_time(moment: datetime, style: str) -> str:
    """A UTC timestamp without zone, printed the way a given Fivetran sample table prints it."""
    text = moment.strftime(TIME_STYLES[style])
    return text[:-3] if style in ("millis", "iso_millis") else text


def json_line(document: object) -> str:
    """One document as a line of compact JSON (non-ASCII kept as is)."""
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")) + "\n"
