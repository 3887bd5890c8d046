"""Social text: @handles, links and their UTM tags."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import polars as pl

UTM_FIELDS = ("utm_source", "utm_medium", "utm_campaign", "utm_content", "utm_term")

_HANDLE = re.compile(r"(?<![\w@])@([A-Za-z0-9_](?:[A-Za-z0-9_.]*[A-Za-z0-9_])?)")


def handles_in(text: str | None) -> list[str]:
    """@mentions in a text, lowercase, without '@', in order of first appearance (no e-mail addresses)."""
    if not text:
        return []
    return list(dict.fromkeys(match.lower() for match in _HANDLE.findall(text)))


_HANDLE_WITH_LEAD = r"(?:^|[^\w@])@[A-Za-z0-9_](?:[A-Za-z0-9_.]*[A-Za-z0-9_])?"


def handles_expr(column: str) -> pl.Expr:
    """``handles_in`` as a polars expression (vectorised: no Python per row); null text gives null."""
    found = pl.col(column).str.extract_all(_HANDLE_WITH_LEAD)
    return found.list.eval(pl.element().str.replace(r"^[^@]*@", "").str.to_lowercase().unique(maintain_order=True))


def distinct_links(urls: Iterable[Any]) -> list[str]:
    """The URLs among ``urls`` (a reader's candidates, some missing), trimmed, each once, in order of first appearance:
    the order matters, since the first link carrying a UTM campaign attributes a post."""
    found = (url.strip() for url in urls if isinstance(url, str))
    return list(dict.fromkeys(url for url in found if url))


def utm_params(url_or_query: str | None) -> dict[str, str | None]:
    """The utm_* tags of a URL or a bare query string ("utm_source=x&utm_medium=y"); missing tags are None."""
    found: dict[str, str | None] = dict.fromkeys(UTM_FIELDS)
    if not url_or_query:
        return found
    query = urlsplit(url_or_query).query if "://" in url_or_query or "?" in url_or_query else url_or_query
    for key, value in parse_qsl(query, keep_blank_values=False):
        key = key.strip().lower()
        if key in found and found[key] is None:
            found[key] = value
    return found
