"""Scanning a text source of any size in blocks of whole lines; large files on every core.

A file is split into one byte range per worker; each worker (a forked process that inherits the
compiled matcher) scans the lines that start in its range, and the first match of each rule is
taken in file order, so the result is the same as one sequential pass.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
from collections.abc import Iterator
from typing import BinaryIO

from pipedoctor.diagnose.matcher import RuleMatcher, ScanState
from pipedoctor.errors import UserError

BLOCK_BYTES = 4 << 20
TAIL_BYTES = 256 << 10  # kept for the "not recognised" answer; a log ends with its failure
PARALLEL_MIN_BYTES = 64 << 20  # below this, starting workers costs more than it saves

_worker_matcher: RuleMatcher | None = None  # set before forking; the workers inherit it


def iter_blocks(stream: BinaryIO, limit: int | None = None) -> Iterator[bytes]:
    """Blocks of whole lines from `stream`, reading at most `limit` bytes (None: to the end)."""
    pending = b""
    remaining = limit
    while remaining is None or remaining > 0:
        wanted = BLOCK_BYTES if remaining is None else min(BLOCK_BYTES, remaining)
        chunk = stream.read(wanted)
        if not chunk:
            break
        if remaining is not None:
            remaining -= len(chunk)
        if len(chunk) < wanted or remaining == 0:  # the last chunk: keep its last line with the rest
            pending += chunk
            break
        cut = chunk.rfind(b"\n")
        if cut == -1:
            pending += chunk
            if len(pending) < BLOCK_BYTES:
                continue
            cut = len(chunk) - 1  # one very long line: cut it rather than hold it all
        yield pending + chunk[: cut + 1]
        pending = chunk[cut + 1 :]
    if pending:
        yield pending


def _line_start_at_or_after(stream: BinaryIO, offset: int) -> int:
    if offset == 0:
        return 0
    stream.seek(offset - 1)
    stream.readline()  # to the end of the line holding byte offset-1
    return stream.tell()


def _scan_range(path: str, start: int, end: int, surface: str) -> ScanState:
    assert _worker_matcher is not None
    state = ScanState()
    with open(path, "rb") as stream:
        first = _line_start_at_or_after(stream, start)
        last = _line_start_at_or_after(stream, end)
        stream.seek(first)
        for block in iter_blocks(stream, last - first):
            _worker_matcher.scan(block, surface, state)
            _keep_tail(state, block)
    return state


def _keep_tail(state: ScanState, block: bytes) -> None:
    state.tail = (state.tail + block[-TAIL_BYTES:])[-TAIL_BYTES:]


def _scan_parallel(matcher: RuleMatcher, path: str, size: int, surface: str, workers: int) -> ScanState:
    global _worker_matcher
    _worker_matcher = matcher
    bounds = [size * index // workers for index in range(workers + 1)]
    ranges = [(path, bounds[i], bounds[i + 1], surface) for i in range(workers)]
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        parts = pool.starmap(_scan_range, ranges)
    merged = ScanState()
    for part in parts:  # in file order: the earliest match of each rule wins
        for rule_id, match in part.first.items():
            merged.first.setdefault(rule_id, match)
        merged.excluded |= part.excluded
    merged.tail = b"".join(part.tail for part in parts)[-TAIL_BYTES:]
    return merged


def available_cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def scan_source(matcher: RuleMatcher, name: str, surface: str, workers: int | None = None) -> ScanState:
    """Scan a file (`-` for stdin) with memory flat in its size."""
    if name != "-":
        try:
            size = os.path.getsize(name)
        except OSError as error:
            raise UserError(f"cannot read {name}: {error.strerror}") from None
        workers = workers or available_cores()
        if size >= PARALLEL_MIN_BYTES and workers > 1 and os.path.isfile(name):
            return _scan_parallel(matcher, name, size, surface, workers)
    try:
        stream = sys.stdin.buffer if name == "-" else open(name, "rb")  # noqa: SIM115
    except OSError as error:
        raise UserError(f"cannot read {name}: {error.strerror}") from None
    state = ScanState()
    with stream:
        for block in iter_blocks(stream):
            matcher.scan(block, surface, state)
            _keep_tail(state, block)
    return state
