"""The configuration file's shape: pydantic models that reject unknown keys (a typo is an error, not a silent default).

Ids are text: YAML reads an unquoted ``1500000000000000001`` as an exact integer, which is accepted and kept as its
digits; a float (``1.5e18``) has already lost digits and is refused.
"""

from __future__ import annotations

import hashlib
import json
import re
from datetime import date
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

SLUG_PATTERN = r"^[a-z0-9][a-z0-9_\-]*$"
CURRENCY_PATTERN = r"^[A-Z]{3}$"
# The platforms the readers name in their rows (raw.*.platform); `meta` is the ad platform. A column mapping may bring
# others: the configuration lists them under extra_platforms.
KNOWN_PLATFORMS = ("bluesky", "facebook", "instagram", "linkedin", "meta", "reddit", "x", "youtube")
# Competitors a brand compares itself with (share of voice): Sprout Social allows 20 per competitor group, and so do we.
MAX_COMPETITORS_PER_BRAND = 20
# A competitor's public accounts: one or two per platform is usual; more is a copy-paste mistake, not a competitor.
MAX_ACCOUNTS_PER_COMPETITOR = 20


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
    """An account on one platform (a brand's own, or a competitor's): its id, its handle, or both (a handle alone is
    resolved to the id the exports carry for it)."""

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


WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")  # ISO order: mon = 1
MINUTES_PER_DAY = 24 * 60


def _clock_minutes(value: Any) -> Any:
    """'09:00' -> 540. YAML reads an unquoted 9:00 as the number 540 (base 60): the same minutes, kept as they are."""
    if isinstance(value, bool):
        raise ValueError("expected a time of day such as '09:00'")
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        hours, _, minutes = value.strip().partition(":")
        if hours.isdigit() and minutes.isdigit() and len(minutes) == 2 and int(minutes) < 60:
            return int(hours) * 60 + int(minutes)
    raise ValueError("expected a time of day such as '09:00' (24-hour clock, quoted; '24:00' is midnight at the end)")


class SupportHours(_Strict):
    """When a brand's care team works, in its own time zone: the same opening hours on each listed day, none on the
    holidays. Business minutes are the minutes of these hours (a brand without support hours: every minute)."""

    time_zone: str = Field(min_length=1, description="IANA name, e.g. Europe/London")
    days: list[Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]] = Field(min_length=1)
    opens: int = Field(ge=0, lt=MINUTES_PER_DAY, description="minutes after local midnight ('09:00' in the file)")
    closes: int = Field(gt=0, le=MINUTES_PER_DAY, description="minutes after local midnight ('18:00' in the file)")
    holidays: list[date] = Field(default_factory=list)

    _clock = field_validator("opens", "closes", mode="before")(_clock_minutes)

    @field_validator("time_zone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r}: give an IANA name such as Europe/London") from None
        return value

    @field_validator("holidays", mode="before")
    @classmethod
    def _no_holidays(cls, value: Any) -> Any:
        return [] if value is None else value

    @model_validator(mode="after")
    def _opens_before_closing(self) -> SupportHours:
        if self.closes <= self.opens:
            raise ValueError("closes must be later than opens on the same day (hours past midnight are not supported)")
        if len(set(self.days)) != len(self.days):
            raise ValueError("a day is listed twice")
        return self


class ResponseTarget(_Strict):
    """How soon a kind of message must be answered, in business minutes. kind: question or complaint (the intent
    heads' flags), or any (every audience message). Without platform: every platform the brand has."""

    kind: Literal["question", "complaint", "any"]
    business_minutes: int = Field(ge=1)
    platform: str | None = None

    _platforms = field_validator("platform", mode="before")(_platform)


class Competitor(_Strict):
    """A competitor the brand tracks in share of voice: its name and public accounts. Its accounts are only tracked:
    what mentions or answers them is counted for the competitor, never as the brand's, and none of the owned-account
    rules (attribution, responses, service levels) applies to them."""

    id: str = Field(pattern=SLUG_PATTERN, description="lowercase letters, digits, _ and -")
    name: str = Field(min_length=1)
    accounts: list[Account] = Field(min_length=1, max_length=MAX_ACCOUNTS_PER_COMPETITOR)


class Brand(_Strict):
    id: str = Field(pattern=SLUG_PATTERN, description="lowercase letters, digits, _ and -")
    name: str = Field(min_length=1, description="the display name reports and dashboards show, e.g. Acme Coffee")
    # The currency of the brand's ad spend and CRM revenue (the exports carry amounts without one): reports label
    # money with it. None: amounts are shown without a currency.
    currency: str | None = Field(default=None, pattern=CURRENCY_PATTERN, description="ISO 4217 code, e.g. EUR")
    accounts: list[Account] = Field(default_factory=list)
    employees: list[Employee] = Field(default_factory=list)
    campaigns: list[Campaign] = Field(default_factory=list)
    support_hours: SupportHours | None = None
    response_targets: list[ResponseTarget] = Field(default_factory=list)
    competitors: list[Competitor] = Field(default_factory=list, max_length=MAX_COMPETITORS_PER_BRAND)

    @field_validator("accounts", "employees", "campaigns", "response_targets", "competitors", mode="before")
    @classmethod
    def _empty_is_none(cls, value: Any) -> Any:
        return [] if value is None else value

    @model_validator(mode="after")
    def _one_target_per_kind(self) -> Brand:
        keys = [(target.platform, target.kind) for target in self.response_targets]
        if len(set(keys)) != len(keys):
            raise ValueError("response_targets: a platform and kind is given twice")
        return self


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


