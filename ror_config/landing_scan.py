"""Which configured accounts the exports in a landing folder never mention or show, before any refresh.

A plain library (no Dagster, no warehouse): ``scan_landing(config, landing)`` detects every export file the way ingest
does and reads it in dry-run mode (the same readers; nothing is written), collecting per platform the ids and the
lowercase handles the exports carry: authors, people, mentioned handles, the accounts replied to, ad and page
accounts. A configured account is *reached* when its account_id is among those ids or its handle among those
handles (case-insensitive), the same evidence the warehouse's attribution uses. The refresh's check
``configured_accounts_reached`` says the same thing afterwards, from the marts' point of view.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from ingest.detect import explain
from ingest.readers.generic import register_mappings
from ror_config.models import Account, Brand, RorConfig

# entity -> (id columns, handle columns) that show an account on the entity's platform
_ACCOUNT_COLUMNS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "interactions": (("author_id", "in_reply_to_author_id"), ("author_handle", "mentioned_handles")),
    "people": (("person_id",), ("handle",)),
    "ad_insights": (("account_id",), ()),
    "ad_objects": (("account_id",), ()),
    "account_metrics": (("account_id",), ()),
    "content_metrics": (("account_id",), ()),
}


@dataclass(frozen=True)
class UnreachedAccount:
    brand_id: str
    platform: str
    account_id: str | None
    handle: str | None
    competitor_id: str | None = None  # a competitor's account the brand tracks; None: the brand's own

    def describe(self) -> str:
        """How the configuration names it: '@handle' and/or 'id ...'."""
        names = [f"@{self.handle}" if self.handle else "", f"id {self.account_id}" if self.account_id else ""]
        return " ".join(name for name in names if name)


@dataclass
class LandingScan:
    files_read: int = 0
    files_not_read: int = 0  # unrecognised, skipped or failed: `ror ingest DIR --dry-run` says why, per file
    unreached: list[UnreachedAccount] = field(default_factory=list)


class _Seen:
    """The configured ids and lowercase handles the exports carry, per platform (only those: a semi-join keeps the
    sets as small as the configuration, however large the exports)."""

    def __init__(self, config: RorConfig):
        accounts = [account for brand in config.brands for account, _ in _configured_accounts(brand)]
        self.wanted_ids = _pairs([(a.platform, a.account_id) for a in accounts if a.account_id is not None])
        self.wanted_handles = _pairs([(a.platform, a.handle.lower()) for a in accounts if a.handle is not None])
        self.ids: set[tuple[str, str]] = set()
        self.handles: set[tuple[str, str]] = set()

    def add(self, entity: str, frame: pl.DataFrame) -> None:
        id_columns, handle_columns = _ACCOUNT_COLUMNS.get(entity, ((), ()))
        rows = frame.lazy()
        for column in id_columns:
            ids = rows.select("platform", pl.col(column).alias("value"))
            self.ids |= _found(ids, self.wanted_ids)
            # exports without handles use the screen name as the author id (customer-support dumps)
            self.handles |= _found(ids.with_columns(pl.col("value").str.to_lowercase()), self.wanted_handles)
        for column in handle_columns:
            handles = rows.select("platform", pl.col(column).alias("value"))
            if frame.schema[column] == pl.List(pl.String):
                handles = handles.explode("value")
            lowered = handles.with_columns(pl.col("value").str.strip_prefix("@").str.to_lowercase())
            self.handles |= _found(lowered, self.wanted_handles)


def _configured_accounts(brand: Brand) -> list[tuple[Account, str | None]]:
    """The brand's own accounts, then its competitors' (with the competitor's id)."""
    tracked = [(account, competitor.id) for competitor in brand.competitors for account in competitor.accounts]
    return [(account, None) for account in brand.accounts] + tracked


def _pairs(pairs: list[tuple[str, str]]) -> pl.LazyFrame:
    return pl.LazyFrame(pairs, schema={"platform": pl.String, "value": pl.String}, orient="row")


def _found(values: pl.LazyFrame, wanted: pl.LazyFrame) -> set[tuple[str, str]]:
    """The (platform, value) pairs of ``wanted`` that occur in ``values``."""
    found = values.join(wanted, on=["platform", "value"], how="semi").unique().collect()
    return set(found.iter_rows())


def _files(landing: Path) -> Iterator[Path]:
    for folder, subfolders, files in os.walk(landing):
        subfolders[:] = sorted(name for name in subfolders if not name.startswith("."))
        for name in sorted(files):
            if not name.startswith("."):
                yield Path(folder) / name


def _read_into(path: Path, seen: _Seen) -> bool:
    """Read one file into ``seen``; False when it is not an export the warehouse loads (or cannot be read)."""
    detection = explain(path)
    if detection.format is None or detection.format.skipped_because:
        return False
    chunks = detection.format.read(path)
    while True:
        try:
            chunk = next(chunks, None)
        except Exception:  # a broken file is ingest's to report (with its reason); here it only shows nothing
            return False
        if chunk is None:
            return True
        for entity, frame in chunk.frames.items():
            seen.add(entity, frame)


def scan_landing(config: RorConfig, landing: Path | str) -> LandingScan:
    """The configured accounts that no export under ``landing`` mentions or shows (see the module docstring)."""
    register_mappings(list(config.mappings))  # the configuration's mapping folders, as a refresh would
    seen, scan = _Seen(config), LandingScan()
    for path in _files(Path(landing)):
        if _read_into(path, seen):
            scan.files_read += 1
        else:
            scan.files_not_read += 1
    for brand in config.brands:
        for account, competitor_id in _configured_accounts(brand):
            by_id = account.account_id is not None and (account.platform, account.account_id) in seen.ids
            by_handle = account.handle is not None and (account.platform, account.handle.lower()) in seen.handles
            if not (by_id or by_handle):
                unreached = UnreachedAccount(
                    brand.id, account.platform, account.account_id, account.handle, competitor_id
                )
                scan.unreached.append(unreached)
    return scan


def landing_report(config: RorConfig, landing: Path | str) -> str:
    """``scan_landing`` in words, for `ror config check FILE --landing DIR`."""
    scan = scan_landing(config, landing)
    not_read = f", {scan.files_not_read} not read (`ror ingest DIR --dry-run` says why)" if scan.files_not_read else ""
    lines = [f"Landing {landing}: {scan.files_read} export files read{not_read}"]
    if not scan.unreached:
        lines.append("Every configured account is mentioned or shown in these exports.")
        return "\n".join(lines)
    count = len(scan.unreached)
    lines.append(
        f"{count} configured account{'s' if count > 1 else ''} no export mentions or shows (nothing would be attributed"
        " to them): check the platform and the handle or account_id in the configuration, or land exports that"
        " cover them:"
    )
    lines.extend(
        f"  {account.brand_id}{f' competitor {account.competitor_id}' if account.competitor_id else ''} "
        f"{account.platform} {account.describe()}"
        for account in scan.unreached
    )
    return "\n".join(lines)
