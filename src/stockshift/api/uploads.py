"""Import uploads, streamed straight to one temporary folder of the app and bounded.

The import route declares no ``File`` parameters, so FastAPI checks the key (and its role)
before a byte of the body is read; the body is then parsed here as it arrives: each file
goes to disk under :func:`upload_root`, a ``.gz`` file is inflated on the fly only to count
its inflated size, and either limit stops the upload at once with 413. A server killed
mid-import leaves its folder behind; :func:`clean_stale` removes those at start-up.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import zlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from python_multipart.exceptions import FormParserError
from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect

SUFFIXES = (".csv.gz", ".csv", ".parquet", ".pq")
FIELDS = ("stores", "inventory", "sales")
REQUIRED = ("stores", "inventory")
INFLATE_STEP = 1 << 20
_FOLDER = re.compile(r"^import-(\d+)-")


def upload_root(configured: Path | None) -> Path:
    """The app's one folder for uploads (``STOCKSHIFT_UPLOAD_DIR``, else under the system temp)."""
    return configured or Path(tempfile.gettempdir()) / "stockshift-uploads"


def new_folder(root: Path) -> Path:
    """A fresh folder for one import, named after this process so start-up can tell it apart."""
    root.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=f"import-{os.getpid()}-", dir=root))


def clean_stale(root: Path) -> int:
    """Remove import folders left by processes that are gone (killed mid-import); returns
    how many. Folders of live processes (other workers) are left alone."""
    if not root.is_dir():
        return 0
    removed = 0
    for child in root.iterdir():
        match = _FOLDER.match(child.name)
        if match is None or not child.is_dir():
            continue
        pid = int(match.group(1))
        if pid != os.getpid() and _alive(pid):
            continue
        shutil.rmtree(child, ignore_errors=True)
        removed += 1
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    return True


def too_large(limit: int) -> HTTPException:
    return HTTPException(
        413, f"request body over the limit of {limit} bytes; split it into smaller batches"
    )


def _bad(detail: str) -> HTTPException:
    return HTTPException(422, detail)


class InflateBound:
    """Counts what a gzip stream (one or more members) inflates to; 413 past ``limit``.

    Output is produced at most :data:`INFLATE_STEP` bytes at a time and dropped, so a gzip
    bomb costs a bounded amount of memory however far it would inflate.
    """

    def __init__(self, label: str, limit: int) -> None:
        self.label = label
        self.limit = limit
        self.total = 0
        self._inflater = zlib.decompressobj(31)

    def feed(self, data: bytes) -> None:
        try:
            while data:
                self._count(len(self._inflater.decompress(data, INFLATE_STEP)))
                if self._inflater.eof:
                    data = self._inflater.unused_data
                    self._inflater = zlib.decompressobj(31)
                else:
                    data = self._inflater.unconsumed_tail
        except zlib.error as exc:
            raise _bad(f"{self.label}: not a valid gzip file ({exc})") from None

    def _count(self, n: int) -> None:
        self.total += n
        if self.total > self.limit:
            raise HTTPException(
                413,
                f"{self.label} inflates to more than the limit of {self.limit} bytes "
                "(STOCKSHIFT_MAX_INFLATED_BYTES); split it or send it uncompressed",
            )


def safe_name(filename: str | None, field: str) -> str:
    """The upload's base name (kept for error messages), reduced to safe characters."""
    name = Path((filename or field).replace("\\", "/")).name
    name = re.sub(r"[^A-Za-z0-9._-]", "_", name)[:100] or field
    if not name.lower().endswith(SUFFIXES):
        name += ".csv"
    return name


@dataclass
class _Part:
    headers: dict[bytes, bytes] = field(default_factory=dict)
    header_name: bytes = b""
    header_value: bytes = b""
    name: str = ""
    out: IO[bytes] | None = None
    inflate: InflateBound | None = None


class UploadReader:
    """Parses a ``multipart/form-data`` body into files under ``folder``, as it streams in."""

    def __init__(self, folder: Path, *, max_bytes: int, max_inflated: int) -> None:
        self.folder = folder
        self.max_bytes = max_bytes
        self.max_inflated = max_inflated
        self.paths: dict[str, Path] = {}
        self._part = _Part()
        self._open: list[IO[bytes]] = []

    async def read(self, content_type: str, chunks: AsyncIterator[bytes]) -> dict[str, Path]:
        kind, options = parse_options_header(content_type)
        boundary = options.get(b"boundary")
        if kind != b"multipart/form-data" or not boundary:
            raise _bad(
                "send the files as multipart/form-data: fields stores, inventory and "
                "optionally sales"
            )
        parser = MultipartParser(
            boundary,
            {
                "on_part_begin": self._begin,
                "on_header_field": self._header_field,
                "on_header_value": self._header_value,
                "on_header_end": self._header_end,
                "on_headers_finished": self._headers_finished,
                "on_part_data": self._data,
                "on_part_end": self._end,
            },
        )
        seen = 0
        try:
            async for chunk in chunks:
                seen += len(chunk)
                if seen > self.max_bytes:
                    raise too_large(self.max_bytes)
                parser.write(chunk)
            parser.finalize()
        except FormParserError as exc:
            raise _bad(f"the multipart body cannot be parsed: {exc}") from None
        except ClientDisconnect:
            raise HTTPException(400, "the upload stopped before its end; send it again") from None
        finally:
            for out in self._open:
                out.close()
        missing = [f for f in REQUIRED if f not in self.paths]
        if missing:
            raise _bad(f"missing file field(s): {', '.join(missing)}; send stores and inventory")
        return self.paths

    def _begin(self) -> None:
        self._part = _Part()

    def _header_field(self, data: bytes, start: int, end: int) -> None:
        self._part.header_name += data[start:end]

    def _header_value(self, data: bytes, start: int, end: int) -> None:
        self._part.header_value += data[start:end]

    def _header_end(self) -> None:
        part = self._part
        part.headers[part.header_name.lower()] = part.header_value
        part.header_name = part.header_value = b""

    def _headers_finished(self) -> None:
        _, options = parse_options_header(self._part.headers.get(b"content-disposition", b""))
        name = options.get(b"name", b"").decode("utf-8", "replace")
        if name not in FIELDS:
            raise _bad(f"unknown form field {name!r}; send stores, inventory and optionally sales")
        if name in self.paths:
            raise _bad(f"form field {name!r} is sent twice; send each file once")
        filename = options.get(b"filename")
        label = safe_name(filename.decode("utf-8", "replace") if filename else None, name)
        sub = self.folder / name
        sub.mkdir()
        path = sub / label
        self._part.name = name
        self._part.out = path.open("wb")
        self._open.append(self._part.out)
        if label.lower().endswith(".gz"):
            self._part.inflate = InflateBound(label, self.max_inflated)
        self.paths[name] = path

    def _data(self, data: bytes, start: int, end: int) -> None:
        chunk = data[start:end]
        assert self._part.out is not None
        self._part.out.write(chunk)
        if self._part.inflate is not None:
            self._part.inflate.feed(chunk)

    def _end(self) -> None:
        if self._part.out is not None:
            self._part.out.close()