class ThemesConfig(_Strict):
    """The rules of theme discovery (models.themes.ThemeRules has the defaults and their meaning; docs/models.md
    "Themes"). Only the ones given here replace the defaults; changing one rebuilds every theme at the next refresh."""

    min_theme_share: float | None = Field(default=None, ge=0, lt=1)
    min_theme_size: int | None = Field(default=None, ge=2)
    min_samples: int | None = Field(default=None, ge=1)
    selection: Literal["leaf", "eom"] | None = None
    assign_similarity: float | None = Field(default=None, ge=-1, le=1)
    max_themes: int | None = Field(default=None, ge=1)
    carry_over_share: float | None = Field(default=None, gt=0, le=1)
    label_terms: int | None = Field(default=None, ge=1)
    seed: int | None = None

    def given(self) -> dict[str, int | float | str]:
        return self.model_dump(exclude_none=True)


LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")
ALERT_KINDS = ("failed_checks", "negative_spikes", "volume_spikes")


class WebhookAlerts(_Strict):
    """A Slack-compatible incoming webhook: each alert is POSTed as JSON ``{"text": ...}``. The URL is a secret
    (it carries the webhook's token): messages and logs name its host only."""

    url: str = Field(min_length=1)
    timeout_seconds: float = Field(default=10, gt=0, le=120)

    @field_validator("url")
    @classmethod
    def _https_or_local(cls, value: str) -> str:
        parts = urlsplit(value.strip())
        if not parts.hostname:
            raise ValueError("must be a full URL such as https://hooks.slack.com/services/...")
        if parts.scheme != "https" and not (parts.scheme == "http" and parts.hostname in LOCAL_HOSTS):
            raise ValueError("must start with https:// (plain http only to 127.0.0.1 or localhost)")
        return value.strip()


def _is_address(value: str) -> bool:
    local, at, domain = value.partition("@")
    return bool(local and at and domain) and "@" not in domain and not any(c.isspace() for c in value)


class EmailAlerts(_Strict):
    """Alerts by email over SMTP. The password is never in this file: ``password_env`` names the environment variable
    that holds it."""

    host: str = Field(min_length=1)
    port: int = Field(default=587, ge=1, le=65535)
    sender: str = Field(alias="from")
    to: list[str] = Field(min_length=1)
    username: str | None = None
    password_env: str | None = None
    security: Literal["starttls", "ssl", "none"] = "starttls"
    timeout_seconds: float = Field(default=10, gt=0, le=120)

    @field_validator("sender")
    @classmethod
    def _sender_address(cls, value: str) -> str:
        if not _is_address(value):
            raise ValueError("must be an email address such as warehouse@example.com")
        return value

    @field_validator("password_env")
    @classmethod
    def _variable_name(cls, value: str | None) -> str | None:
        if value is not None and not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", value):
            raise ValueError("must name an environment variable (letters, digits and _), e.g. ROR_SMTP_PASSWORD")
        return value

    @field_validator("to")
    @classmethod
    def _addresses(cls, value: list[str]) -> list[str]:
        if not all(_is_address(address) for address in value):
            raise ValueError("every recipient must be an email address such as team@example.com")
        return value

    @model_validator(mode="after")
    def _credentials_safe(self) -> EmailAlerts:
        if (self.username is None) != (self.password_env is None):
            raise ValueError("give username and password_env together (or neither, for a server without login)")
        if self.username is not None and self.security == "none" and self.host not in LOCAL_HOSTS:
            raise ValueError("a login needs security: starttls or ssl (a password is never sent in clear)")
        return self


class AlertsConfig(_Strict):
    """Where spike and failed-check alerts go. Nothing configured: nothing is sent."""

    webhook: WebhookAlerts | None = None
    email: EmailAlerts | None = None
    send: list[Literal["failed_checks", "negative_spikes", "volume_spikes"]] = Field(
        default_factory=lambda: list(ALERT_KINDS)
    )


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
    alerts: AlertsConfig = Field(default_factory=AlertsConfig)
    themes: ThemesConfig = Field(default_factory=ThemesConfig)

    @field_validator("extra_platforms", mode="before")
    @classmethod
    def _platform_names(cls, value: Any) -> Any:
        return [] if value is None else [_platform(name) for name in value] if isinstance(value, list) else value

    @field_validator("brands", "mappings", "ad_action_types", mode="before")
    @classmethod
    def _empty_is_none(cls, value: Any) -> Any:
        return [] if value is None else value

    @field_validator("vars", "alerts", "themes", mode="before")
    @classmethod
    def _no_vars(cls, value: Any) -> Any:
        return {} if value is None else value

    def warehouse_hash(self) -> str:
        """A digest of everything dbt reads from the configuration (brands, ad action types, vars): when it changes,
        incremental models are rebuilt from scratch."""
        relevant = self.model_dump(mode="json", include={"brands", "ad_action_types", "vars"})
        return hashlib.sha256(json.dumps(relevant, sort_keys=True).encode()).hexdigest()
