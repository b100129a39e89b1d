"""Alert review: list and read alerts, record reviewers' decisions (four eyes, optimistic locking)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter
from fastapi import Query as Param

from vigil.api.auth import KeyViewer, Reviewer
from vigil.api.context import Context
from vigil.api.models import AlertOut, AlertPage, DispositionIn
from vigil.store.workflow import Alert

__all__ = ["router"]

router = APIRouter(prefix="/alerts", tags=["alerts"])


def _alert(alert: Alert) -> AlertOut:
    return AlertOut.model_validate(alert)


@router.get("", response_model=AlertPage, summary="Alerts, filtered")
async def list_alerts(
    context: Context,
    principal: KeyViewer,
    status: Annotated[
        list[str] | None, Param(description="One or more statuses (repeat the parameter).")
    ] = None,
    kind: str | None = None,
    min_score: Annotated[float | None, Param(ge=0.0, le=1.0)] = None,
    customer_id: str | None = None,
    source: Annotated[str | None, Param(description="Alerts on parties of this list.")] = None,
    limit: Annotated[int, Param(ge=1, le=1000)] = 100,
    offset: Annotated[int, Param(ge=0)] = 0,
) -> AlertPage:
    """Alerts by id, oldest first; ``total`` counts every alert the filters keep."""
    filters = {
        "status": status,
        "kind": kind,
        "min_score": min_score,
        "customer_id": customer_id,
        "source": source,
    }

    def load() -> AlertPage:
        store = context.store
        alerts = store.list_alerts(**filters, limit=limit, offset=offset)  # type: ignore[arg-type]
        total = store.count_alerts(**filters)  # type: ignore[arg-type]
        return AlertPage(total=total, limit=limit, offset=offset, alerts=[_alert(a) for a in alerts])

    return await context.run(load)


@router.get("/{alert_id}", response_model=AlertOut, summary="One alert with its decisions")
async def get_alert(alert_id: int, context: Context, principal: KeyViewer) -> AlertOut:
    return _alert(await context.run(lambda: context.store.get_alert(alert_id)))


@router.post("/{alert_id}/dispositions", response_model=AlertOut, summary="Decide an alert (reviewer)")
async def dispose(alert_id: int, body: DispositionIn, context: Context, principal: Reviewer) -> AlertOut:
    """Record a decision. ``expected_row_version`` is the alert's ``row_version`` as last read:
    if the alert changed since, nothing is written and the answer is 409 (reload, decide
    again). With four eyes on (``VIGIL_FOUR_EYES``), a true match waits in
    ``pending_confirmation`` until a reviewer with another key name confirms it."""

    def run() -> Alert:
        return context.store.dispose(
            alert_id,
            body.decision,
            body.reason,
            principal.name,
            expected_row_version=body.expected_row_version,
            four_eyes=context.settings.four_eyes,
        )

    return _alert(await context.run(run))
