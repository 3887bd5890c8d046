"""A CSV file made ready for polars without ever holding one record whole: UTF-8 checked and, where needed,
transcoded in pieces, and every record over ``ingest.limits.MAX_RECORD_BYTES`` found by a streaming scan and cut out
unread (issue 23: a 200 MB field must neither block the warehouse nor take gigabytes to be refused).

The scan reads the file in pieces of ``_PIECE`` bytes and finds record boundaries with numpy, by the rule the salvage
of ``ingest.readers.csv_tables`` follows: a line break ends a record when the quotes since the record's start are
even. A record too long to keep is replaced by a stand-in with as many lines and the header's number of fields, so
every other record keeps its line number, however polars or the salvage then reads the file; the caller drops the
stand-in's row (its first field starts with ``PreparedCsv.stand_in_mark``) and quarantines the record with its line
number. An oversize "record" that never closes
(or runs past ``MAX_RECORD_LINES`` lines) is an unclosed quote, not one record: as in the salvage, its first line is
refused alone (too long, or broken quoting) and the lines after it are read as records again.
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
_PIECE = 1 << 20  # bytes read at a time: what the scan holds, whatever one record's size
_NEWLINE, _QUOTE = ord("\n"), ord('"')


@dataclass(frozen=True)
class Refused:
    """A record cut out unread: its data row (header excluded), first line, byte span and line count, why, and its
    first characters (what a quarantine entry keeps)."""

    row: int
    line: int
    start: int
    end: int
    lines: int
    reason: str = RECORD_TOO_LARGE
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
    if refused[0].row == 0:
        raise RecordProblem(f"the header: {refused[0].reason}")
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


def _refused_records(handle: BinaryIO) -> Generator[Refused, None, None]:
    """Every record over ``MAX_RECORD_BYTES`` (the header is row 0), and the first line of an unclosed quote that
    made one, after which the scan resumes."""
    resume: tuple[int, int, int] | None = (0, 0, 1)
    while resume is not None:
        resume = yield from _scan(handle, *resume)


def _scan(
    handle: BinaryIO, position: int, row: int, line: int
) -> Generator[Refused, None, tuple[int, int, int] | None]:
    """Scan from ``position`` (the start of data row ``row`` and of ``line``) with no quote open; returns where to
    scan again when an unclosed quote made a record over the limit, else None at the end of the file."""
    handle.seek(position)
    record_start, parity, open_lines = position, 0, 0  # the open record: its start, quotes mod 2, line breaks
    while piece := handle.read(_PIECE):
        data = np.frombuffer(piece, np.uint8)
        breaks = np.flatnonzero(data == _NEWLINE)
        quotes = np.flatnonzero(data == _QUOTE)
        closing = np.flatnonzero((parity + np.searchsorted(quotes, breaks)) % 2 == 0)  # breaks that end a record
        ends = breaks[closing] + position + 1
        lengths = ends - np.concatenate(([record_start], ends[:-1]))
        for index in np.flatnonzero(lengths > MAX_RECORD_BYTES).tolist():
            start = record_start if index == 0 else int(ends[index - 1])
            first_line = line - open_lines if index == 0 else line + int(closing[index - 1]) + 1
            lines = open_lines + int(closing[0]) + 1 if index == 0 else int(closing[index] - closing[index - 1])
            if lines > MAX_RECORD_LINES:
                return (yield from _unclosed(handle, start, row + index, first_line))
            yield Refused(row + index, first_line, start, int(ends[index]), lines)
        if closing.size:
            record_start, open_lines = int(ends[-1]), breaks.size - int(closing[-1]) - 1
        else:
            open_lines += breaks.size
        row, line = row + closing.size, line + breaks.size
        parity = (parity + quotes.size) % 2
        position += len(piece)
    if position - record_start <= MAX_RECORD_BYTES:
        return None
    if parity or open_lines + 1 > MAX_RECORD_LINES:
        return (yield from _unclosed(handle, record_start, row, line - open_lines))
    yield Refused(row, line - open_lines, record_start, position, open_lines + 1)
    return None


def _unclosed(handle: BinaryIO, start: int, row: int, line: int) -> Generator[Refused, None, tuple[int, int, int]]:
    """A record over the limit whose quote does not close in ``MAX_RECORD_LINES`` lines: its first line is refused
    (too long, or broken quoting, as the salvage would say) and the scan resumes at the next line."""
    end = _line_end(handle, start)
    yield Refused(row, line, start, end, 1, RECORD_TOO_LARGE if end - start > MAX_RECORD_BYTES else BROKEN_QUOTING)
    return end, row + 1, line + 1


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
