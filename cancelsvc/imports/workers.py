"""Checking an import's chunks in worker processes, in file order, with flat memory.

Parsing and validating a record costs far more than writing its rows: on a machine with
several cores, ``checked(...)`` hands chunks to worker processes
(``concurrent.futures.ProcessPoolExecutor``, started by a fork server, so no worker
inherits the importing process's database connection) while the importing process writes
what comes back. At most ``AHEAD`` chunks per worker are in flight, so memory stays flat
whatever the size of the file; results come back in file order. With ``workers=0`` the
chunks are checked in the importing process, by the same ``Checker``.
"""

from __future__ import annotations

import multiprocessing
import os
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from itertools import islice

from cancelsvc.imports.checking import Checked, Checker
from cancelsvc.imports.reader import Read

#: Records per chunk: large enough that handing a chunk over costs little, small enough that
#: the workers start at once and the progress bar moves.
CHUNK_RECORDS = 500
#: Chunks waiting or being checked, per worker.
AHEAD = 3
#: Smaller files are checked in the importing process: starting workers would cost more.
WORKERS_FROM_BYTES = 8_000_000

_checker: Checker | None = None


def default_workers(file_bytes: int) -> int:
    """For a file of ``file_bytes``: one worker per core the process may use; none for a
    small file or on a single core."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return cores if cores > 1 and file_bytes >= WORKERS_FROM_BYTES else 0


def chunks(reads: Iterable[Read], size: int) -> Iterator[list[Read]]:
    iterator = iter(reads)
    while chunk := list(islice(iterator, size)):
        yield chunk


def checked(reads: Iterable[Read], checker: Checker, workers: int) -> Iterator[Checked]:
    """What ``checker`` finds in each chunk of ``reads``, in order."""
    if workers <= 0:
        yield from map(checker.check, chunks(reads, CHUNK_RECORDS))
        return
    context = multiprocessing.get_context("forkserver")
    with ProcessPoolExecutor(workers, mp_context=context, initializer=_start, initargs=(checker,)) as pool:
        pending: deque[Future[Checked]] = deque()
        try:
            for chunk in chunks(reads, CHUNK_RECORDS):
                pending.append(pool.submit(_check, chunk))
                if len(pending) >= workers * AHEAD:
                    yield pending.popleft().result()
            while pending:
                yield pending.popleft().result()
        finally:
            for future in pending:
                future.cancel()


def _start(checker: Checker) -> None:
    global _checker
    _checker = checker


def _check(chunk: Sequence[Read]) -> Checked:
    assert _checker is not None, "the worker was started without a checker"
    return _checker.check(chunk)
