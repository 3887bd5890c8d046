"""Reading text exports whatever their encoding: BOM-aware UTF-8 / UTF-16, Latin-1 fallback, lines, JSON lines and
whole JSON documents (each helper raises ``ValueError`` with a message fit for a quarantine reason).

A line over ``ingest.limits.MAX_RECORD_BYTES`` or a document over ``MAX_DOCUMENT_BYTES`` is refused before it is
parsed, and never held whole: memory stays bounded whatever one record's size."""

from __future__ import annotations

import codecs
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ingest.base import RecordProblem, error_reason
from ingest.limits import MAX_DOCUMENT_BYTES, MAX_RECORD_BYTES
from ingest.readers.quarantine import MAX_RAW_RECORD_CHARS

_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
_PIECE = 1 << 20  # lines are read in pieces of this many bytes (characters in UTF-16), so none is held past the limit
_LINE_ENDS = (b"\n", "\n")


def text_encoding(head: bytes) -> str:
    """The encoding of a file from its first bytes: a BOM wins; UTF-16 without BOM shows as NULs every other byte;
    otherwise UTF-8 when the start decodes as UTF-8, else Latin-1 (cp1252 is what spreadsheets on Windows write)."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith(_UTF16_BOMS):
        return "utf-16"
    if len(head) >= 4:
        even_nuls, odd_nuls = head[0:200:2].count(0), head[1:200:2].count(0)
        pairs = len(head[:200]) // 2
        if odd_nuls > 0.8 * pairs and even_nuls < 0.2 * pairs:
            return "utf-16-le"
        if even_nuls > 0.8 * pairs and odd_nuls < 0.2 * pairs:
            return "utf-16-be"
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as error:
        # a multi-byte character cut at the end of the sample is still UTF-8
        if error.reason != "unexpected end of data":
            return "cp1252"
    return "utf-8"


def decode_head(head: bytes) -> str:
    """The start of a file as text: like ``decode_bytes``, but a character cut at the end of the sample is dropped
    instead of turning the whole sample into Latin-1."""
    decoder = codecs.getincrementaldecoder(text_encoding(head))(errors="replace")
    return decoder.decode(head, final=False)


def decode_bytes(data: bytes) -> str:
    """Bytes to text: BOM-aware UTF-8 / UTF-16, falling back to cp1252 / Latin-1 for bytes that are not UTF-8."""
    encoding = text_encoding(data[:4096])
    if encoding.startswith("utf-16"):
        return data.decode(encoding, errors="replace")
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        return decode_legacy(data)


def decode_legacy(data: bytes) -> str:
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:  # cp1252 leaves five bytes undefined; Latin-1 maps every byte
        return data.decode("latin-1")


def _decode_line(line: bytes) -> str:
    try:
        return line.decode("utf-8")
    except UnicodeDecodeError:
        return decode_legacy(line)


def read_text(path: Path) -> str:
    return decode_bytes(Path(path).read_bytes())


def read_start(path: Path) -> str:
    """The first ``MAX_RAW_RECORD_CHARS`` characters of a file (what a quarantine entry keeps), reading no more."""
    with open(path, "rb") as handle:
        return decode_head(handle.read(4 * MAX_RAW_RECORD_CHARS))[:MAX_RAW_RECORD_CHARS]


class RecordTooLarge(ValueError):
    """A line over ``MAX_RECORD_BYTES``: not parsed; ``start`` keeps its first characters for the quarantine."""

    def __init__(self, start: str) -> None:
        super().__init__(f"record longer than {MAX_RECORD_BYTES // 2**20} MiB, the limit for one line; not parsed")
        self.start = start


def iter_lines(path: Path) -> Iterator[tuple[int, str | RecordTooLarge]]:
    """(1-based line number, line without its line break) for every line of a text file, streaming; a line over
    ``MAX_RECORD_BYTES`` comes as ``RecordTooLarge`` (read in pieces and dropped, never held whole).

    Each line is decoded on its own, so one Latin-1 line in a UTF-8 file spoils only itself. NUL characters are
    dropped: in a text export they are damage (the zero padding a crashed writer leaves), never content.
    """
    with open(path, "rb") as handle:
        encoding = text_encoding(handle.read(4096))
        handle.seek(0)
        if encoding.startswith("utf-16"):
            with io.TextIOWrapper(handle, encoding=encoding, errors="replace", newline="\n") as text:
                for number, line in enumerate(_lines_within(text.readline, MAX_RECORD_BYTES // 2), start=1):
                    if isinstance(line, str):
                        line = line.rstrip("\r\n").replace("\x00", "")
                    yield number, line
            return
        for number, raw in enumerate(_lines_within(handle.readline, MAX_RECORD_BYTES), start=1):
            if isinstance(raw, RecordTooLarge):
                yield number, raw
                continue
            if number == 1 and raw.startswith(codecs.BOM_UTF8):
                raw = raw[len(codecs.BOM_UTF8) :]
            yield number, _decode_line(raw.replace(b"\x00", b"")).rstrip("\r\n")


def _lines_within(readline, limit: int) -> Iterator[Any]:
    """Lines from a file's ``readline`` (bytes or text), read in pieces; a line longer than ``limit`` is read on
    without being kept, and comes as ``RecordTooLarge`` with its start."""
    while first := readline(_PIECE):
        pieces, size = [first], len(first)
        while pieces[-1][-1:] not in _LINE_ENDS and size <= limit and (more := readline(_PIECE)):
            pieces.append(more)
            size += len(more)
        if size <= limit:
            yield first if len(pieces) == 1 else first[:0].join(pieces)
            continue
        ended = pieces[-1][-1:] in _LINE_ENDS
        pieces.clear()
        while not ended and (rest := readline(_PIECE)):
            ended = rest[-1:] in _LINE_ENDS
        start = first[:MAX_RAW_RECORD_CHARS]
        yield RecordTooLarge(start.decode("utf-8", "replace") if isinstance(start, bytes) else start)


def iter_json_lines(path: Path) -> Iterator[tuple[int, Any | ValueError, str]]:
    """(1-based line number, parsed value or the ValueError that parsing raised, raw line) for every non-blank line.

    Returning the error instead of raising lets a reader quarantine a malformed line and carry on.
    """
    for number, line in iter_lines(path):
        if isinstance(line, RecordTooLarge):
            yield number, line, line.start
            continue
        if not line or line.isspace():  # blank (no copy of a long line made to find out)
            continue
        try:
            yield number, json.loads(line), line
        except ValueError as error:
            yield number, RecordProblem(f"malformed JSON: {_json_problem(error)}"), line


def load_json(path: Path) -> Any:
    """One JSON document, whatever its encoding; raises ValueError naming the problem (e.g. a truncated file, or one
    over ``MAX_DOCUMENT_BYTES``, refused unread)."""
    if Path(path).stat().st_size > MAX_DOCUMENT_BYTES:
        raise RecordProblem(f"document larger than {MAX_DOCUMENT_BYTES // 2**20} MiB, the limit for one JSON document")
    text = read_text(path)
    if not text.strip():
        raise RecordProblem("empty file")
    try:
        return json.loads(text)
    except ValueError as error:
        raise RecordProblem(f"malformed JSON document: {_json_problem(error)}") from None


def _json_problem(error: ValueError) -> str:
    """What the JSON parser objected to, without the text it was given ("Expecting value: line 1 column 5")."""
    return error_reason(error).removeprefix("malformed JSON: ")
