"""The FastAPI application: :func:`create_app` builds it from settings and, optionally, a store.

::

    from vigil.api import create_app
    app = create_app()                         # settings from VIGIL_* variables
    app = create_app(settings, store=store)    # tests, embedding

Routers live in :mod:`vigil.api.routers`, one per area; request and response bodies in
:mod:`vigil.api.models`. Every error leaves through one handler: a
:class:`~vigil.errors.VigilError` becomes its class's ``http_status`` with the body
``{"error": <class name>, "detail": <message>}``; request validation errors are 422
``ValidationError`` and unknown routes 404 ``HTTPError`` in the same shape.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from vigil import __version__
from vigil.api.context import ApiContext
from vigil.api.errors import error_response
from vigil.api.middleware import AccessLog, BodyLimit
from vigil.api.models import ErrorOut
from vigil.api.routers import alerts, allowlist, audit, crypto, customers, entities, lists, match, system
from vigil.api.routers import graph as graph_router
from vigil.api.routers import maritime as maritime_router
from vigil.api.routers import monitor as monitor_router
from vigil.errors import VigilError
from vigil.settings import Settings, get_settings
from vigil.store.base import Store
from vigil.web.ui import mount_ui

__all__ = ["create_app"]

log = logging.getLogger(__name__)

_DESCRIPTION = """\
Screening against the UN Security Council's DPRK sanctions (and the lists that implement
them), alert review with four eyes, an allowlist, and a hash-chained audit log.

Send an API key as `Authorization: Bearer <key>` or `X-API-Key: <key>`. Roles:
viewer < reviewer < admin. `POST /match/{dataset}` takes and returns yente's shapes.
"""

_ERRORS: dict[int | str, dict[str, object]] = {
    status: {"model": ErrorOut, "description": description}
    for status, description in (
        (400, "The input cannot be used"),
        (401, "No valid API key"),
        (403, "The key's role may not do this"),
        (404, "Not found"),
        (409, "The record changed since it was read"),
        (413, "The request body is too large"),
        (429, "Too many requests"),
    )
}


async def _vigil_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, VigilError)
    if exc.http_status >= 500:
        log.error("request failed", extra={"error": type(exc).__name__}, exc_info=exc)
    return error_response(exc)


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    problems = "; ".join(
        f"{'.'.join(str(p) for p in error.get('loc', ()))}: {error.get('msg', '')}" for error in exc.errors()
    )
    return JSONResponse(status_code=422, content={"error": "ValidationError", "detail": problems})


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HTTPException)
    return JSONResponse(
        status_code=exc.status_code,
        content={"error": "HTTPError", "detail": str(exc.detail)},
        headers=exc.headers,
    )


async def _number_out_of_range(request: Request, exc: Exception) -> JSONResponse:
    """A number in the request too large for the store (``/alerts/9223372036854775808``): 422, not 500."""
    return JSONResponse(
        status_code=422,
        content={"error": "ValidationError", "detail": "a number in the request is out of range"},
    )


def create_app(settings: Settings | None = None, *, store: Store | None = None) -> FastAPI:
    """The API over ``store`` (default: the store of ``settings.database_url``, opened on first use).

    A store passed in is not closed by the app. All store work runs on one thread of the
    app (see :mod:`vigil.api.context`); a SQLite store passed in is reopened there by path.
    """
    settings = settings or get_settings()
    context = ApiContext(settings, store)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        try:
            yield
        finally:
            context.close()

    app = FastAPI(
        title="Vigil",
        version=__version__,
        description=_DESCRIPTION,
        lifespan=lifespan,
        responses=_ERRORS,
    )
    app.state.vigil = context
    app.add_exception_handler(VigilError, _vigil_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(OverflowError, _number_out_of_range)
    app.add_middleware(BodyLimit, max_bytes=settings.max_request_bytes)
    app.add_middleware(AccessLog)
    for module in (
        system,
        match,
        entities,
        crypto,
        lists,
        alerts,
        allowlist,
        customers,
        audit,
        monitor_router,
        maritime_router,
    ):
        app.include_router(module.router)
    app.include_router(graph_router.router)
    mount_ui(app)
    return app
