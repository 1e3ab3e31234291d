"""A minimal HTTP/1.1 keep-alive client for the load benchmark, on asyncio streams.

httpx spends a few hundred microseconds of Python per request; with 50 clients on the
same 2 cores as the server, the load generator then takes a good part of a core from
the server it measures. This client writes a fixed request and reads the status line,
the headers and a ``Content-Length`` or chunked body, nothing more: about a tenth of
httpx's CPU per request. Loopback only; no TLS, no redirects, no cookies.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass


class HTTPError(Exception):
    """The connection broke or the answer was not HTTP/1.1 as expected."""


@dataclass(frozen=True, slots=True)
class Answer:
    status: int
    headers: dict[str, str]  # lower-case names
    body: bytes  # as sent (still gzipped when Content-Encoding says so)


class Connection:
    """One keep-alive connection to ``host:port``, reopened after an error or a close."""

    def __init__(self, host: str, port: int, headers: dict[str, str]) -> None:
        self.host, self.port = host, port
        self.extra = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def get(self, target: str, timeout: float = 60.0) -> Answer:
        try:
            async with asyncio.timeout(timeout):
                return await self._get(target)
        except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, TimeoutError,
                ValueError) as exc:  # fmt: skip
            self.close()
            raise HTTPError(type(exc).__name__) from exc

    async def _get(self, target: str) -> Answer:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        assert self.reader is not None
        request = f"GET {target} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n{self.extra}\r\n"
        self.writer.write(request.encode())
        head = await self.reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        headers: dict[str, str] = {}
        for line in lines[1:]:
            if line:
                name, _, value = line.partition(":")
                headers[name.strip().lower()] = value.strip()
        if "content-length" in headers:
            body = await self.reader.readexactly(int(headers["content-length"]))
        elif headers.get("transfer-encoding") == "chunked":
            body = await self._chunks()
        else:
            body = b""
        if headers.get("connection") == "close":
            self.close()
        return Answer(status, headers, body)

    async def _chunks(self) -> bytes:
        assert self.reader is not None
        parts = []
        while True:
            size = int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16)
            if size == 0:
                await self.reader.readuntil(b"\r\n")
                return b"".join(parts)
            parts.append(await self.reader.readexactly(size + 2))
            parts[-1] = parts[-1][:-2]

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None
