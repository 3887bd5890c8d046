"""A CSV file made ready for polars without ever holding one record whole: UTF-8 checked and, where needed,
transcoded in pieces, and every record over ``ingest.limits.MAX_RECORD_BYTES`` found by a streaming scan and cut out
unread (issue 23: a 200 MB field must neither block the warehouse nor take gigabytes to be refused).

The scan reads the file in pieces of ``_PIECE`` bytes and finds record boundaries by the rule the salvage of
``ingest.readers.csv_tables`` follows: a line break ends a record when the quotes since the record's start are even.
A record within one piece is shorter than the limit, so only the first and last record end of each piece are looked
for (a few ``find`` calls; numpy for a piece of many lines inside one quoted field): a clean file costs little more
than a read. A record too long to keep is replaced by a stand-in with as many lines and the header's number of
fields, so every other record keeps its line number, however polars or the salvage then reads the file; the caller
drops the stand-in's row (its first field starts with ``PreparedCsv.stand_in_mark``) and quarantines the record with
its line number. An oversize "record" that never closes (or runs past ``MAX_RECORD_LINES`` lines) is an unclosed
quote, not one record: as in the salvage, its first line is refused alone (too long, or broken quoting) and the
lines after it are read as records again.
"""

from __future__ import annotations

import codecs
import csv
import io
import tempfile
import uuid
from collections.abc import Generator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import BinaryIO

import numpy as np

from ingest.base import RecordProblem
from ingest.limits import MAX_RECORD_BYTES
from ingest.readers.quarantine import MAX_RAW_RECORD_CHARS
from ingest.readers.text_files import decode_head, decode_legacy, text_encoding

# A quoted field may span lines (a post with line breaks); one still open after this many lines is an unclosed quote.
MAX_RECORD_LINES = 10_000
RECORD_TOO_LARGE = f"record longer than {MAX_RECORD_BYTES // 2**20} MiB, the limit for one CSV record; not parsed"
BROKEN_QUOTING = "broken quoting: an unclosed quote, or text after a closing quote"
_PIECE = 1 << 20  # bytes read at a time: what the scan holds, whatever one record's size (at most the limit)
_NEWLINE, _QUOTE = ord("\n"), ord('"')
_FEW_LINES = 32  # line breaks tried one by one for a piece's first or last record end, before numpy finds them all


@dataclass(frozen=True)
class Refused:
    """A record cut out unread: its byte span and why; then its first line, line count and first characters (what a
    quarantine entry keeps)."""

    start: int
    end: int
    reason: str = RECORD_TOO_LARGE
    line: int = 0
    lines: int = 0
    head: str = ""


@dataclass
class PreparedCsv:
    """What polars reads: the file itself (``path``) when it is UTF-8 with no record over the limit, else ``data``
    (transcoded, the records cut out replaced by stand-ins); ``refused`` lists the records cut out."""

    path: Path | None
    data: bytes | None
    refused: list[Refused]
    stand_in_mark: str = ""

    @property
    def source(self) -> Path | io.BytesIO:
        return self.path if self.path is not None else io.BytesIO(self.data or b"")

    def text(self) -> str:
        return (self.path.read_bytes() if self.path is not None else self.data or b"").decode("utf-8-sig")


def prepare_csv(path: Path) -> PreparedCsv:
    """The CSV file at ``path`` as UTF-8 that polars can read, records over the limit cut out (see the module)."""
    path = Path(path)
    with open(path, "rb") as handle:
        if _is_utf8(handle):
            return _cut_out_refused(handle, path)
    with tempfile.TemporaryFile() as transcoded:
        _transcode(path, transcoded)
        prepared = _cut_out_refused(transcoded, None)
        if prepared.data is None:
            transcoded.seek(0)
            prepared.data = transcoded.read()
        return prepared


