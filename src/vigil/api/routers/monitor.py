"""``/monitor/...``: the implementation scorecard, the DPRK timeline and their PDF/HTML export."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, Field

from vigil.api.auth import Viewer
from vigil.api.context import ApiContext, Context
from vigil.monitor.export import MonitorReport

__all__ = ["router"]

router = APIRouter(tags=["monitor"])

StateParam = Annotated[
    list[str],
    Query(max_length=60, description="States by name or ISO code (repeatable); default: the region."),
]


class ScorecardOut(BaseModel):
    resolutions: list[str] = Field(description="The report columns: resolutions that ask states to report.")
    states: list[dict[str, Any]] = Field(
        description="One row per state; every cell has value, known, detail, source, confidence, origin."
    )


class TimelineOut(BaseModel):
    filter: dict[str, Any]
    counts: dict[str, int]
    designations_source: str
    designations_after_resolutions: list[dict[str, Any]]
    events: list[dict[str, Any]]


def _report(
    context: ApiContext,
    principal_name: str,
    region: str,
    state: list[str],
    start: str | None = None,
    end: str | None = None,
    kind: list[str] | None = None,
    missile_type: list[str] | None = None,
    outcome: list[str] | None = None,
    event_state: list[str] | None = None,
) -> Any:
    from vigil.monitor.service import monitor_report
    from vigil.monitor.timeline import TimelineFilter

    flt = TimelineFilter.parse(start, end, kind or (), missile_type or (), outcome or (), event_state or ())
    return monitor_report(
        context.settings.home,
        context.store,
        region=region,
        states=state,
        flt=flt,
        generated_by=principal_name,
    )


@router.get("/monitor/scorecard", response_model=ScorecardOut, summary="Implementation scorecard per state")
async def monitor_scorecard(
    context: Context,
    principal: Viewer,
    region: Annotated[str, Query(max_length=20, description="Region of states: asean.")] = "asean",
    state: StateParam = [],  # noqa: B006 - FastAPI copies defaults
) -> ScorecardOut:
    """Per state: national implementation reports per resolution, DPRK mission, visa regime and
    enforcement cases, each cell with its source and confidence; "unknown" is never no or zero."""
    report = await context.run(_report, context, principal.name, region, state)
    return ScorecardOut.model_validate(report.scorecard.to_dict())


@router.get(
    "/monitor/timeline", response_model=TimelineOut, summary="Timeline of tests, resolutions, designations"
)
async def monitor_timeline(
    context: Context,
    principal: Viewer,
    start: Annotated[str | None, Query(alias="from", max_length=10, description="YYYY[-MM[-DD]]")] = None,
    end: Annotated[str | None, Query(alias="to", max_length=10, description="YYYY[-MM[-DD]]")] = None,
    kind: Annotated[list[str], Query(max_length=10, description="Event kinds to keep.")] = [],  # noqa: B006
    missile_type: Annotated[list[str], Query(max_length=10, description="SRBM, ICBM ...")] = [],  # noqa: B006
    outcome: Annotated[list[str], Query(max_length=3, description="success, failure, unknown")] = [],  # noqa: B006
    state: Annotated[
        list[str],
        Query(max_length=20, description="Enforcement events of these states only (name or ISO code)."),
    ] = [],  # noqa: B006
) -> TimelineOut:
    """Missile and nuclear tests, Security Council resolutions, UN designation waves and
    enforcement events, oldest first, with the number of designations after each resolution."""
    report = await context.run(
        _report, context, principal.name, "asean", [], start, end, kind, missile_type, outcome, state
    )
    return TimelineOut.model_validate(report.timeline.to_dict())


@router.get(
    "/monitor/export",
    summary="Scorecard and timeline as PDF or HTML",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}, "text/html": {}}}},
)
async def monitor_export(
    context: Context,
    principal: Viewer,
    format: Annotated[Literal["pdf", "html"], Query(description="pdf or html")] = "pdf",
    region: Annotated[str, Query(max_length=20)] = "asean",
    state: StateParam = [],  # noqa: B006
    start: Annotated[str | None, Query(alias="from", max_length=10)] = None,
    end: Annotated[str | None, Query(alias="to", max_length=10)] = None,
    kind: Annotated[list[str], Query(max_length=10)] = [],  # noqa: B006
) -> Response:
    """The scorecard and the timeline as one document (A4 landscape PDF, or self-contained HTML)."""

    def render() -> bytes | str:
        report: MonitorReport = _report(context, principal.name, region, state, start, end, kind)
        return report.to_pdf() if format == "pdf" else report.to_html()

    body = await context.run(render)
    name = f"vigil-monitor.{format}"
    headers = {"Content-Disposition": f'attachment; filename="{name}"'}
    if format == "pdf":
        return Response(body, media_type="application/pdf", headers=headers)
    return HTMLResponse(body, headers=headers)
