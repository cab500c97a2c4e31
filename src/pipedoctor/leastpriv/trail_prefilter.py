"""One principal's records from CloudTrail log files in the shape AWS writes, the others unparsed.

AWS writes a log file as one JSON document, `{"Records":[{"eventVersion":...},{"eventVersion":...}]}`,
usually gzipped, and starts every record with its `eventVersion` key. When the principal is known,
most records are someone else's, and parsing them is most of the cost of reading a trail. So the
inflated bytes are cut into windows at `{"eventVersion"` (text that cannot occur inside a JSON
string, where the quote would be escaped) and only the windows that may hold the principal's
records are parsed:

- a window holding the principal's name bytes: the principal of a record (see
  `cloudtrail.principal_of`) is always a field's text or a role ARN rebuilt from the role name in
  one, so its last path segment is in the raw bytes of the record, unless JSON-escaped;
- a window holding an escape that could spell part of the name (`\\u00XX` for an ASCII name; any
  backslash when the name has a quote, backslash, slash or control character), so escapes cannot
  hide a record.

A window may hold more than one record (a record that does not start with `eventVersion` runs on
to the next boundary); each is parsed, and the separators between them must be exactly what the
Records list allows. Anything unexpected (the file does not start with `{"Records":[` or end with
`]}`, a kept window does not parse, text that is no JSON value) makes `principal_records` answer
None: the caller then reads that file whole with the full reader, so nothing is lost or misread.

What is given up: a damaged record of another principal is never parsed, so it is no longer
reported (the full reader would report the whole file unreadable and lose the principal's records
in it too).
"""

from __future__ import annotations

import json
import re
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

BOUNDARY = b'{"eventVersion"'
_HEAD = re.compile(rb'[ \t\n\r]*\{[ \t\n\r]*"Records"[ \t\n\r]*:[ \t\n\r]*\[')
_TAIL = re.compile(rb"[ \t\n\r]*\][ \t\n\r]*\}[ \t\n\r]*\Z")
_EDGE_BYTES = 4096  # how far from the file's start or end its head or tail may reach
INPUT_BYTES = 16 * 1024
PIECE_BYTES = 128 * 1024  # measured: larger pieces were page-faulted in afresh, these reused
MAX_WINDOW_BYTES = 64 * 1024 * 1024
_SEPARATOR = re.compile(r"[ \t\n\r]*,[ \t\n\r]*")
_JSON_SPACE = " \t\n\r"
# Characters JSON must (quote, backslash, controls) or may (slash) escape with a short form.
_SHORT_ESCAPED = frozenset('"\\/\b\f\n\r\t')


def _reject_constant(name: str) -> None:
    raise ValueError(f"{name} is not JSON")  # Python's json accepts NaN and Infinity; JSON does not


_DECODER = json.JSONDecoder(parse_constant=_reject_constant)


@dataclass(frozen=True)
class PrincipalBytes:
    """What to look for in raw log bytes: the principal's name, and escapes that could hide it."""

    name: bytes
    escape: re.Pattern[bytes]


def principal_bytes(name: str) -> PrincipalBytes:
    """The byte patterns for a principal whose records all hold `name` (decoded)."""
    if _SHORT_ESCAPED.intersection(name):
        escape = rb"\\"
    elif name.isascii():
        escape = rb"\\u00"  # an ASCII character escaped is \u0000 .. \u007F
    else:
        escape = rb"\\u"
    return PrincipalBytes(name.encode("utf-8"), re.compile(escape))


class Unreadable(Exception):
    """A log file that cannot be read or inflated (the full reader then says why)."""