def _is_utf8(handle: BinaryIO) -> bool:
    """Whether the whole file is UTF-8 (not UTF-16), checked piece by piece."""
    if text_encoding(handle.read(4096)).startswith("utf-16"):
        return False
    handle.seek(0)
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        while piece := handle.read(_PIECE):
            if not piece.isascii() or decoder.getstate()[0]:  # ASCII is UTF-8, unless it ends a cut character
                decoder.decode(piece)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def _transcode(path: Path, into: BinaryIO) -> None:
    """A UTF-16 file, or a file with lines that are not UTF-8, written to ``into`` as UTF-8 in pieces. Each line that
    is not UTF-8 is decoded on its own as cp1252 / Latin-1: a Windows spreadsheet's file entirely, or the one stray
    line of a UTF-8 file, whose other rows keep their UTF-8 (decoding the whole file as Latin-1 would garble every
    accented letter in them)."""
    with open(path, "rb") as handle:
        encoding = text_encoding(handle.read(4096))
    if encoding.startswith("utf-16"):
        with open(path, encoding=encoding, errors="replace", newline="") as text:
            while piece := text.read(_PIECE):
                into.write(piece.encode("utf-8"))
        return
    with open(path, "rb") as handle:
        codec = "utf-8-sig"
        while piece := handle.read(_PIECE):  # pieces end at a line end, where the line decoding can start over
            piece += handle.readline(_PIECE) if not piece.endswith(b"\n") else b""
            into.write(piece.decode(codec, errors=_LEGACY_LINE).encode("utf-8"))
            codec = "utf-8"


def _legacy_line(error: UnicodeError) -> tuple[str, int]:
    """Codec error handler: the rest of the line holding undecodable bytes, decoded as cp1252 / Latin-1."""
    assert isinstance(error, UnicodeDecodeError)
    end = error.object.find(b"\n", error.start)
    end = len(error.object) if end < 0 else end
    return decode_legacy(bytes(error.object[error.start : end])), end


_LEGACY_LINE = "ror-csv-legacy-line"
codecs.register_error(_LEGACY_LINE, _legacy_line)


def _cut_out_refused(handle: BinaryIO, path: Path | None) -> PreparedCsv:
    """The file as it is when no record is over the limit, else its bytes with each such record replaced by a
    stand-in (read and copied in pieces: the records cut out are never held)."""
    refused = list(_refused_records(handle))
    if not refused:
        return PreparedCsv(path, None, [])
    if refused[0].start == 0:
        raise RecordProblem(f"the header: {refused[0].reason}")
    refused = _numbered(handle, refused)
    handle.seek(0)
    width = len(next(csv.reader([decode_head(handle.readline(MAX_RECORD_BYTES)).rstrip("\r\n")])))
    mark = f"ror-cut-out-{uuid.uuid4().hex}"  # no value in the file can hold it
    kept = io.BytesIO()
    position = 0
    for record in refused:
        _copy(handle, position, record.start, kept)
        kept.write(_stand_in(mark, record.lines, width))
        position = record.end
    _copy(handle, position, None, kept)
    return PreparedCsv(None, kept.getvalue(), [_with_head(handle, record) for record in refused], mark)


def _stand_in(mark: str, lines: int, width: int) -> bytes:
    """A record of ``lines`` lines and ``width`` fields, the first holding ``mark``: the lines after it keep their
    numbers."""
    return b'"' + mark.encode() + b"\n" * (lines - 1) + b'"' + b"," * (width - 1) + b"\n"


def _copy(handle: BinaryIO, start: int, end: int | None, into: BinaryIO) -> None:
    """Bytes ``start`` to ``end`` (the end of the file when None) of ``handle`` onto ``into``, a piece at a time."""
    handle.seek(start)
    while piece := handle.read(_PIECE if end is None else min(_PIECE, end - handle.tell())):
        into.write(piece)


def _with_head(handle: BinaryIO, record: Refused) -> Refused:
    handle.seek(record.start)
    head = decode_head(handle.read(min(record.end - record.start, 4 * MAX_RAW_RECORD_CHARS)))
    return replace(record, head=head[:MAX_RAW_RECORD_CHARS])


def _numbered(handle: BinaryIO, refused: list[Refused]) -> list[Refused]:
    """The refused records (in file order) with their first line and line count, counted in pieces."""
    numbered, line, position = [], 1, 0
    for record in refused:
        line += _line_breaks(handle, position, record.start)
        lines = _line_breaks(handle, record.start, record.end)
        numbered.append(replace(record, line=line, lines=lines + (not _ends_a_line(handle, record.end))))
        line, position = line + lines, record.end
    return numbered


def _line_breaks(handle: BinaryIO, start: int, end: int) -> int:
    handle.seek(start)
    breaks = 0
    while piece := handle.read(min(_PIECE, end - handle.tell())):
        breaks += int(np.count_nonzero(np.frombuffer(piece, np.uint8) == _NEWLINE))
    return breaks


