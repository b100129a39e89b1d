"""The hash-chained audit log: read it, and verify the chain."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter
from fastapi import Query as Param

from vigil.api.auth import KeyViewer
from vigil.api.context import Context
from vigil.api.models import AuditPage, AuditRecordOut, AuditVerifyOut
from vigil.store.workflow import AuditRecord

__all__ = ["router"]

router = APIRouter(prefix="/audit", tags=["audit"])


@router.get("", response_model=AuditPage, summary="Audit records, oldest first")
async def records(
    context: Context,
    principal: KeyViewer,
    since_seq: Annotated[int, Param(ge=0, description="Records after this sequence number.")] = 0,
    limit: Annotated[int, Param(ge=1, le=10_000)] = 100,
    action: Annotated[str | None, Param(description="Only this action, e.g. alert.dispose.")] = None,
) -> AuditPage:
    def load() -> list[AuditRecord]:
        return context.store.audit_records(since_seq, limit, action=action)

    found = await context.run(load)
    return AuditPage(
        records=[AuditRecordOut.model_validate(r) for r in found],
        next_since_seq=found[-1].seq if len(found) == limit else None,
    )


@router.get("/verify", response_model=AuditVerifyOut, summary="Verify the audit chain")
async def verify(context: Context, principal: KeyViewer) -> AuditVerifyOut:
    """Check every record's link and hash. Keep ``head_hash`` elsewhere to detect a rewritten log."""

    def run() -> AuditVerifyOut:
        report = context.store.audit_verify()
        head = context.store.audit_head()
        return AuditVerifyOut(
            ok=report.ok,
            records=report.records,
            first_bad_seq=report.first_bad_seq,
            problem=report.problem,
            head_seq=None if head is None else head[0],
            head_hash=None if head is None else head[1],
        )

    return await context.run(run)
