"""The configuration file's shape: pydantic models that reject unknown keys (a typo is an error, not a silent default).

Ids are text: YAML reads an unquoted ``1500000000000000001`` as an exact integer, which is accepted and kept as its
digits; a float (``1.5e18``) has already lost digits and is refused.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

SLUG_PATTERN = r"^[a-z0-9][a-z0-9_\-]*$"
# The platforms the readers name in their rows (raw.*.platform); `meta` is the ad platform. A column mapping may bring
# others: the configuration lists them under extra_platforms.
KNOWN_PLATFORMS = ("bluesky", "facebook", "instagram", "linkedin", "meta", "reddit", "x", "youtube")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _id_text(value: Any) -> Any:
    """Integers (exact in YAML) become their digits; floats cannot carry a 19-digit id and are refused."""
    if isinstance(value, bool):
        raise ValueError("expected an id, got true/false")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        raise ValueError(f"{value!r} is a number with a fraction or exponent: write the id in quotes, digit for digit")
    if isinstance(value, str):
        return value.strip() or None
    return value


def _platform(value: Any) -> Any:
    return value.strip().lower() if isinstance(value, str) else value


def _handle(value: Any) -> Any:
    """Handles as people write them: '@AcmeCoffee' and 'AcmeCoffee' are the same account."""
    if isinstance(value, str):
        return value.strip().removeprefix("@") or None
    return value


class Account(_Strict):
    """A brand's own account on one platform: its id, its handle, or both (a handle alone is resolved to the id the
    exports carry for it)."""

    platform: str = Field(min_length=1)
    account_id: str | None = None
    handle: str | None = None

    _ids = field_validator("account_id", mode="before")(_id_text)
    _platforms = field_validator("platform", mode="before")(_platform)
    _handles = field_validator("handle", mode="before")(_handle)

    @model_validator(mode="after")
    def _id_or_handle(self) -> Account:
        if self.account_id is None and self.handle is None:
            raise ValueError("give account_id or handle (or both)")
        return self


class Employee(_Strict):
    """A person who works for the brand (employee advocacy), by id, handle or both."""

    platform: str = Field(min_length=1)
    person_id: str | None = None
    handle: str | None = None
    role: str | None = None

    _ids = field_validator("person_id", mode="before")(_id_text)
    _platforms = field_validator("platform", mode="before")(_platform)
    _handles = field_validator("handle", mode="before")(_handle)

    @model_validator(mode="after")
    def _id_or_handle(self) -> Employee:
        if self.person_id is None and self.handle is None:
            raise ValueError("give person_id or handle (or both)")
        return self


class Campaign(_Strict):
    """A utm_campaign value and the campaign it stands for."""

    utm_campaign: str = Field(min_length=1)
    name: str | None = None
    channel: Literal["paid_social", "organic_social"]


class Brand(_Strict):
    id: str = Field(pattern=SLUG_PATTERN, description="lowercase letters, digits, _ and -")
    name: str = Field(min_length=1)
    accounts: list[Account] = Field(default_factory=list)
    employees: list[Employee] = Field(default_factory=list)
    campaigns: list[Campaign] = Field(default_factory=list)

    @field_validator("accounts", "employees", "campaigns", mode="before")
    @classmethod
    def _empty_is_none(cls, value: Any) -> Any:
        return [] if value is None else value


class AdActionType(_Strict):
    """Overrides one row of the shipped table of which ad actions count as a lead, a purchase or a click."""

    platform: str = Field(min_length=1)
    action_type: str = Field(min_length=1)
    counts_as: Literal["lead", "purchase", "click"]

    _platforms = field_validator("platform", mode="before")(_platform)


class DbtVars(_Strict):
    """The tunables of the dbt project (defaults and meaning: dbt_project/dbt_project.yml). Only the ones given here
    are passed to dbt; the partition window (min_date, max_date) is the job's, not the configuration's."""

    lookback_days: int | None = Field(default=None, ge=0)
    spike_k: float | None = Field(default=None, gt=0)
    spike_trailing_days: int | None = Field(default=None, ge=2)
    spike_min_interactions: int | None = Field(default=None, ge=1)
    spike_min_share_sigma: float | None = Field(default=None, ge=0)
    viral_window_days: int | None = Field(default=None, ge=1)
    advocate_min_positive_interactions: int | None = Field(default=None, ge=1)
    advocate_window_days: int | None = Field(default=None, ge=1)
    engaged_min_interactions: int | None = Field(default=None, ge=1)
    date_spine_max_periods: int | None = Field(default=None, ge=1)

    def given(self) -> dict[str, int | float]:
        return self.model_dump(exclude_none=True)


class RorConfig(_Strict):
    """The whole file. Everything is optional: an empty file (or none) is a warehouse that attributes nothing to any
    brand but still loads, enriches and publishes every export."""

    brands: list[Brand] = Field(default_factory=list)
    mappings: list[Path] = Field(default_factory=list)
    ad_action_types: list[AdActionType] = Field(default_factory=list)
    vars: DbtVars = Field(default_factory=DbtVars)
    # Platforms beyond KNOWN_PLATFORMS that the configured column mappings put in their rows (e.g. tiktok).
    extra_platforms: list[str] = Field(default_factory=list)
    # Settings of the extract package (API pulls): validated by its schema (extract.config.ExtractConfig) when the file
    # is loaded, carried here as written.
    extract: dict[str, Any] | None = None

    @field_validator("extra_platforms", mode="before")
    @classmethod
    def _platform_names(cls, value: Any) -> Any:
        return [] if value is None else [_platform(name) for name in value] if isinstance(value, list) else value

    @field_validator("brands", "mappings", "ad_action_types", mode="before")
    @classmethod
    def _empty_is_none(cls, value: Any) -> Any:
        return [] if value is None else value

    @field_validator("vars", mode="before")
    @classmethod
    def _no_vars(cls, value: Any) -> Any:
        return {} if value is None else value

    def warehouse_hash(self) -> str:
        """A digest of everything dbt reads from the configuration (brands, ad action types, vars): when it changes,
        incremental models are rebuilt from scratch."""
        relevant = self.model_dump(mode="json", include={"brands", "ad_action_types", "vars"})
        return hashlib.sha256(json.dumps(relevant, sort_keys=True).encode()).hexdigest()
