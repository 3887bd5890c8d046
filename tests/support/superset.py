"""What the BI tests share: the warehouse Superset reads and the running Superset (tests/bi/conftest.py builds both)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Warehouse:
    working: Path
    serving: Path


@dataclass(frozen=True)
class Superset:
    url: str
    user: str
    password: str
