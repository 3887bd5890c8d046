"""Superset configuration for the ROR warehouse: local, offline, reading the marts only.

Superset finds this file through SUPERSET_CONFIG_PATH (set by bi/superset_ror.py, which `make bi` runs). Its own
metadata (users, dashboards, charts) lives in a SQLite file under ROR_BI_HOME; the warehouse is never written: every
connection to the serving DuckDB file opens it read-only and can read that file and nothing else
(DB_CONNECTION_MUTATOR below). On a Spark SQL endpoint instead (`make bi` with ROR_BI_SPARK_ENDPOINT), the dashboards'
SQL differs from DuckDB's in one place only: TIME_GRAIN_ADDON_EXPRESSIONS below.
"""

from __future__ import annotations

import importlib.util
import logging
import os
import secrets
import sys
from functools import partial
from pathlib import Path
from typing import Any

from duckdb_engine import ConnectionWrapper
from sqlalchemy.engine.url import URL

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


def _load_serving_module() -> Any:
    """orchestration/publish.py, loaded by path: the project's reader lives there, Superset's venv lacks the project."""
    spec = importlib.util.spec_from_file_location(
        "ror_serving", Path(__file__).resolve().parents[1] / "orchestration" / "publish.py"
    )
    module = sys.modules[spec.name] = importlib.util.module_from_spec(spec)  # its dataclasses look themselves up there
    spec.loader.exec_module(module)
    return module


_open_serving = _load_serving_module().open_serving


def _open_serving_for_superset(serving_path: str) -> ConnectionWrapper:
    return ConnectionWrapper(_open_serving(serving_path))


def DB_CONNECTION_MUTATOR(
    uri: URL,
    params: dict,
    username: str | None,
    security_manager: Any,  # noqa: N802
    source: Any,
) -> tuple[URL, dict]:
    """Open DuckDB files the way the project's readers do (orchestration.publish.open_serving): read-only, no other
    file readable, no database attachable, settings locked, and each connection on the file as published now, even
    while another query of this process still reads an older refresh. In-memory and MotherDuck URLs are left alone."""
    if uri.get_backend_name() == "duckdb" and uri.database and not uri.database.startswith((":", "md:")):
        params = {**params, "creator": partial(_open_serving_for_superset, uri.database)}
    return uri, params


# SQL Lab refuses these before DuckDB sees them; DuckDB refuses them anyway (external access is off). Every function
# that reads a file or lists a folder.
DISALLOWED_SQL_FUNCTIONS = {
    "duckdb": {
        "read_text",
        "read_blob",
        "read_csv",
        "read_csv_auto",
        "sniff_csv",
        "read_json",
        "read_json_auto",
        "read_json_objects",
        "read_json_objects_auto",
        "read_ndjson",
        "read_ndjson_auto",
        "read_ndjson_objects",
        "read_parquet",
        "parquet_scan",
        "parquet_metadata",
        "parquet_file_metadata",
        "parquet_kv_metadata",
        "parquet_schema",
        "read_xlsx",
        "glob",
    },
}


# The one dialect difference of the dashboards on a Spark SQL endpoint (hive://, PyHive): Superset takes a hive://
# connection for Apache Hive (its Hive engine spec comes before its Spark one), whose time grains format dates with
# week patterns ('u') that Spark 3 and later refuse. Spark's grains, as Superset's own Spark engine spec has them;
# everything else the datasets and charts say (|| , count_if, nullif, window functions, USING joins) both engines read
# alike.
TIME_GRAIN_ADDON_EXPRESSIONS = {
    "hive": {
        "PT1S": "date_trunc('second', {col})",
        "PT1M": "date_trunc('minute', {col})",
        "PT1H": "date_trunc('hour', {col})",
        "P1D": "date_trunc('day', {col})",
        "P1W": "date_trunc('week', {col})",
        "P1M": "date_trunc('month', {col})",
        "P3M": "date_trunc('quarter', {col})",
        "P1Y": "date_trunc('year', {col})",
        "1969-12-28T00:00:00Z/P1W": "date_trunc('week', {col} + interval '1 day') - interval '1 day'",
        "P1W/1970-01-03T00:00:00Z": "date_trunc('week', {col} + interval '1 day') + interval '5 days'",
    }
}
