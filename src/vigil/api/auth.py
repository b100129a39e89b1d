"""API keys, roles and the per-key rate limit.

A request names its key as ``Authorization: Bearer <key>`` or ``X-API-Key: <key>``. Keys
live hashed in the store (:mod:`vigil.store.keys`) with one role; roles are ordered
``viewer < reviewer < admin`` and each endpoint asks for the least role it needs with
:func:`require`. Without a key, a request is anonymous: refused unless
``VIGIL_ALLOW_ANONYMOUS=viewer``, and even then never allowed to read alerts, customers
or the audit log. A key that is sent but not valid is refused, anonymous access or not.

Keys are never logged; the actor recorded for a request is the key's name.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request, Security
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from vigil.api.context import context_of
from vigil.api.errors import Forbidden, Unauthorized
from vigil.store.keys import ROLES, ApiKey, Role

__all__ = ["Admin", "KeyViewer", "Principal", "Reviewer", "Viewer", "require"]

_bearer = HTTPBearer(auto_error=False, description="An API key as a bearer token.")
_api_key = APIKeyHeader(name="X-API-Key", auto_error=False, description="An API key.")


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is asking: the key's name and role (``key_id`` None when anonymous)."""

    name: str
    role: Role
    key_id: int | None

    @property
    def anonymous(self) -> bool:
        return self.key_id is None


def _client(request: Request) -> str:
    return f"address:{request.client.host}" if request.client is not None else "address:unknown"


def require(role: Role, *, anonymous: bool = True) -> Callable[..., Awaitable[Principal]]:
    """A dependency admitting keys of ``role`` or above (and anonymous viewers if ``anonymous``)."""
    rank = ROLES.index(role)

    async def dependency(
        request: Request,
        bearer: HTTPAuthorizationCredentials | None = Security(_bearer),
        header: str | None = Security(_api_key),
    ) -> Principal:
        context = context_of(request)
        plain = header if header else (bearer.credentials if bearer is not None else None)
        if plain:
            presented: str = plain
            key: ApiKey | None = await context.run(lambda: context.store.identify_key(presented))
            if key is None:
                context.rate_limiter.check(_client(request))
                raise Unauthorized("the API key is not valid (unknown or revoked)")
            principal = Principal(name=key.name, role=key.role, key_id=key.id)
            context.rate_limiter.check(f"key:{key.id}")
        else:
            context.rate_limiter.check(_client(request))
            allowed = context.settings.allow_anonymous
            if allowed is None:
                raise Unauthorized("an API key is required (Authorization: Bearer <key> or X-API-Key)")
            if not anonymous:
                raise Unauthorized("an API key is required for this endpoint")
            principal = Principal(name="anonymous", role=allowed, key_id=None)  # type: ignore[arg-type]
        request.state.principal = principal
        if ROLES.index(principal.role) < rank:
            raise Forbidden(f"this needs the {role} role; the key has {principal.role}")
        return principal

    return dependency


#: Anyone allowed to read the lists and screen names (anonymous viewers too, when enabled).
Viewer = Annotated[Principal, Depends(require("viewer"))]
#: A viewer with a key: may read alerts, customers and the audit log.
KeyViewer = Annotated[Principal, Depends(require("viewer", anonymous=False))]
#: May decide alerts, maintain the allowlist and the customer base.
Reviewer = Annotated[Principal, Depends(require("reviewer", anonymous=False))]
#: May update the lists.
Admin = Annotated[Principal, Depends(require("admin", anonymous=False))]