def _ends_a_line(handle: BinaryIO, end: int) -> bool:
    handle.seek(end - 1)
    return handle.read(1) == b"\n"


def _refused_records(handle: BinaryIO) -> Generator[Refused, None, None]:
    """Every record over ``MAX_RECORD_BYTES`` (the header included), and the first line of an unclosed quote that
    made one; the scan resumes after each."""
    resume: int | None = 0
    while resume is not None:
        resume = yield from _scan(handle, resume)


def _scan(handle: BinaryIO, position: int) -> Generator[Refused, None, int | None]:
    """Scan from ``position``, the start of a record, up to the first record over the limit; returns where to scan
    again after it, or None at the end of the file."""
    handle.seek(position)
    record_start, parity = position, 0  # the open record: its start and its quotes so far, mod 2
    while piece := handle.read(_PIECE):
        data = np.frombuffer(piece, np.uint8)
        quotes = int(np.count_nonzero(data == _QUOTE))
        ends = _first_and_last_end(piece, data, parity, quotes)
        if ends is not None:
            if position + ends[0] - record_start > MAX_RECORD_BYTES:
                return (yield from _too_long(handle, record_start, position + ends[0]))
            record_start = position + ends[1]
        parity = (parity + quotes) % 2
        position += len(piece)
    if position - record_start <= MAX_RECORD_BYTES:
        return None
    if parity:
        return (yield from _unclosed(handle, record_start))
    return (yield from _too_long(handle, record_start, position))


def _first_and_last_end(piece: bytes, data: np.ndarray, parity: int, quotes: int) -> tuple[int, int] | None:
    """The offsets after the first and the last line break of ``piece`` that end a record (the quotes before them,
    with ``parity`` carried in, are even), or None when none does. Most pieces need a find or two at each end."""
    first = _end_from_start(piece, parity)
    if first is None:
        return None
    last = _end_from_end(piece, (parity + quotes) % 2)
    if first < 0 or last is None or last < 0:  # many lines inside one quoted field: find every record end at once
        breaks = np.flatnonzero(data == _NEWLINE)
        inside = np.searchsorted(np.flatnonzero(data == _QUOTE), breaks) + parity
        ends = breaks[inside % 2 == 0]
        return (int(ends[0]) + 1, int(ends[-1]) + 1) if ends.size else None
    return first, last


def _end_from_start(piece: bytes, parity: int) -> int | None:
    """The offset after the first line break that ends a record; None when no line break does, -1 when too many
    line breaks were tried."""
    start = 0
    for _ in range(_FEW_LINES):
        found = piece.find(b"\n", start)
        if found < 0:
            return None
        parity = (parity + piece.count(b'"', start, found)) % 2
        if not parity:
            return found + 1
        start = found + 1
    return -1


def _end_from_end(piece: bytes, parity: int) -> int | None:
    """The offset after the last line break that ends a record (``parity``: the quotes at the end of the piece);
    None when no line break does, -1 when too many line breaks were tried."""
    end = len(piece)
    for _ in range(_FEW_LINES):
        found = piece.rfind(b"\n", 0, end)
        if found < 0:
            return None
        parity = (parity + piece.count(b'"', found, end)) % 2  # the quotes after the break, taken off
        if not parity:
            return found + 1
        end = found
    return -1


def _too_long(handle: BinaryIO, start: int, end: int) -> Generator[Refused, None, int | None]:
    """A record over the limit: refused whole, unless it runs past ``MAX_RECORD_LINES`` lines (an unclosed quote)."""
    if _line_breaks(handle, start, end) > MAX_RECORD_LINES:
        return (yield from _unclosed(handle, start))
    yield Refused(start, end)
    return end


def _unclosed(handle: BinaryIO, start: int) -> Generator[Refused, None, int]:
    """A record over the limit whose quote does not close in ``MAX_RECORD_LINES`` lines: its first line is refused
    (too long, or broken quoting, as the salvage would say) and the scan resumes at the next line."""
    end = _line_end(handle, start)
    yield Refused(start, end, RECORD_TOO_LARGE if end - start > MAX_RECORD_BYTES else BROKEN_QUOTING)
    return end


def _line_end(handle: BinaryIO, start: int) -> int:
    """The offset after the line break that ends the line at ``start`` (the end of the file when none does)."""
    handle.seek(start)
    position = start
    while piece := handle.read(_PIECE):
        found = piece.find(b"\n")
        if found >= 0:
            return position + found + 1
        position += len(piece)
    return position
