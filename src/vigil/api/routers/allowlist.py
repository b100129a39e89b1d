"""The allowlist: (customer, listed group) pairs cleared while the listed records stay as they are."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter
from fastapi import Query as Param

from vigil.api.auth import KeyViewer, Reviewer
from vigil.api.context import Context
from vigil.api.models import AllowIn, AllowOut, RevokeIn
from vigil.errors import NotFoundError
from vigil.store.workflow import AllowEntry

__all__ = ["router"]

router = APIRouter(prefix="/allowlist", tags=["allowlist"])


@router.get("", response_model=list[AllowOut], summary="Allowlist entries")
async def list_allow(
    context: Context,
    principal: KeyViewer,
    customer_id: str | None = None,
    group_id: str | None = None,
    valid_only: Annotated[bool, Param(description="Only entries valid now.")] = True,
) -> list[AllowOut]:
    entries = await context.run(
        lambda: context.store.list_allow(customer_id=customer_id, group_id=group_id, valid_only=valid_only)
    )
    return [AllowOut.model_validate(e) for e in entries]


@router.post("", response_model=AllowOut, status_code=201, summary="Allow a customer and a listed group")
async def add_allow(body: AllowIn, context: Context, principal: Reviewer) -> AllowOut:
    """Stop alerting ``customer_id`` on ``group_id`` while the group's records keep their current
    content: the entry is bound to the group's content hash and is revoked when a list
    update changes the group. The pair's open alerts close as ``allowlisted``."""

    def run() -> AllowEntry:
        store = context.store
        store.get_customer(body.customer_id)
        hashes = store.group_hashes([body.group_id])
        if body.group_id not in hashes:
            raise NotFoundError(f"no listed group {body.group_id!r} in the current lists")
        return store.add_allow(
            body.customer_id,
            body.group_id,
            hashes[body.group_id],
            body.reason,
            principal.name,
            body.expires_at,
        )

    return AllowOut.model_validate(await context.run(run))


@router.delete("/{allow_id}", response_model=AllowOut, summary="Revoke an allowlist entry")
async def revoke_allow(allow_id: int, body: RevokeIn, context: Context, principal: Reviewer) -> AllowOut:
    """Revoke an entry (kept, with the reason, for the audit trail); the next screening alerts again."""
    entry = await context.run(lambda: context.store.revoke_allow(allow_id, body.reason, actor=principal.name))
    return AllowOut.model_validate(entry)
