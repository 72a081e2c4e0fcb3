"""Reading an import file record by record: JSON (parsed incrementally) or JSON Lines, either
optionally gzip-compressed. Memory stays flat whatever the size of the file.

A record is one customer (or one store of a JSON file's ``stores`` list) with where it was
found: ``customers[12]`` in a JSON file, ``line 13`` in a JSON Lines file. What cannot be
read as records (a line that is not JSON, a top-level key the format does not know) is a
``Problem`` at its place, listed with the others.
"""

from __future__ import annotations

import gzip
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import IO, Any

import ijson
import orjson
from ijson.common import ObjectBuilder

GZIP_MAGIC = b"\x1f\x8b"


class FileFormat(StrEnum):
    """The layouts ``data import`` reads."""

    JSON = "json"
    JSONL = "jsonl"


class Kind(StrEnum):
    """What a record describes."""

    CUSTOMER = "customer"
    STORE = "store"


@dataclass(frozen=True, slots=True)
class Record:
    kind: Kind
    seq: int  # 1, 2, … in file order (customers and stores counted apart)
    where: str  # "customers[12]" or "line 13"
    data: Any
    nul_free: bool = False  # the JSON text had no \u0000 escape: no string holds a NUL

    def path(self, sub: str) -> str:
        """The place of ``sub`` (``accounts[0].msisdn``) inside this record."""
        if not sub:
            return self.where
        return f"{self.where}, {sub}" if self.where.startswith("line ") else f"{self.where}.{sub}"


@dataclass(frozen=True, slots=True)
class Problem:
    where: str
    message: str


@dataclass(frozen=True, slots=True)
class Line:
    """A JSON Lines record as read, parsed by whoever checks it (``item()``): reading a file
    stays cheap, and the parsing is shared by the processes that check the records."""

    number: int
    seq: int
    text: bytes

    def item(self) -> Record | Problem:
        """The customer of this line, or the problem with it."""
        where = f"line {self.number}"
        try:
            value = orjson.loads(self.text)
        except orjson.JSONDecodeError as error:
            return Problem(where, f"This line is not valid JSON ({error}).")
        if not isinstance(value, dict):
            return Problem(where, "Expected a customer object.")
        return Record(Kind.CUSTOMER, self.seq, where, value, b"\\u0000" not in self.text)


Item = Record | Problem
#: What a source gives: a record, a problem, or a JSON Lines line to parse (``Line.item()``).
Read = Item | Line
#: Something that reads the records from the start each time it is called.
Source = Callable[[], Iterator[Read]]


def parsed(read: Read) -> Item:
    """The record or problem of what a source gave."""
    return read.item() if isinstance(read, Line) else read


def detect_format(path: Path) -> FileFormat:
    """By the file's name: ``.jsonl`` / ``.ndjson`` (optionally ``.gz``) are JSON Lines."""
    name = path.name.lower().removesuffix(".gz")
    return FileFormat.JSONL if name.endswith((".jsonl", ".ndjson")) else FileFormat.JSON


@contextmanager
def _decompressed(raw: IO[bytes]) -> Iterator[IO[bytes]]:
    """The file's bytes, decompressed when it starts like a gzip file (whatever its name)."""
    gzipped = raw.read(2) == GZIP_MAGIC
    raw.seek(0)
    if not gzipped:
        yield raw
        return
    with gzip.GzipFile(fileobj=raw, mode="rb") as unzipped:
        yield unzipped  # type: ignore[misc]  # GzipFile reads bytes


class FileSource:
    """A ``Source`` reading ``path`` in ``file_format``; ``position()`` says how far it got
    (bytes of the file as stored, compressed or not: for a progress bar)."""

    def __init__(self, path: Path, file_format: FileFormat) -> None:
        self.path, self.file_format = path, file_format
        self._raw: IO[bytes] | None = None

    def __call__(self) -> Iterator[Read]:
        with self.path.open("rb") as raw, _decompressed(raw) as stream:
            self._raw = raw
            try:
                yield from (jsonl_lines(stream) if self.file_format == FileFormat.JSONL
                            else json_records(stream))
            except (OSError, EOFError) as error:  # a truncated or corrupt gzip stream
                yield Problem("file", f"The file cannot be read to the end ({error}).")
            finally:
                self._raw = None

    def position(self) -> int:
        raw = self._raw
        return raw.tell() if raw is not None and not raw.closed else 0


