"""The monitored customer base: read, add or update (and screen at once), delete."""

from __future__ import annotations

import itertools
import sys
from typing import Annotated

from fastapi import APIRouter, Body
from fastapi import Query as Param

from vigil.api.auth import KeyViewer, Reviewer
from vigil.api.context import Context
from vigil.api.models import CustomerIn, CustomerOut, CustomerPage, CustomerUpsertOut, DeletedOut
from vigil.errors import NotFoundError
from vigil.store.workflow import Customer

__all__ = ["router"]

router = APIRouter(prefix="/customers", tags=["customers"])

#: Customers in one POST; larger bases are loaded from a file with the CLI.
MAX_UPSERT = 10_000


def _customer(customer: Customer) -> CustomerOut:
    return CustomerOut(
        id=customer.id,
        name=customer.name,
        schema=customer.schema,
        dob=customer.dob,
        country=customer.country,
        identifiers=list(customer.identifiers),
        data=dict(customer.data),
        updated_at=customer.updated_at,
    )


@router.get("", response_model=CustomerPage, summary="Customers, by id")
async def list_customers(
    context: Context,
    principal: KeyViewer,
    limit: Annotated[int, Param(ge=1, le=1000)] = 100,
    offset: Annotated[int, Param(ge=0)] = 0,
) -> CustomerPage:
    def load() -> list[Customer]:
        if offset > sys.maxsize - limit:  # past any store (and past what islice accepts): empty page
            return []
        return list(itertools.islice(context.store.iter_customers(), offset, offset + limit))

    customers = await context.run(load)
    return CustomerPage(limit=limit, offset=offset, customers=[_customer(c) for c in customers])


@router.get("/{customer_id}", response_model=CustomerOut, summary="One customer")
async def get_customer(customer_id: str, context: Context, principal: KeyViewer) -> CustomerOut:
    return _customer(await context.run(lambda: context.store.get_customer(customer_id)))


@router.post("", response_model=CustomerUpsertOut, summary="Add or update customers and screen them")
async def upsert_customers(
    context: Context,
    principal: Reviewer,
    body: Annotated[list[CustomerIn], Body(max_length=MAX_UPSERT)],
) -> CustomerUpsertOut:
    """Add customers or update them by id, then screen them against every current list,
    raising an alert per listed party met (allowlisted pairs excepted)."""
    customers = [
        Customer(
            id=c.id,
            name=c.name,
            schema=c.schema_,
            dob=c.dob,
            country=c.country,
            identifiers=tuple(c.identifiers),
            data=c.data,
        )
        for c in body
    ]

    def run() -> CustomerUpsertOut:
        result = context.store.upsert_customers(customers, actor=principal.name)
        summary = (
            context.service.screen_customers(customers, actor=principal.name, kind="monitor")
            if customers
            else None
        )
        return CustomerUpsertOut(
            added=result.added,
            updated=result.updated,
            unchanged=result.unchanged,
            screened=len(customers),
            run_id=None if summary is None else summary.run_id,
            alerts_created=[] if summary is None else summary.alerts_created,
            alerts_updated=[] if summary is None else summary.alerts_updated,
        )

    return await context.run(run)


@router.delete("/{customer_id}", response_model=DeletedOut, summary="Delete a customer")
async def delete_customer(customer_id: str, context: Context, principal: Reviewer) -> DeletedOut:
    """Mark a customer deleted: no longer screened; kept for the audit trail."""

    def run() -> int:
        deleted = context.store.delete_customers([customer_id], actor=principal.name)
        if not deleted:
            raise NotFoundError(f"no customer {customer_id!r}")
        return deleted

    return DeletedOut(deleted=await context.run(run))
