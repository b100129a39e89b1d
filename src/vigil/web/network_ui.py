"""``/ui/network``: explore the network of listed parties, DPRK missions and loaded registries.

The page works without JavaScript: a search form lists matching parties; choosing one shows its
paths to designated parties with every hop's evidence, and its direct neighbours, all rendered on
the server. With JavaScript, ``static/graph/network.js`` draws the same neighbourhood with
Cytoscape.js (bundled in ``static/graph/``, nothing fetched from elsewhere): clicking a node
adds its neighbours, clicking an edge shows its evidence. The JSON it reads comes from
``/ui/network/neighbours.json`` (session-authenticated, same data as ``GET /graph/neighbours``).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Request
from fastapi import Query as Param
from fastapi.responses import HTMLResponse, JSONResponse

from vigil.api.context import context_of
from vigil.errors import VigilError
from vigil.web import ui as web_ui  # attribute use only: safe if ui.py imports this module first

__all__ = ["router"]

router = APIRouter(prefix="/ui", include_in_schema=False)

Text = Annotated[str, Param(max_length=300)]


@router.get("/network", response_class=HTMLResponse)
async def network_page(
    request: Request,
    q: Text = "",
    party: Text = "",
    max_hops: Annotated[int, Param(ge=1, le=4)] = 3,
) -> HTMLResponse:
    principal = await web_ui.principal_of(request)
    context = context_of(request)
    from vigil.api.routers.graph import network, search_nodes
    from vigil.graph.network import neighbourhood, paths_to_designated, resolve_party

    def load() -> dict[str, Any]:
        graph = network(context)
        values: dict[str, Any] = {"results": [], "report": None, "around": None, "names": {}}
        if q.strip() and not party:
            values["results"] = search_nodes(graph, q.strip(), 30)
        if party:
            start = resolve_party(graph, party)
            report = paths_to_designated(graph, start, max_hops=max_hops, k=5)
            values["report"] = report
            values["around"] = neighbourhood(graph, start, limit=50)
            nodes = {n for p in report.paths for n in p.nodes} | {start}
            values["names"] = {
                n: {
                    "name": graph.nodes[n].get("name", n),
                    "designated": bool(graph.nodes[n].get("designated")),
                }
                for n in nodes
            }
            values["start"] = start
        values["size"] = (graph.number_of_nodes(), graph.number_of_edges())
        return values

    error = None
    try:
        values = await context.run(load)
    except VigilError as exc:
        values, error = {"results": [], "report": None, "around": None, "names": {}, "size": None}, str(exc)
    return web_ui._page(
        request, "network.html", principal, q=q, party=party, max_hops=max_hops, error=error, **values
    )


@router.get("/network/neighbours.json")
async def neighbours_json(
    request: Request, party: Text = "", limit: Annotated[int, Param(ge=1, le=200)] = 60
) -> JSONResponse:
    """A node and its neighbours with the evidence of each edge (what the graph view expands)."""
    try:
        await web_ui.principal_of(request)
    except web_ui.LoginRequired:
        return JSONResponse({"error": "Unauthorized", "detail": "log in again"}, status_code=401)
    context = context_of(request)
    from vigil.api.routers.graph import network
    from vigil.graph.network import neighbourhood, resolve_party

    def load() -> dict[str, Any]:
        graph = network(context)
        return neighbourhood(graph, resolve_party(graph, party), limit=limit)

    try:
        data = await context.run(load)
    except VigilError as exc:
        return JSONResponse({"error": type(exc).__name__, "detail": str(exc)}, status_code=exc.http_status)
    return JSONResponse(data, headers={"Cache-Control": "no-store"})
