"""``/ui/vessels``: designated and flagged vessels, and one page per vessel with its track on a map.

``/ui/vessels`` searches by IMO number, MMSI or name and, without a query, lists the vessels with
identity findings (most severe first). ``/ui/vessels/{key}`` shows one vessel: its list records and
designations, its identity timeline (every name, call sign, IMO and flag it broadcast, with first and
last seen), its identity findings with their evidence and its AIS events — all as HTML tables that
need no JavaScript. With JavaScript, ``static/maritime/vessel.js`` draws its track segments and
events on a map (Leaflet and a Natural Earth land layer served from ``static/maritime/``: no tile
server, nothing fetched from elsewhere) from ``/ui/vessels/{key}/track.json`` — the same GeoJSON as
``GET /vessels/{key}/track``, authenticated by the session.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Request
from fastapi import Query as Param
from fastapi.responses import HTMLResponse, JSONResponse

from vigil.api.routers.maritime import MAX_TRACK_POINTS, maritime_of
from vigil.errors import NotFoundError, VigilError
from vigil.maritime.events import EVENT_TYPES
from vigil.web import ui as web_ui  # attribute use only: safe if ui.py imports this module first

__all__ = ["router"]

router = APIRouter(prefix="/ui", include_in_schema=False)

_PAGE = 50


@router.get("/vessels", response_class=HTMLResponse)
async def vessels_page(
    request: Request,
    q: Annotated[str, Param(max_length=200)] = "",
    flagged: bool = False,
    offset: Annotated[int, Param(ge=0)] = 0,
) -> HTMLResponse:
    principal = await web_ui.principal_of(request)
    maritime = maritime_of(request)

    def load() -> dict[str, Any]:
        total, rows = maritime.search(q, flagged=flagged, limit=_PAGE, offset=offset)
        ais = maritime.ais
        return {
            "total": total,
            "vessels": rows,
            "positions_files": len(ais.position_files()),
            "static_files": len(ais.static_files()),
            "events": maritime.events().height,
            "listed": len(maritime.registry()),
        }

    error = None
    try:
        values = await maritime.context.run(load)
    except VigilError as exc:
        values = {
            "total": 0,
            "vessels": [],
            "positions_files": 0,
            "static_files": 0,
            "events": 0,
            "listed": 0,
        }
        error = str(exc)
    return web_ui._page(
        request,
        "vessels.html",
        principal,
        q=q,
        flagged=flagged,
        offset=offset,
        page_size=_PAGE,
        error=error,
        **values,
    )


@router.get("/vessels/{key}", response_class=HTMLResponse)
async def vessel_page(request: Request, key: str) -> HTMLResponse:
    principal = await web_ui.principal_of(request)
    maritime = maritime_of(request)
    try:
        vessel = await maritime.context.run(maritime.vessel, key)
    except NotFoundError as exc:
        return web_ui._page(request, "error.html", principal, status_code=404, message=str(exc))
    except VigilError as exc:
        return web_ui._page(request, "error.html", principal, status_code=exc.http_status, message=str(exc))
    records = vessel["list_records"]
    identities = vessel["ais_identities"]
    title = (
        records[0]["name"]
        if records
        else next((i["name"] for i in reversed(identities) if i.get("name")), None) or key
    )
    return web_ui._page(
        request,
        "vessel.html",
        principal,
        key=key,
        title=title,
        vessel=vessel,
        event_types=EVENT_TYPES,
    )


@router.get("/vessels/{key}/track.json")
async def vessel_track_json(
    request: Request,
    key: str,
    max_points: Annotated[int, Param(ge=2, le=MAX_TRACK_POINTS)] = 2_000,
) -> JSONResponse:
    """The map's data: the vessel's track segments and events as GeoJSON (``GET /vessels/{key}/track``)."""
    try:
        await web_ui.principal_of(request)
    except web_ui.LoginRequired:
        return JSONResponse({"error": "Unauthorized", "detail": "log in again"}, status_code=401)
    maritime = maritime_of(request)
    try:
        data = await maritime.context.run(
            maritime.track, key, start=None, end=None, max_points=max_points, with_events=True
        )
    except VigilError as exc:
        return JSONResponse({"error": type(exc).__name__, "detail": str(exc)}, status_code=exc.http_status)
    return JSONResponse(data, headers={"Cache-Control": "no-store"})
