"""``POST /crypto/screen``: digital currency addresses validated per chain and screened exactly."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, Field

from vigil.api.auth import Viewer
from vigil.api.context import Context

__all__ = ["router"]

router = APIRouter(tags=["crypto"])


class AddressQuery(BaseModel):
    address: str = Field(max_length=200, description="The address as the customer gave it.")
    asset: str | None = Field(
        default=None, max_length=20, description="Asset code (XBT, ETH, USDT ...), if known."
    )


class CryptoScreenIn(BaseModel):
    addresses: list[AddressQuery] = Field(max_length=10_000)


class CryptoResultOut(BaseModel):
    address: str
    status: str = Field(
        description="match, no_match, invalid or listed_invalid (an invalid address is never matched)"
    )
    validation: dict[str, Any]
    listings: list[dict[str, Any]]


class CryptoScreenOut(BaseModel):
    results: list[CryptoResultOut]


@router.post("/crypto/screen", response_model=CryptoScreenOut, summary="Screen digital currency addresses")
async def crypto_screen(body: CryptoScreenIn, context: Context, principal: Viewer) -> CryptoScreenOut:
    """Validate each address for its chain (checksums where the chain has one) and look it up
    among the designated addresses of the current lists, with the holder and its references."""

    def screen() -> CryptoScreenOut:
        index = context.service.address_index()
        return CryptoScreenOut(
            results=[
                CryptoResultOut.model_validate(index.lookup(q.address, q.asset).to_dict())
                for q in body.addresses
            ]
        )

    return await context.run(screen)
