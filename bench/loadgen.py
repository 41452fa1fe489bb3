"""A bounded HTTP load generator: N keep-alive clients on 127.0.0.1 for a fixed number of seconds.

Closed loop (each client sends its next request when the last one answered), so the load never
exceeds N requests in flight. Pure asyncio, no dependency, good for a few thousand requests a second,
which is far above what one Django process serves.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

LOOPBACK = "127.0.0.1"  # the only address the harness ever talks to


@dataclass
class LoadResult:
    requests: int = 0  # answered within the measured window: the rate and latencies
    seconds: float = 0.0
    answered: int = 0  # every answer, warm-up and the requests still in flight at the end included
    errors: int = 0  # answers other than 200, counted over all answers
    first_error: str = ""
    slowest: float = 0.0
    latencies: list[float] = field(default_factory=list)

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def problem(self) -> str:
        """Why this load measured nothing trustworthy, or "" when it did. A wrong answer anywhere
        (even during warm-up) fails it, and so does a window in which no request finished: a rate
        of 0 would look like a measurement and is none."""
        if self.errors:
            return f"{self.errors} of {self.answered} answers were not 200; first: {self.first_error}"
        if not self.requests:
            return (
                f"no request finished within the {self.seconds:.0f}s window ({self.answered} answered in"
                f" all, the slowest after {self.slowest:.1f}s): nothing was measured"
            )
        return ""

    def percentile(self, q: float) -> float:
        if len(self.latencies) < 2:
            return self.latencies[0] if self.latencies else 0.0
        return statistics.quantiles(self.latencies, n=100, method="inclusive")[round(q) - 1]


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, bytes, bool]:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    headers = {}
    for line in lines[1:]:
        if ":" in line:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
    if headers.get("transfer-encoding", "").lower() == "chunked":
        body = bytearray()
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            chunk = await reader.readexactly(size + 2)
            if size == 0:
                break
            body += chunk[:-2]
        data = bytes(body)
    else:
        data = await reader.readexactly(int(headers.get("content-length", "0")))
    return status, data, headers.get("connection", "").lower() == "close"


async def _client(
    port: int,
    path_of: Callable[[int], str],
    headers: dict[str, str],
    warmup_end: float,
    end: float,
    result: LoadResult,
    client: int,
    timeout: float,
) -> None:
    extra = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    reader, writer = await asyncio.open_connection(LOOPBACK, port)
    n = client
    try:
        while time.perf_counter() < end:
            n += 1
            request = f"GET {path_of(n)} HTTP/1.1\r\nHost: {LOOPBACK}:{port}\r\n{extra}\r\n"
            started = time.perf_counter()
            writer.write(request.encode())
            await writer.drain()
            try:
                status, body, close = await asyncio.wait_for(_read_response(reader), timeout)
            except TimeoutError:
                raise TimeoutError(f"GET {path_of(n)}: no answer within {timeout:.0f}s") from None
            finished = time.perf_counter()
            result.answered += 1
            result.slowest = max(result.slowest, finished - started)
            if status != 200:
                result.errors += 1
                result.first_error = result.first_error or f"HTTP {status}: {body[:200]!r}"
            if started >= warmup_end and finished <= end:
                result.requests += 1
                result.latencies.append(finished - started)
            if close:
                writer.close()
                reader, writer = await asyncio.open_connection(LOOPBACK, port)
    finally:
        writer.close()


async def _run(
    port: int,
    path_of: Callable[[int], str],
    headers: dict[str, str],
    clients: int,
    seconds: float,
    warmup: float,
    timeout: float,
) -> LoadResult:
    result = LoadResult()
    start = time.perf_counter()
    warmup_end, end = start + warmup, start + warmup + seconds
    tasks = [
        _client(port, path_of, headers, warmup_end, end, result, i * 1000, timeout) for i in range(clients)
    ]
    await asyncio.gather(*tasks)
    result.seconds = seconds
    return result


def load(
    port: int,
    path_of: Callable[[int], str],
    *,
    headers: dict[str, str],
    clients: int = 16,
    seconds: float = 10.0,
    warmup: float = 1.0,
    timeout: float = 60.0,
) -> LoadResult:
    """Hammer `path_of(n)` (n counts requests, so a client can page through a list) and measure.
    A request unanswered after `timeout` seconds raises: the server hangs."""
    # In a thread of its own: asyncio.run refuses to start where a loop already runs (the test suite's
    # Playwright keeps one in the main thread).
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(
            asyncio.run, _run(port, path_of, headers, clients, seconds, warmup, timeout)
        ).result()


# --- a burst: a fixed list of requests (any method, each with its own headers and body), each sent once


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes = b""


async def _burst_client(
    port: int, requests: list[Request], cursor: list[int], result: LoadResult, timeout: float
) -> None:
    reader, writer = await asyncio.open_connection(LOOPBACK, port)
    try:
        while cursor[0] < len(requests):
            r = requests[cursor[0]]
            cursor[0] += 1  # one event loop: no other client runs between the read and the increment
            head = f"{r.method} {r.path} HTTP/1.1\r\nHost: {LOOPBACK}:{port}\r\n"
            head += "".join(f"{k}: {v}\r\n" for k, v in r.headers.items())
            head += f"Content-Length: {len(r.body)}\r\n\r\n"
            started = time.perf_counter()
            writer.write(head.encode() + r.body)
            await writer.drain()
            try:
                status, body, close = await asyncio.wait_for(_read_response(reader), timeout)
            except TimeoutError:
                raise TimeoutError(f"{r.method} {r.path}: no answer within {timeout:.0f}s") from None
            finished = time.perf_counter()
            result.answered += 1
            result.requests += 1
            result.latencies.append(finished - started)
            result.slowest = max(result.slowest, finished - started)
            if status != 200:
                result.errors += 1
                result.first_error = result.first_error or f"HTTP {status}: {body[:200]!r}"
            if close:
                writer.close()
                reader, writer = await asyncio.open_connection(LOOPBACK, port)
    finally:
        writer.close()


async def _run_burst(port: int, requests: list[Request], clients: int, timeout: float) -> LoadResult:
    result = LoadResult()
    cursor = [0]
    started = time.perf_counter()
    await asyncio.gather(*(_burst_client(port, requests, cursor, result, timeout) for _ in range(clients)))
    result.seconds = time.perf_counter() - started
    return result


def burst(port: int, requests: list[Request], *, clients: int = 16, timeout: float = 60.0) -> LoadResult:
    """Send every request once, `clients` at a time (closed loop), and time the whole burst: the rate
    is requests ÷ the burst's seconds. Any answer other than 200 is counted as an error."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, _run_burst(port, requests, clients, timeout)).result()