def log_pieces(path: str) -> Iterator[bytes]:
    """A log file's bytes in order, inflated piece by piece when the name ends in .gz (every gzip
    member). Small pieces, from small slices of the input, keep memory reused: inflating whole
    files into fresh buffers cost more in page faults than the search itself."""
    try:
        raw = Path(path).read_bytes()
    except OSError as error:
        raise Unreadable(str(error)) from None
    if not path.endswith(".gz"):
        yield raw
        return
    view, position = memoryview(raw), 0
    while position < len(raw):
        inflater = zlib.decompressobj(zlib.MAX_WBITS | 16)
        pending: bytes | memoryview = b""
        while not inflater.eof:
            if not pending:
                pending = view[position : position + INPUT_BYTES]
                position += len(pending)
                if not pending:
                    raise Unreadable("truncated gzip file")
            try:
                piece = inflater.decompress(pending, PIECE_BYTES)
            except zlib.error as error:
                raise Unreadable(str(error)) from None
            pending = inflater.unconsumed_tail
            if piece:
                yield piece
        position -= len(inflater.unused_data)  # the next member starts there


def principal_records(pieces: Iterable[bytes], principal: PrincipalBytes) -> list[Any] | None:
    """The parsed records of every window that may hold the principal's records; None when the
    file is not in the AWS shape or a kept window does not parse (read the file whole instead).

    `pieces` are the file's bytes in order; each is searched up to its last boundary, and the
    rest is carried on to the next."""
    records: list[Any] = []
    buffer, start = b"", -1  # start: where the records begin in buffer, once the head is seen
    for piece in pieces:
        buffer = buffer + piece if buffer else piece
        if start < 0:
            head = _HEAD.match(buffer)
            if head is None:
                if len(buffer) < _EDGE_BYTES:
                    continue  # the head may be cut by the piece's end
                return None
            start = head.end()
        cut = buffer.rfind(BOUNDARY, start)
        if cut <= start:
            if len(buffer) > MAX_WINDOW_BYTES:
                return None  # no boundaries: not the AWS shape, or a bigger record than any
            continue
        if not _parse_windows(buffer, start, cut, principal, records, last=False):
            return None
        buffer, start = buffer[cut:], 0
    if start < 0:
        return None
    tail = _TAIL.search(buffer, max(start, len(buffer) - _EDGE_BYTES))
    if tail is None:
        return None
    if not _parse_windows(buffer, start, tail.start(), principal, records, last=True):
        return None
    return records


def _parse_windows(
    data: bytes,
    start: int,
    stop: int,
    principal: PrincipalBytes,
    records: list[Any],
    last: bool,
) -> bool:
    """Parses the windows of data[start:stop] that may hold the principal's records into
    `records`; False when one does not parse. `last`: stop is the end of the Records list."""
    for window_start, window_stop in sorted(_windows(data, start, stop, principal)):
        parsed = _parse_window(data[window_start:window_stop], last and window_stop == stop)
        if parsed is None:
            return False
        records.extend(parsed)
    return True


def _windows(data: bytes, start: int, stop: int, principal: PrincipalBytes) -> set[tuple[int, int]]:
    """(start, stop) of every window holding the name or a possible escape of it."""
    found: set[tuple[int, int]] = set()
    position = data.find(principal.name, start, stop)
    while position != -1:
        window = _window_around(data, position, start, stop)
        found.add(window)
        position = data.find(principal.name, window[1], stop)
    match = principal.escape.search(data, start, stop)
    while match is not None:
        window = _window_around(data, match.start(), start, stop)
        found.add(window)
        match = principal.escape.search(data, window[1], stop)
    return found


def _window_around(data: bytes, position: int, start: int, stop: int) -> tuple[int, int]:
    before = data.rfind(BOUNDARY, start, position + len(BOUNDARY))
    after = data.find(BOUNDARY, position + 1, stop)
    return (start if before == -1 else before, stop if after == -1 else after)


def _parse_window(window: bytes, last: bool) -> list[Any] | None:
    """Records of one window: values each followed by a comma, save the file's last one."""
    try:
        text = window.decode("utf-8").lstrip(_JSON_SPACE)
    except UnicodeDecodeError:
        return None
    records: list[Any] = []
    position = 0
    while True:
        try:
            value, position = _DECODER.raw_decode(text, position)
        except (ValueError, RecursionError):
            return None
        records.append(value)
        separator = _SEPARATOR.match(text, position)
        if separator is None:
            return records if last and position == len(text) else None
        position = separator.end()
        if position == len(text):
            return None if last else records
