"""What an alert says. Its message is built from typed fields only (counts, dates, brand ids, platforms, check
names), each checked against the shape it must have, so no row value can reach a message."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

# Brand ids and platforms are configuration slugs; check and asset names are identifiers. Anything else in these
# fields is not what the warehouse writes there, so it is replaced rather than quoted.
_SLUG = re.compile(r"^[a-z0-9][a-z0-9_\-]{0,63}$")
_CHECK_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.:/\-]{0,199}$")


class AlertKind(StrEnum):
    FAILED_CHECK = "failed_checks"
    NEGATIVE_SPIKE = "negative_spikes"
    VOLUME_SPIKE = "volume_spikes"


@dataclass(frozen=True)
class CheckOutcome:
    """One asset check's result after a refresh: ``blocking`` for ERROR severity (a failure stops publication)."""

    name: str
    asset: str
    passed: bool
    blocking: bool
    failed_rows: int | None = None


@dataclass(frozen=True)
class Spike:
    """A day dbt flagged on marts.sentiment_trend for one brand on one platform (account scope)."""

    kind: AlertKind
    brand_id: str | None
    platform: str
    day: date
    interactions: int
    negative_share: float | None = None


def _slug(value: str | None, unknown: str) -> str:
    return value if value is not None and _SLUG.match(value) else unknown


def _check_name(value: str) -> str:
    return value if _CHECK_NAME.match(value) else "(unnamed check)"


@dataclass(frozen=True)
class Alert:
    """One alert: ``identity`` says what it is about (the same on a rerun of the same refresh), ``message`` the one
    line people read."""

    kind: AlertKind
    brand_id: str | None
    day: date | None
    identity: str
    message: str

    @classmethod
    def from_check(cls, outcome: CheckOutcome, day: date) -> Alert:
        """``day``: when it is reported. A check still failing on a later day is reported again, once that day."""
        name, asset = _check_name(outcome.name), _check_name(outcome.asset)
        rows = f": {int(outcome.failed_rows)} failing rows" if outcome.failed_rows is not None else ""
        return cls(
            kind=AlertKind.FAILED_CHECK,
            brand_id=None,
            day=day,
            identity=f"{AlertKind.FAILED_CHECK}|{asset}|{name}|{day.isoformat()}",
            message=f"ROR warehouse: check {name} on {asset} failed{rows}; the serving file keeps the last good data.",
        )

    @classmethod
    def from_spike(cls, spike: Spike) -> Alert:
        brand, platform = _slug(spike.brand_id, "(no brand)"), _slug(spike.platform, "(unknown platform)")
        if spike.kind is AlertKind.NEGATIVE_SPIKE:
            share = f", {spike.negative_share:.0%} negative" if spike.negative_share is not None else ""
            what = f"negative-sentiment spike ({int(spike.interactions)} scored interactions{share})"
        else:
            what = f"audience volume spike ({int(spike.interactions)} interactions)"
        return cls(
            kind=spike.kind,
            brand_id=brand,
            day=spike.day,
            identity=f"{spike.kind}|{brand}|{platform}|{spike.day.isoformat()}",
            message=f"ROR warehouse: {what} for brand {brand} on {platform} on {spike.day.isoformat()}.",
        )
