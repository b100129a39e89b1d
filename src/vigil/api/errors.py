"""Errors of the API edge, and the one function that turns any Vigil error into a response.

::

    VigilError                       (see vigil.errors for the core tree)
    ├── Unauthorized                 (401)  no API key, or not a valid one
    ├── Forbidden                    (403)  the key's role may not do this
    ├── RequestTooLarge              (413)  the body is over VIGIL_MAX_REQUEST_BYTES
    └── RateLimited                  (429)  the key sent more than VIGIL_RATE_LIMIT a minute

Every error response has the body ``{"error": <class name>, "detail": <message>}`` and the
status the class declares (``http_status``): the table is the error classes themselves.
"""

from __future__ import annotations

from fastapi.responses import JSONResponse

from vigil.errors import VigilError

__all__ = ["Forbidden", "RateLimited", "RequestTooLarge", "Unauthorized", "error_response"]


class Unauthorized(VigilError):
    """No API key was sent (and anonymous access is off for this endpoint), or it is not valid."""

    http_status = 401


class Forbidden(VigilError):
    """The key is valid but its role may not do this."""

    http_status = 403


class RequestTooLarge(VigilError):
    """The request body is larger than the configured limit."""

    http_status = 413


class RateLimited(VigilError):
    """Too many requests in the last minute; ``retry_after`` says how many seconds to wait."""

    http_status = 429

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


def error_response(exc: VigilError) -> JSONResponse:
    """The response of a Vigil error: its class's status, ``{"error", "detail"}`` body."""
    headers: dict[str, str] = {}
    if isinstance(exc, Unauthorized):
        headers["WWW-Authenticate"] = "Bearer"
    if isinstance(exc, RateLimited):
        headers["Retry-After"] = str(exc.retry_after)
    return JSONResponse(
        status_code=exc.http_status,
        content={"error": type(exc).__name__, "detail": str(exc)},
        headers=headers or None,
    )
