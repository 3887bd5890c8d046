"""Which export a file is, decided by its content (the first 64 KB), never by its name."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import ingest.readers  # noqa: F401  (importing the package registers every reader)
from ingest.base import REGISTRY, SNIFF_BYTES, ExportFormat, Sample
from ingest.readers.text_files import decode_head

# Files people drop into a landing folder by mistake, named so the report says what to do instead.
_BINARY_SIGNATURES = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"%PDF", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive (an .xlsx workbook is one too): unzip it, or save the sheet as CSV"),
    (b"\x1f\x8b", "a gzip-compressed file: decompress it first"),
    (b"PAR1", "a Parquet file"),
    (b"SQLite format 3\x00", "an SQLite database"),
)
_MAX_CONTROL_SHARE = 0.05  # more control characters than this and the bytes are not a text export
# below space, except tab, newlines and form feed: as UTF-8 each is its own byte, and no other character has one
_CONTROL_BYTES = bytes([*range(0x09), 0x0B, *range(0x0E, 0x20)])


@dataclass(frozen=True)
class Detection:
    format: ExportFormat | None
    reason: str  # why the file was not recognised; empty when it was


def decode_sample(head: bytes) -> str:
    """The sample as text, '' when it is not text. NUL characters are dropped (zero padding from a crashed writer
    is damage, not content; UTF-16 is decoded before this), but a sample that is mostly NULs is not text."""
    decoded = decode_head(head)
    text = decoded.replace("\x00", "")
    if len(text) < len(decoded) / 2:
        return ""
    encoded = text.encode("utf-8", "surrogatepass")  # counted in C on bytes, not character by character in Python
    control = len(encoded) - len(encoded.translate(None, _CONTROL_BYTES))
    return "" if text and control / len(text) > _MAX_CONTROL_SHARE else text


def read_sample(path: Path) -> Sample:
    with open(path, "rb") as handle:
        head = handle.read(SNIFF_BYTES)
    return sample_of(path, head)


def sample_of(path: Path, head: bytes) -> Sample:
    """The sample of a file whose first ``SNIFF_BYTES`` bytes were already read (``head``)."""
    return Sample(path=Path(path), head=head[:SNIFF_BYTES], text=decode_sample(head[:SNIFF_BYTES]))


def expected_formats() -> str:
    """The registered format names, for the report of an unrecognised file (``describe_formats`` says what each
    looks like)."""
    return ", ".join(fmt.name for fmt in REGISTRY)


def describe_formats() -> str:
    """One line per registered format: its name and what its files look like."""
    return "\n".join(f"{fmt.name}: {fmt.description}" for fmt in REGISTRY)


def explain(path: Path) -> Detection:
    """The format of ``path`` with, when there is none, the reason in words."""
    return explain_sample(read_sample(path))


def explain_sample(sample: Sample) -> Detection:
    """``explain`` of a file whose sample was already read."""
    if not sample.head:
        return Detection(None, "empty file")
    for signature, what in _BINARY_SIGNATURES:
        if sample.head.startswith(signature):
            return Detection(None, f"not an export: {what}")
    if not sample.text:
        return Detection(None, "not an export: binary data, not text")
    if not sample.text.strip():
        return Detection(None, "empty file (only blank lines)")
    for fmt in REGISTRY:
        try:
            if fmt.sniff(sample):
                return Detection(fmt, "")
        except Exception:  # a sniffer that chokes on odd content simply does not claim the file
            continue
    return Detection(
        None,
        "no known export layout matched the start of the file; expected one of: "
        f"{expected_formats()} (ingest.detect.describe_formats() says what each looks like)",
    )


def format_named(name: str) -> ExportFormat:
    """The registered format called ``name`` (a worker process hands back the name of the format it detected)."""
    return next(fmt for fmt in REGISTRY if fmt.name == name)


def detect(path: Path) -> ExportFormat | None:
    """The registered format whose sniffer claims the start of ``path`` (first by priority), else None."""
    return explain(path).format
