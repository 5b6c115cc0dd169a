"""A raw loopback HTTP server that misbehaves as the simulator cannot: drips, bombs, floods.

Each connection reads one request head (and its body, by Content-Length) and hands the writer
to a test's `Answer`, which writes whatever bytes it likes. Connections are counted, so a test
can assert how many attempts the client made.
"""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

Answer = Callable[[asyncio.StreamWriter], Awaitable[None]]


@dataclass
class FakeServer:
    base_url: str
    requests: list[bytes] = field(default_factory=list)


@asynccontextmanager
async def fake_server(
    answer: Answer, *, tls: ssl.SSLContext | None = None
) -> AsyncIterator[FakeServer]:
    """Serve `answer` on 127.0.0.1 (https with `tls`); yields the API URL and the request log."""
    state = FakeServer("")
    open_writers: set[asyncio.StreamWriter] = set()

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        open_writers.add(writer)
        try:
            head = await reader.readuntil(b"\r\n\r\n")
            length = 0
            for line in head.split(b"\r\n"):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":", 1)[1])
            if length:
                await reader.readexactly(length)
            state.requests.append(head)
            await answer(writer)
        except (ConnectionError, asyncio.IncompleteReadError, ssl.SSLError):
            pass  # the client hung up (as it should on a bad answer)
        finally:
            open_writers.discard(writer)
            writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0, ssl=tls)
    port = server.sockets[0].getsockname()[1]
    state.base_url = f"{'https' if tls else 'http'}://127.0.0.1:{port}/api/v3"
    try:
        yield state
    finally:
        server.close()
        for writer in list(open_writers):
            writer.close()
        await server.wait_closed()


def head(status: str = "200 OK", **headers: str | int) -> bytes:
    """A response head; keyword names become header names (``content_length`` → Content-Length)."""
    lines = [f"HTTP/1.1 {status}"] + [
        f"{name.replace('_', '-').title()}: {value}" for name, value in headers.items()
    ]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def json_answer(body: bytes, status: str = "200 OK", **headers: str | int) -> Answer:
    async def answer(writer: asyncio.StreamWriter) -> None:
        writer.write(
            head(
                status,
                content_type="application/json",
                content_length=len(body),
                connection="close",
                **headers,
            )
            + body
        )
        await writer.drain()

    return answer