def document_source(document: Any) -> Source:
    """A ``Source`` over a document already in memory (the demo data, tests)."""
    def read() -> Iterator[Item]:
        if isinstance(document, list):
            yield from _listed(document, "customers", Kind.CUSTOMER)
            return
        if not isinstance(document, dict):
            yield Problem("file", "Expected an object with a customers list (or a list of customers).")
            return
        yield from _top_level(document.items())

    return read


def _listed(values: Any, name: str, kind: Kind) -> Iterator[Item]:
    if isinstance(values, _Streamed):
        yield from _array_items(values.events, name, kind)
        return
    if not isinstance(values, list):
        yield Problem(name, "Not a valid list.")
        return
    for index, value in enumerate(values):
        yield Record(kind, index + 1, f"{name}[{index}]", value)


def _top_level(pairs: Any) -> Iterator[Item]:
    seen: set[str] = set()
    for key, value in pairs:
        seen.add(key)
        if key == "customers":
            yield from _listed(value, "customers", Kind.CUSTOMER)
        elif key == "stores":
            yield from _listed(value, "stores", Kind.STORE)
        else:
            yield Problem(key, "Unknown field.")
    if "customers" not in seen:
        yield Problem("customers", "Missing data for required field.")


def jsonl_lines(stream: IO[bytes]) -> Iterator[Line]:
    """One customer object per line; blank lines are skipped."""
    seq = 0
    for number, text in enumerate(stream, start=1):
        if not text.strip():
            continue
        seq += 1
        yield Line(number, seq, text)


def json_records(stream: IO[bytes]) -> Iterator[Item]:
    """The customers (and stores) of a JSON document, each built alone from the parser's events."""
    events = ijson.parse(stream)
    try:
        first = next(events, None)
        if first is None:
            yield Problem("file", "The file is empty: not valid JSON.")
            return
        _, event, _ = first
        if event == "start_array":
            yield from _array_items(events, "customers", Kind.CUSTOMER)
        elif event == "start_map":
            yield from _top_level(_map_pairs(events))
        else:
            yield Problem("file", "Expected an object with a customers list (or a list of customers).")
    except ijson.JSONError as error:
        yield Problem("file", f"The file is not valid JSON ({_short(error)}).")


def _short(error: Exception) -> str:
    return " ".join(str(error).split())[:200]


def _map_pairs(events: Iterator[tuple[str, str, Any]]) -> Iterator[tuple[str, Any]]:
    """The top-level keys and values; ``customers`` and ``stores`` lists stay in the parser
    (read item by item by whoever takes them, before the next pair is asked for)."""
    for _, event, value in events:
        if event == "end_map":
            return
        key = value  # event == "map_key"
        _, first_event, first_value = next(events)
        if key in ("customers", "stores") and first_event == "start_array":
            yield key, _Streamed(events)
        else:
            yield key, _build(events, first_event, first_value)


class _Streamed:
    """A top-level list that is read item by item (never held whole)."""

    def __init__(self, events: Iterator[tuple[str, str, Any]]) -> None:
        self.events = events


def _array_items(events: Iterator[tuple[str, str, Any]], name: str, kind: Kind) -> Iterator[Item]:
    index = 0
    for _, event, value in events:
        if event == "end_array":
            return
        yield Record(kind, index + 1, f"{name}[{index}]", _build(events, event, value))
        index += 1


def _build(events: Iterator[tuple[str, str, Any]], event: str, value: Any) -> Any:
    """The JSON value that starts with (event, value), built from the following events."""
    if event not in ("start_map", "start_array"):
        return value
    builder = ObjectBuilder()
    builder.event(event, value)
    depth = 1
    for _, event, value in events:
        builder.event(event, value)
        if event in ("start_map", "start_array"):
            depth += 1
        elif event in ("end_map", "end_array"):
            depth -= 1
            if depth == 0:
                return builder.value
    raise ijson.IncompleteJSONError("Incomplete JSON content")
