"""ASGI middleware of the API: the request-size limit and the structured access log."""

from __future__ import annotations

import logging
import time
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from vigil.api.errors import RequestTooLarge, error_response

__all__ = ["AccessLog", "BodyLimit"]

log = logging.getLogger("vigil.api.access")


class BodyLimit:
    """Refuse request bodies over ``max_bytes`` with 413, declared or streamed."""

    def __init__(self, app: ASGIApp, *, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    def _error(self) -> RequestTooLarge:
        return RequestTooLarge(f"the request body is larger than {self.max_bytes:,} bytes")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or self.max_bytes <= 0:
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await error_response(self._error())(scope, receive, send)
            return
        received = 0
        exceeded = False
        replied = False

        async def limited_receive() -> Message:
            nonlocal received, exceeded
            if exceeded:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    # Stop reading: the app sees a disconnect, and its answer is replaced below.
                    exceeded = True
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal replied
            if not exceeded:
                await send(message)
            elif not replied and message["type"] == "http.response.start":
                replied = True
                await error_response(self._error())(scope, receive, send)

        await self.app(scope, limited_receive, guarded_send)


class AccessLog:
    """One structured log line per request: method, route, status, duration, key id and role.

    Never the key, the query string or the body: they may hold secrets or customers' names.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def record_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, record_send)
        finally:
            route = scope.get("route")
            principal: Any = scope.get("state", {}).get("principal")
            log.info(
                "request",
                extra={
                    "method": scope["method"],
                    # The route's template, not the path: paths hold customer and party ids.
                    "route": getattr(route, "path", None),
                    "status": status,
                    "ms": round((time.perf_counter() - started) * 1000, 1),
                    "key_id": getattr(principal, "key_id", None),
                    "role": getattr(principal, "role", None),
                },
            )
