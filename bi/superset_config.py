"""Superset configuration for the ROR warehouse: local, offline, reading the serving file only.

Superset finds this file through SUPERSET_CONFIG_PATH (set by `make bi` and bi/superset_home.py). Its own metadata
(users, dashboards, charts) lives in a SQLite file under ROR_BI_HOME; the warehouse is never written: the database
connection opens the serving DuckDB file read-only (bi/assets/databases/ror_warehouse.yaml).
"""

from __future__ import annotations

import logging
import os
import secrets
from pathlib import Path

BI_HOME = Path(os.environ.get("ROR_BI_HOME", Path(__file__).resolve().parent / ".superset"))
BI_HOME.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    """SUPERSET_SECRET_KEY when set; else a key generated once on this machine and kept beside the metadata."""
    if key := os.environ.get("SUPERSET_SECRET_KEY"):
        return key
    key_file = BI_HOME / "secret_key"
    if not key_file.exists():
        key_file.touch(mode=0o600)
        key_file.write_text(secrets.token_urlsafe(48))
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
# Warnings and errors only: `make bi` prints where Superset listens and stays quiet after that.
LOG_LEVEL = logging.WARNING
SQLALCHEMY_DATABASE_URI = f"sqlite:///{BI_HOME / 'superset.db'}"

# Every chart query opens the serving file anew (Superset's analytics connections are not pooled), so a dashboard
# shows the latest publication; no result cache would hold an older one.
DATA_CACHE_CONFIG = {"CACHE_TYPE": "NullCache"}
CACHE_CONFIG = {"CACHE_TYPE": "NullCache"}

# Offline: no telemetry pixel, no web fonts, no map tiles. The CSP allows this server only, so nothing reaches out.
SCARF_ANALYTICS = False
THEME_FONT_URL_ALLOWED_DOMAINS: list[str] = []
TALISMAN_ENABLED = True
TALISMAN_CONFIG = {
    "content_security_policy": {
        "base-uri": ["'self'"],
        "default-src": ["'self'"],
        "img-src": ["'self'", "blob:", "data:"],
        "worker-src": ["'self'", "blob:"],
        "connect-src": ["'self'"],
        "object-src": "'none'",
        "style-src": ["'self'", "'unsafe-inline'"],
        "font-src": ["'self'"],
        "script-src": ["'self'", "'strict-dynamic'"],
    },
    "content_security_policy_nonce_in": ["script-src"],
    "force_https": False,
    "session_cookie_secure": False,
}
