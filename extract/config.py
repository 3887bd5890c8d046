"""The ``extract:`` section of the configuration file, the accounts it reads, and where credentials come from.

The configuration file (``ror refresh --config FILE`` / ``ROR_CONFIG``, loaded and validated by ``ror_config``) names
the brands, their accounts per platform and the competitors' accounts they track; ``extract:`` (carried there
untouched) says how to reach each API (base URLs, budgets, look-back) and, optionally, which secrets file holds the
credentials. Credentials themselves never live in the configuration: each is read from the environment, or from the
secrets file (``NAME=value`` lines) when the environment does not set it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, model_validator

from ror_config import RorConfig, load_config

PLATFORMS = ("x", "youtube", "reddit", "bluesky")
# Hosts an http:// URL may name, and only with ``extract.local_test_server: true``: a server on this machine.
LOCAL_HOSTS = ("localhost", "127.0.0.1", "::1")


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class XSettings(_Section):
    enabled: bool = True
    base_url: str = "https://api.x.com/2"
    request_budget: int = Field(300, ge=1, description="requests per run, retries included")
    max_results: int = Field(100, ge=5, le=100)
    quote_tweets: bool = True
    monthly_post_budget: int = Field(
        10_000, ge=1, description="posts read per calendar month (UTC) at most; pay-per-use bills every post read"
    )
    price_per_post_usd: float = Field(0.005, ge=0, description="for the estimated cost the summary shows")


class YouTubeSettings(_Section):
    enabled: bool = True
    base_url: str = "https://www.googleapis.com/youtube/v3"
    request_budget: int = Field(300, ge=1)
    video_window_days: int = Field(28, ge=1, description="videos published this recently get fresh statistics")


class RedditSettings(_Section):
    enabled: bool = True
    base_url: str = "https://oauth.reddit.com"
    token_url: str = "https://www.reddit.com/api/v1/access_token"
    user_agent: str = "ror-warehouse/0.1 (brand interaction extract)"
    request_budget: int = Field(300, ge=1)
    subreddits: list[str] = Field(default_factory=list, description="every new post here is read, with comments")
    search_terms: list[str] = Field(default_factory=list, description="posts anywhere that mention these")
    comment_limit: int = Field(500, ge=1, le=500)


class BlueskySettings(_Section):
    enabled: bool = True
    base_url: str = "https://public.api.bsky.app/xrpc"
    request_budget: int = Field(300, ge=1)
    search_mentions: bool = True
    thread_depth: int = Field(10, ge=0, le=1000)


class ExtractConfig(_Section):
    secrets_file: Path | None = Field(None, description="NAME=value lines; relative to the configuration file")
    look_back_hours: float = Field(24, ge=0, description="re-read this much before the last run: late replies, counts")
    first_run_days: int = Field(7, ge=1, description="how far back the very first run of an account reaches")
    timeout_seconds: float = Field(30, gt=0)
    max_attempts: int = Field(5, ge=1, description="tries per request on 429, 5xx and dropped connections")
    backoff_seconds: float = Field(1, ge=0, description="exponential backoff multiplier when no Retry-After is sent")
    max_retry_delay_seconds: float = Field(300, ge=0)
    local_test_server: bool = Field(
        False, description="true: base URLs may be http:// on this machine (a test server); never for a real API"
    )
    competitors: bool = Field(
        True, description="pull the accounts of brands[].competitors too, with the same streams as the brand's own"
    )
    x: XSettings = Field(default_factory=XSettings)
    youtube: YouTubeSettings = Field(default_factory=YouTubeSettings)
    reddit: RedditSettings = Field(default_factory=RedditSettings)
    bluesky: BlueskySettings = Field(default_factory=BlueskySettings)

    @model_validator(mode="after")
    def _only_https(self) -> ExtractConfig:
        """Credentials travel with every request: only to https URLs, or to a local test server when a key says so."""
        for platform in PLATFORMS:
            settings = getattr(self, platform)
            for key in ("base_url", "token_url"):
                if hasattr(settings, key):
                    _check_url(f"extract.{platform}.{key}", getattr(settings, key), self.local_test_server)
        return self


def _check_url(name: str, url: str, local_test_server: bool) -> None:
    parts = urlsplit(url)
    if parts.scheme == "https" and parts.hostname:
        return
    if parts.scheme == "http" and local_test_server and parts.hostname in LOCAL_HOSTS:
        return
    if parts.scheme == "http" and parts.hostname in LOCAL_HOSTS:
        raise ValueError(f"{name} is http:// on this machine: set extract.local_test_server: true for a test server")
    raise ValueError(f"{name} must be an https:// URL (credentials are sent with every request)")


@dataclass(frozen=True)
class Account:
    """One account to pull on one platform, by its id, its handle, or both: a brand's own, or (competitor_id set) the
    account of a competitor the brand tracks, pulled the same way (its posts and the public mentions of it)."""

    brand_id: str
    platform: str
    account_id: str | None
    handle: str | None
    competitor_id: str | None = None

    @property
    def configured_under(self) -> str:
        """Where the configuration file lists it, for messages that say what to check."""
        return "brands[].competitors[].accounts" if self.competitor_id else "brands[].accounts"

    @property
    def key(self) -> str:
        """What the cursor and the landing folder are named after: the id when known (a handle can change)."""
        return str(self.account_id or self.handle)


@dataclass(frozen=True)
class ExtractSetup:
    config: ExtractConfig
    accounts: tuple[Account, ...]
    secrets: Secrets

    def accounts_on(self, platform: str) -> list[Account]:
        return [account for account in self.accounts if account.platform == platform]


class Secrets:
    """Credentials by variable name: the environment first, then the secrets file. Never printed (``repr`` hides
    values), never written anywhere."""

    def __init__(self, environ: dict[str, str] | os._Environ, file_values: dict[str, str]) -> None:
        self._environ = environ
        self._file_values = file_values

    def get(self, name: str) -> str | None:
        value = self._environ.get(name) or self._file_values.get(name)
        return value.strip() if value and value.strip() else None

    def __repr__(self) -> str:
        return f"Secrets({len(self._file_values)} from file)"


def read_secrets_file(path: Path) -> dict[str, str]:
    """``NAME=value`` lines (``export`` prefixes, quotes and ``#`` comments allowed), as a ``.env`` file has them."""
    values: dict[str, str] = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, separator, value = line.removeprefix("export ").partition("=")
        if not separator or not name.strip():
            raise ValueError(f"{path}:{number}: expected NAME=value (the value is not shown here)")
        values[name.strip()] = value.strip().strip("'\"")
    return values


def extract_setup(config: RorConfig, config_path: Path | None, environ: dict[str, str] | None = None) -> ExtractSetup:
    """The ``extract:`` section and brand accounts of a loaded configuration file; ``config_path`` is where a relative
    ``secrets_file`` is found."""
    environ = os.environ if environ is None else environ
    extract_config = ExtractConfig.model_validate(config.extract or {})
    file_values: dict[str, str] = {}
    if extract_config.secrets_file is not None:
        secrets_path = extract_config.secrets_file
        if not secrets_path.is_absolute() and config_path is not None:
            secrets_path = Path(config_path).parent / secrets_path
        if not secrets_path.is_file():
            raise FileNotFoundError(f"extract.secrets_file {secrets_path} does not exist: create it or remove the key")
        file_values = read_secrets_file(secrets_path)
    accounts = brand_accounts(config) + (competitor_accounts(config) if extract_config.competitors else [])
    return ExtractSetup(extract_config, tuple(accounts), Secrets(environ, file_values))


def load_extract_setup(config_path: Path | None, environ: dict[str, str] | None = None) -> ExtractSetup:
    """``extract_setup`` of the configuration file at ``config_path`` (validated by ror_config); without one, the
    defaults and no accounts."""
    config = load_config(config_path) if config_path is not None else RorConfig()
    return extract_setup(config, config_path, environ)


def brand_accounts(config: RorConfig) -> list[Account]:
    """The brands' own accounts on the platforms extracted here."""
    return [
        Account(brand.id, account.platform, account.account_id, account.handle)
        for brand in config.brands
        for account in brand.accounts
        if account.platform in PLATFORMS
    ]


def competitor_accounts(config: RorConfig) -> list[Account]:
    """The competitors' accounts on the platforms extracted here, each pulled once: not again when it is a brand's own
    account (a brand of this warehouse that another brand tracks) or tracked by several brands."""
    seen = {key for account in brand_accounts(config) for key in _identities(account)}
    accounts = []
    for brand in config.brands:
        for competitor in brand.competitors:
            for configured in competitor.accounts:
                account = Account(
                    brand.id, configured.platform, configured.account_id, configured.handle, competitor.id
                )
                if account.platform in PLATFORMS and not seen & _identities(account):
                    accounts.append(account)
                    seen |= _identities(account)
    return accounts


def _identities(account: Account) -> set[tuple[str, str, str]]:
    """What makes two configured accounts the same: the id, or the handle (case-insensitive), on one platform."""
    ids = {(account.platform, "id", account.account_id)} if account.account_id else set()
    return ids | ({(account.platform, "handle", account.handle.lower())} if account.handle else set())
