"""``python -m tests.benchmarks.peer aiohttp|httpx BASE_URL FIRST_ID N P``: the lean peers.

A minimal asyncio script doing the same 2·N GETs as ``reconciler plan`` (the statuses and the
mapping of integrations FIRST_ID..FIRST_ID+N-1, at most P in flight, HTTP Basic auth, each
answer parsed as JSON), with nothing else: no pacing, no retries, no validation, no diff. It is
the yardstick for the client's own cost: run in its own process like the CLI, it prints one JSON
line ``{"wall_seconds", "cpu_seconds", "gets", "failures"}`` (seconds of this process).
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import sys
import time
from collections.abc import Awaitable, Callable, Sequence

PATHS = ("/shop-order-statuses", "/shop-order-statuses/mapping")


def _authorization() -> str:
    pair = f"{os.environ['SENDCLOUD_PUBLIC_KEY']}:{os.environ['SENDCLOUD_SECRET_KEY']}"
    return "Basic " + base64.b64encode(pair.encode()).decode("ascii")


async def _run_all(get: Callable[[str, int], Awaitable[bool]], ids: Sequence[int], p: int) -> int:
    slots = asyncio.Semaphore(p)

    async def one(path: str, integration_id: int) -> bool:
        async with slots:
            return await get(path, integration_id)

    results = await asyncio.gather(*(one(path, i) for i in ids for path in PATHS))
    return sum(1 for ok in results if not ok)


async def with_aiohttp(base_url: str, ids: Sequence[int], p: int) -> int:
    import aiohttp

    headers = {"Authorization": _authorization(), "Accept": "application/json"}
    connector = aiohttp.TCPConnector(limit=p)
    async with aiohttp.ClientSession(headers=headers, connector=connector) as session:

        async def get(path: str, integration_id: int) -> bool:
            params = {"integration_id": str(integration_id)}
            async with session.get(base_url + path, params=params) as response:
                json.loads(await response.read())
                return response.status == 200

        return await _run_all(get, ids, p)


async def with_httpx(base_url: str, ids: Sequence[int], p: int) -> int:
    import httpx

    headers = {"Authorization": _authorization(), "Accept": "application/json"}
    limits = httpx.Limits(max_connections=p, max_keepalive_connections=p)
    async with httpx.AsyncClient(base_url=base_url, headers=headers, limits=limits) as client:

        async def get(path: str, integration_id: int) -> bool:
            response = await client.get(path, params={"integration_id": str(integration_id)})
            json.loads(response.content)
            return response.status_code == 200

        return await _run_all(get, ids, p)


PEERS = {"aiohttp": with_aiohttp, "httpx": with_httpx}


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) != 5 or args[0] not in PEERS:
        print(__doc__.splitlines()[0], file=sys.stderr)
        return 2
    kind, base_url, first, count, parallelism = args
    ids = range(int(first), int(first) + int(count))
    started, cpu = time.perf_counter(), time.process_time()
    failures = asyncio.run(PEERS[kind](base_url.rstrip("/"), ids, int(parallelism)))
    report = {
        "wall_seconds": time.perf_counter() - started,
        "cpu_seconds": time.process_time() - cpu,
        "gets": 2 * len(ids),
        "failures": failures,
    }
    print(json.dumps(report))
    return 0 if failures == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
