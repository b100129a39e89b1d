"""Liveness and version."""

from __future__ import annotations

from fastapi import APIRouter

from vigil import __version__
from vigil.api.auth import Viewer
from vigil.api.context import Context
from vigil.api.models import HealthOut, VersionInfoOut
from vigil.match.algorithms import ALGORITHMS, DEFAULT_ALGORITHM

__all__ = ["router"]

router = APIRouter(tags=["system"])


@router.get("/health", response_model=HealthOut, summary="Liveness (no key needed)")
async def health() -> HealthOut:
    """The process answers. It does not touch the store, so a long list update does not fail it."""
    return HealthOut()


@router.get("/version", response_model=VersionInfoOut, summary="Versions of Vigil and of the lists")
async def version(context: Context, principal: Viewer) -> VersionInfoOut:
    lists = await context.run(lambda: context.service.list_versions())
    return VersionInfoOut(
        vigil=__version__,
        algorithms=sorted(ALGORITHMS),
        default_algorithm=DEFAULT_ALGORITHM,
        lists=lists,
        four_eyes=context.settings.four_eyes,
    )
