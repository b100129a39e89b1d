"""``/ui/monitor``: the implementation scorecard and the timeline chart (server-side SVG).

Filtering is a plain GET form: the page works without JavaScript and under the strict CSP
(the chart is inline SVG with presentation attributes only). The same view exports as PDF or
HTML (``/ui/monitor/export.pdf``, ``/ui/monitor/export.html``).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Request
from fastapi import Query as Param
from fastapi.responses import HTMLResponse, Response

from vigil.api.context import context_of
from vigil.errors import InputError
from vigil.monitor.chart import MISSILE_ROWS
from vigil.monitor.timeline import KIND_LABELS, KINDS
from vigil.web import ui as web_ui  # attribute use only: safe if ui.py imports this module first

__all__ = ["router"]

router = APIRouter(prefix="/ui", include_in_schema=False)

Multi = Annotated[list[str], Param(max_length=20)]
Short = Annotated[str, Param(max_length=40)]


async def _build(
    request: Request,
    principal_name: str,
    region: str,
    state: str,
    start: str,
    end: str,
    kind: list[str],
    missile_type: list[str],
    outcome: list[str],
) -> Any:
    from vigil.monitor.service import monitor_report
    from vigil.monitor.timeline import TimelineFilter

    context = context_of(request)

    def build() -> Any:
        flt = TimelineFilter.parse(start or None, end or None, kind, missile_type, outcome)
        states = [state] if state.strip() else []
        return monitor_report(
            context.settings.home,
            context.store,
            region=region,
            states=states,
            flt=flt,
            generated_by=principal_name,
        )

    return await context.run(build)


@router.get("/monitor", response_class=HTMLResponse)
async def monitor_page(
    request: Request,
    region: Short = "asean",
    state: Short = "",
    start: Annotated[str, Param(alias="from", max_length=10)] = "",
    end: Annotated[str, Param(alias="to", max_length=10)] = "",
    kind: Multi = [],  # noqa: B006
    missile_type: Multi = [],  # noqa: B006
    outcome: Multi = [],  # noqa: B006
) -> HTMLResponse:
    principal = await web_ui.principal_of(request)
    values: dict[str, Any] = {
        "form": {
            "region": region,
            "state": state,
            "from": start,
            "to": end,
            "kind": kind,
            "missile_type": missile_type,
            "outcome": outcome,
        },
        "kinds": [(k, KIND_LABELS[k]) for k in KINDS],
        "missile_types": MISSILE_ROWS,
        "outcomes": ("success", "failure", "unknown"),
        "query": request.url.query,
    }
    try:
        report = await _build(request, principal.name, region, state, start, end, kind, missile_type, outcome)
    except InputError as exc:
        return web_ui._page(
            request, "monitor.html", principal, status_code=400, error=str(exc), report=None, **values
        )
    return web_ui._page(
        request, "monitor.html", principal, error=None, report=report, svg=report.svg(), **values
    )


@router.get("/monitor/export.{fmt}", response_model=None)
async def monitor_export(
    request: Request,
    fmt: str,
    region: Short = "asean",
    state: Short = "",
    start: Annotated[str, Param(alias="from", max_length=10)] = "",
    end: Annotated[str, Param(alias="to", max_length=10)] = "",
    kind: Multi = [],  # noqa: B006
    missile_type: Multi = [],  # noqa: B006
    outcome: Multi = [],  # noqa: B006
) -> Response:
    principal = await web_ui.principal_of(request)
    if fmt not in ("pdf", "html"):
        return web_ui._page(
            request, "error.html", principal, status_code=404, message="export as .pdf or .html"
        )
    try:
        report = await _build(request, principal.name, region, state, start, end, kind, missile_type, outcome)
    except InputError as exc:
        return web_ui._page(request, "error.html", principal, status_code=400, message=str(exc))
    context = context_of(request)
    body = await context.run(report.to_pdf if fmt == "pdf" else report.to_html)
    headers = {
        "Content-Disposition": f'attachment; filename="vigil-monitor.{fmt}"',
        "Cache-Control": "no-store",
    }
    media = "application/pdf" if fmt == "pdf" else "text/html; charset=utf-8"
    return Response(body, media_type=media, headers=headers)
