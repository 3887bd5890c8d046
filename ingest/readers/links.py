"""Social text: @handles and links (their UTM tags are read in dbt: macros/links.sql)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

import polars as pl

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
