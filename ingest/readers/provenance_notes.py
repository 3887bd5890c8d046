"""Provenance notes (``SOURCE.txt``) kept beside exports: where the files came from and under which licence.

They are recognised so a folder copied whole with its note lands without an "unrecognised" file, and skipped.
"""

from __future__ import annotations

import re

from ingest.base import Sample, register_skipped

_SOURCE_LINE = re.compile(r"^\s*Source:\s*\S", re.MULTILINE)
_LICENCE = re.compile(r"\bLicen[cs]e\b", re.IGNORECASE)


def _is_provenance_note(sample: Sample) -> bool:
    text = sample.text.lstrip("\ufeff \t\r\n")
    return not text.startswith(("{", "[")) and bool(_SOURCE_LINE.search(text)) and bool(_LICENCE.search(text))


register_skipped(
    "provenance_note",
    "a plain-text provenance note (a 'Source:' line and a licence), such as the SOURCE.txt beside the samples",
    "it describes where the exports beside it came from; it holds no data",
    _is_provenance_note,
)
