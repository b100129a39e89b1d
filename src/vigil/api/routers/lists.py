"""The official lists: loaded sources, their versions, diffs, and updating them."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Body
from fastapi import Query as Param

from vigil.api.auth import Admin, Viewer
from vigil.api.context import ApiContext, Context
from vigil.api.models import (
    DiffChangeOut,
    DiffOut,
    ImportOut,
    ListOut,
    RescreenOut,
    UpdateIn,
    UpdateOut,
    VersionOut,
)
from vigil.errors import NotFoundError, VigilError
from vigil.lists.fetch import DEFAULT_UPDATE_SOURCES, update_lists
from vigil.lists.importing import ImportOutcome
from vigil.screening.service import RescreenSummary
from vigil.sources.registry import get_source
from vigil.store.base import ListVersion, PartyChange, Store

__all__ = ["UpdateResult", "router", "update_and_rescreen"]

log = logging.getLogger(__name__)

router = APIRouter(prefix="/lists", tags=["lists"])


def _version(version: ListVersion) -> VersionOut:
    return VersionOut.model_validate(version)


def _versions(store: Store, source: str) -> list[ListVersion]:
    versions = store.versions(source)
    if not versions:
        raise NotFoundError(f"no list {source!r} is loaded (loaded: {', '.join(store.sources()) or 'none'})")
    return versions


def _change(change: PartyChange) -> DiffChangeOut:
    party = change.after or change.before
    return DiffChangeOut(
        party_id=change.party_id,
        caption=party.primary_name if party is not None else change.party_id,
        fields=list(change.fields),
    )


@router.get("", response_model=list[ListOut], summary="Loaded lists and their current versions")
async def lists(context: Context, principal: Viewer) -> list[ListOut]:
    def load() -> list[ListOut]:
        out = []
        for source in context.store.sources():
            versions = context.store.versions(source)
            title: str | None
            authority: str | None
            try:
                meta = get_source(source)
                title, authority = meta.title, meta.authority
            except VigilError:  # a list stored by a source this version no longer knows
                title = authority = None
            out.append(
                ListOut(
                    source=source,
                    title=title,
                    authority=authority,
                    current=_version(versions[0]),
                    versions=len(versions),
                )
            )
        return out

    return await context.run(load)


@router.get("/{source}/versions", response_model=list[VersionOut], summary="Stored versions of a list")
async def versions(source: str, context: Context, principal: Viewer) -> list[VersionOut]:
    """Every stored version, newest first."""
    return [_version(v) for v in await context.run(lambda: _versions(context.store, source))]


@router.get("/{source}/diff", response_model=DiffOut, summary="What changed between two versions")
async def diff(
    source: str,
    context: Context,
    principal: Viewer,
    from_version: Annotated[
        int | None, Param(alias="from", description="Version id; default: the one before `to`.")
    ] = None,
    to_version: Annotated[
        int | None, Param(alias="to", description="Version id; default: the current.")
    ] = None,
) -> DiffOut:
    """Parties added, removed and changed (with the changed fields) from one version to another."""

    def load() -> DiffOut:
        store = context.store
        versions = _versions(store, source)
        ids = [v.id for v in versions]
        for wanted in (from_version, to_version):
            if wanted is not None and wanted not in ids:
                raise NotFoundError(f"list {source!r} has no version {wanted}")
        new_id = ids[0] if to_version is None else to_version
        old_id = from_version
        if old_id is None:
            older = [i for i in ids if i < new_id]
            old_id = older[0] if older else None
        if old_id is None:  # the first version of the list: every party was added
            added = [
                DiffChangeOut(party_id=p.id, caption=p.primary_name, fields=[]) for p in store.parties(new_id)
            ]
            return DiffOut(
                source=source,
                old=None,
                new=_version(store.get_version(new_id)),
                summary={"added": len(added), "removed": 0, "changed": 0, "unchanged": 0},
                added=added,
                removed=[],
                changed=[],
            )
        result = store.diff(old_id, new_id)
        return DiffOut(
            source=source,
            old=_version(result.old) if result.old is not None else None,
            new=_version(result.new),
            summary=result.summary(),
            added=[_change(c) for c in result.added],
            removed=[_change(c) for c in result.removed],
            changed=[_change(c) for c in result.changed],
        )

    return await context.run(load)


@dataclass
class UpdateResult:
    """What :func:`update_and_rescreen` did: the imports, the re-screening, the failure if any."""

    outcomes: list[ImportOutcome]
    rescreen: RescreenSummary | None
    failure: VigilError | None


def update_and_rescreen(context: ApiContext, keys: list[str], *, actor: str) -> UpdateResult:
    """Fetch and import each list in turn, then re-screen against what the new versions changed.

    Runs on the store thread. A failed download stops there and keeps that list's previous
    version: the lists imported before it are still re-screened; the failure is returned,
    not raised, so callers (the API, the web UI) can report it their own way.
    """
    outcomes: list[ImportOutcome] = []
    failure: VigilError | None = None
    for key in keys:
        try:
            outcomes.extend(update_lists(context.store, context.settings, [key]))
        except VigilError as exc:
            failure = exc
            break
    created = [o for o in outcomes if o.created]
    summary = context.service.rescreen_changes(created, actor=actor) if created else None
    log.info(
        "lists updated",
        extra={"sources": keys, "created": [o.source for o in created], "failed": failure is not None},
    )
    return UpdateResult(outcomes=outcomes, rescreen=summary, failure=failure)


def _import(outcome: ImportOutcome) -> ImportOut:
    return ImportOut(
        source=outcome.source,
        version=_version(outcome.version),
        created=outcome.created,
        seconds=round(outcome.seconds, 3),
        warnings=list(outcome.warnings),
    )


@router.post("/update", response_model=UpdateOut, summary="Download the lists and re-screen (admin)")
async def update(
    context: Context, principal: Admin, body: Annotated[UpdateIn | None, Body()] = None
) -> UpdateOut:
    """Fetch each list from its publisher and import it if it changed; then screen the monitored
    customers against only what the new versions added or changed (removed designations
    close their alerts as delisted). A failed download keeps that list's previous version:
    lists imported before the failure are still re-screened, then the error is returned."""
    keys = list(body.sources) if body is not None and body.sources else list(DEFAULT_UPDATE_SOURCES)

    def run() -> UpdateOut:
        result = update_and_rescreen(context, keys, actor=principal.name)
        if result.failure is not None:
            raise result.failure
        return UpdateOut(
            imports=[_import(o) for o in result.outcomes],
            rescreen=RescreenOut.model_validate(result.rescreen) if result.rescreen is not None else None,
        )

    return await context.run(run)
