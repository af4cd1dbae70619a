"""``AUTO_START=false``: wait for ``GET /start`` on a plain HTTP port before serving.

Answers as the reference host does: ``GET /start`` starts the server, ``OPTIONS`` gets a 204
with permissive CORS headers, any other request a 404.
"""

from __future__ import annotations

import asyncio

_CORS = (
    "Access-Control-Allow-Origin: *\r\n"
    "Access-Control-Allow-Methods: GET, OPTIONS\r\n"
    "Access-Control-Allow-Headers: *\r\n"
)


def _response(status: str, body: str = "", headers: str = "") -> bytes:
    payload = body.encode()
    return (
        f"HTTP/1.1 {status}\r\nContent-Type: text/plain; charset=utf-8\r\n{headers}"
        f"Content-Length: {len(payload)}\r\nConnection: close\r\n\r\n"
    ).encode() + payload


async def wait_for_start_request(listener_port: int, stream_api_port: int, cancelled: asyncio.Event) -> bool:
    """Serve the start listener until ``GET /start`` (returns True) or ``cancelled`` (False)."""
    started = asyncio.Event()

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            request_line = (await reader.readline()).decode("latin-1").split()
            while (await reader.readline()) not in (b"\r\n", b"\n", b""):
                pass
            method, path = (request_line + ["", ""])[:2]
            if method == "OPTIONS":
                writer.write(_response("204 No Content", headers=_CORS))
            elif method == "GET" and path.split("?")[0] == "/start":
                body = (
                    "stream api server has been started..."
                    if started.is_set()
                    else f"Stream Api Started Properly and Listen To Requests On Port:{stream_api_port}"
                )
                started.set()
                writer.write(_response("200 OK", body, _CORS))
            else:
                writer.write(_response("404 Not Found"))
            await writer.drain()
        finally:
            writer.close()

    server = await asyncio.start_server(handle, "0.0.0.0", listener_port)
    print(f"Waiting for GET /start on port {listener_port}", flush=True)
    async with server:
        waiters = [asyncio.create_task(started.wait()), asyncio.create_task(cancelled.wait())]
        await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
        for waiter in waiters:
            waiter.cancel()
    return started.is_set()
