"""``GET /entities/{party_id}``: a listed party with every record of its cross-list group."""

from __future__ import annotations

from fastapi import APIRouter

from vigil.api.auth import Viewer
from vigil.api.context import Context
from vigil.api.models import EntityOut, IdentifierOut, NameOut, RelationOut
from vigil.errors import NotFoundError

__all__ = ["router"]

router = APIRouter(tags=["entities"])


@router.get("/entities/{party_id}", response_model=EntityOut, summary="A listed party and its group")
async def entity(party_id: str, context: Context, principal: Viewer) -> EntityOut:
    """The party (from the current lists, else its last stored version) and the records of
    other lists grouped with it: every name in every script, identifiers and relations."""

    def load() -> EntityOut:
        store = context.store
        try:
            group = store.group_of(party_id)
            current = True
        except NotFoundError:
            group = [store.party(party_id)]  # a delisted party: NotFoundError if never listed
            current = False
        party = next(p for p in group if p.id == party_id)
        return EntityOut(
            id=party.id,
            caption=party.primary_name,
            schema=party.schema,
            group_id=context.group_id(party.id) if current else None,
            current=current,
            datasets=sorted({p.source for p in group}),
            refs=sorted({ref for p in group for ref in p.authority_refs}),
            names=[
                NameOut(name=n.full, kind=n.kind, script=n.script, quality=n.quality, party_id=p.id)
                for p in group
                for n in p.names
            ],
            identifiers=[
                IdentifierOut(
                    kind=i.kind, value=i.value, type_text=i.type_text, country=i.country, party_id=p.id
                )
                for p in group
                for i in p.identifiers
            ],
            relations=[
                RelationOut(
                    kind=r.kind,
                    target=r.target,
                    target_ref=r.target_ref,
                    target_name=r.target_name,
                    text=r.text,
                    party_id=p.id,
                )
                for p in group
                for r in p.relations
            ],
            records=[p.to_dict() for p in group],
        )

    return await context.run(load)
