"""The screening desk: a server-rendered web UI over the same store, service and key checks as the API.

``mount_ui(app)`` adds the pages under ``/ui`` and their static files under ``/ui/static``
(all served locally: no script, style or font comes from elsewhere). Every page works without
JavaScript; ``static/vigil.js`` only makes screening answer as you type and batch progress
update itself.

A user logs in once with an API key (``vigil keys add``); the session is a signed HttpOnly cookie
(:mod:`vigil.web.session`). Roles are the API's: viewers screen and read, reviewers decide
alerts. Every role check happens here on the server; a viewer's disposition form is shown
disabled and a posted one is refused (403).
"""

from __future__ import annotations

import asyncio
import csv
import json
import logging
import re
import secrets
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, FastAPI, File, Form, Request, UploadFile
from fastapi import Query as Param
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from vigil.api.auth import Principal
from vigil.api.context import ApiContext, context_of
from vigil.api.errors import Forbidden, RateLimited
from vigil.api.models import EntityExample
from vigil.api.routers.lists import UpdateResult, update_and_rescreen
from vigil.api.routers.match import best_hits, queries_of, result_of
from vigil.errors import InputError, NotFoundError, VigilError
from vigil.lists.fetch import DEFAULT_UPDATE_SOURCES
from vigil.model.party import Party
from vigil.screening.files import ColumnMapping
from vigil.sources.registry import get_source
from vigil.store.keys import ROLES, Role
from vigil.store.workflow import ALERT_STATUSES, Alert, AllowEntry
from vigil.web.session import COOKIE, MAX_AGE, SessionSigner, load_secret

__all__ = ["mount_ui"]

log = logging.getLogger(__name__)

_HERE = Path(__file__).parent
templates = Jinja2Templates(directory=str(_HERE / "templates" / "ui"))
router = APIRouter(prefix="/ui", include_in_schema=False)

_SCHEMAS = ("Person", "Organization", "Vessel", "Airplane")
_DECISIONS = {
    "open": ("true_match", "false_positive", "escalate"),
    "escalated": ("true_match", "false_positive"),
    "pending_confirmation": ("confirm", "reject"),
}
_DECISION_LABELS = {
    "true_match": "True match",
    "false_positive": "False positive",
    "escalate": "Escalate",
    "confirm": "Confirm the true match (second reviewer)",
    "reject": "Reject the true match (reopen)",
}


class LoginRequired(Exception):
    """No valid session: the browser is sent to the login page."""


# ---------------------------------------------------------------------- sessions


def _signer(request: Request) -> SessionSigner:
    signer: SessionSigner = request.app.state.vigil_ui_signer
    return signer


def _client(request: Request) -> str:
    return f"address:{request.client.host}" if request.client is not None else "address:unknown"


async def principal_of(request: Request) -> Principal:
    """The session's key as a :class:`Principal`, checked against the store on every request."""
    context = context_of(request)
    session = _signer(request).load(request.cookies.get(COOKIE))
    if session is None:
        raise LoginRequired()

    def load() -> Any:
        try:
            return context.store.get_key(session.key_id)
        except NotFoundError:
            return None

    key = await context.run(load)
    if key is None or key.revoked_at is not None:
        raise LoginRequired()
    context.rate_limiter.check(f"key:{key.id}")
    principal = Principal(name=key.name, role=key.role, key_id=key.id)
    request.state.principal = principal
    return principal


def _require(principal: Principal, role: Role) -> None:
    if ROLES.index(principal.role) < ROLES.index(role):
        raise Forbidden(f"this needs the {role} role; the key has {principal.role}")


async def _check_csrf(request: Request, token: str) -> None:
    if not _signer(request).check_csrf(request.cookies.get(COOKIE), token):
        raise Forbidden("the form is stale or did not come from this site; reload the page")


async def _form_principal(request: Request, csrf: str, role: Role) -> tuple[Principal, HTMLResponse | None]:
    """The signed-in principal of a form post, and the 403 page when its token or role is wrong."""
    principal = await principal_of(request)
    try:
        await _check_csrf(request, csrf)
        _require(principal, role)
    except Forbidden as exc:
        return principal, _page(request, "error.html", principal, status_code=403, message=str(exc))
    return principal, None


def _page(
    request: Request, name: str, principal: Principal | None, status_code: int = 200, **values: Any
) -> HTMLResponse:
    cookie = request.cookies.get(COOKIE)
    values.update(
        principal=principal,
        csrf=_signer(request).csrf(cookie) if cookie else "",
        can_review=principal is not None and ROLES.index(principal.role) >= ROLES.index("reviewer"),
        can_admin=principal is not None and ROLES.index(principal.role) >= ROLES.index("admin"),
        nav=name.split(".")[0],
    )
    response = templates.TemplateResponse(request, name, values, status_code=status_code)
    response.headers["Cache-Control"] = "no-store"
    return response


# ---------------------------------------------------------------------- login


@router.get("/login", response_class=HTMLResponse)
async def login_form(request: Request, next: str = "/ui/screen") -> HTMLResponse:
    return _page(request, "login.html", None, next=_safe_next(next), error=None)


def _safe_next(target: str) -> str:
    return target if target.startswith("/ui/") and not target.startswith("//") else "/ui/screen"


@router.post("/login", response_model=None)
async def login(
    request: Request, key: Annotated[str, Form()], next: Annotated[str, Form()] = "/ui/screen"
) -> Response:
    context = context_of(request)
    plain = key.strip()
    found = await context.run(lambda: context.store.identify_key(plain)) if plain else None
    if found is None:
        context.rate_limiter.check(_client(request))
        return _page(
            request,
            "login.html",
            None,
            status_code=401,
            next=_safe_next(next),
            error="That API key is not valid (unknown or revoked).",
        )
    response = RedirectResponse(_safe_next(next), status_code=303)
    response.set_cookie(
        COOKIE,
        _signer(request).sign(found.id),
        max_age=MAX_AGE,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
        path="/ui",
    )
    log.info("ui login", extra={"key": found.name, "role": found.role})
    return response


@router.post("/logout")
async def logout(request: Request, csrf: Annotated[str, Form()] = "") -> RedirectResponse:
    response = RedirectResponse("/ui/login", status_code=303)
    response.delete_cookie(COOKIE, path="/ui")
    return response


@router.get("", include_in_schema=False)
@router.get("/", include_in_schema=False)
async def home() -> RedirectResponse:
    return RedirectResponse("/ui/screen", status_code=303)


# ---------------------------------------------------------------------- screening


def _search(
    context: ApiContext, q: str, schema: str | None, dob: str | None, country: str | None, limit: int
) -> list[dict[str, Any]]:
    """Screen one name (with optional evidence) on the store thread: results as the API gives them."""
    props: dict[str, list[str]] = {"name": [q]}
    if dob:
        props["birthDate"] = [dob]
    if country:
        props["nationality"] = [country]
    example = EntityExample(schema=schema or "LegalEntity", properties=props)
    queries = queries_of(example)
    matcher = context.matcher("default")
    hits = best_hits(matcher, queries, limit=limit, floor=0.5)
    out = []
    for hit in hits:
        result = result_of(context, matcher, hit, None).model_dump(by_alias=True)
        out.append(
            {
                "id": result["id"],
                "caption": result["caption"],
                "schema": result["schema"],
                "score": result["score"],
                "match": result["match"],
                "datasets": result["datasets"],
                "refs": result["refs"],
                "matched_name": result["matched_name"],
                "explanation": result["explanation"],
            }
        )
    return out


def _clean(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None


@router.get("/screen", response_class=HTMLResponse)
async def screen_page(
    request: Request,
    q: Annotated[str, Param(max_length=500)] = "",
    schema: str = "",
    dob: Annotated[str, Param(max_length=10)] = "",
    country: Annotated[str, Param(max_length=60)] = "",
) -> HTMLResponse:
    principal = await principal_of(request)
    context = context_of(request)
    results: list[dict[str, Any]] = []
    error = None
    started = time.perf_counter()
    if q.strip():
        try:
            results = await context.run(
                _search, context, q.strip(), _clean(schema) if schema in _SCHEMAS else None,
                _clean(dob), _clean(country), 10,
            )  # fmt: skip
        except VigilError as exc:
            error = str(exc)
    return _page(
        request,
        "screen.html",
        principal,
        q=q,
        schema=schema,
        dob=dob,
        country=country,
        schemas=_SCHEMAS,
        results=results,
        error=error,
        ms=round((time.perf_counter() - started) * 1000),
    )


@router.get("/api/search")
async def search_json(
    request: Request,
    q: Annotated[str, Param(max_length=500)] = "",
    schema: str = "",
    dob: Annotated[str, Param(max_length=10)] = "",
    country: Annotated[str, Param(max_length=60)] = "",
) -> JSONResponse:
    """What the Screen page fetches as you type (same results as ``GET /search``)."""
    try:
        principal = await principal_of(request)
    except LoginRequired:
        return JSONResponse({"error": "Unauthorized", "detail": "log in again"}, status_code=401)
    del principal
    context = context_of(request)
    started = time.perf_counter()
    results: list[dict[str, Any]] = []
    if q.strip():
        results = await context.run(
            _search, context, q.strip(), schema if schema in _SCHEMAS else None,
            _clean(dob), _clean(country), 10,
        )  # fmt: skip
    return JSONResponse(
        {"q": q, "results": results, "ms": round((time.perf_counter() - started) * 1000)},
        headers={"Cache-Control": "no-store"},
    )


# ---------------------------------------------------------------------- parties


def _country(code: str) -> str:
    return code.upper() if len(code) == 2 else code


@router.get("/party/{party_id}", response_class=HTMLResponse)
async def party_page(request: Request, party_id: str) -> HTMLResponse:
    principal = await principal_of(request)
    context = context_of(request)

    def load() -> tuple[list[Party], bool]:
        store = context.store
        try:
            return store.group_of(party_id), True
        except NotFoundError:
            return [store.party(party_id)], False

    try:
        group, current = await context.run(load)
    except NotFoundError as exc:
        return _page(request, "error.html", principal, status_code=404, message=str(exc))
    group.sort(key=lambda p: (p.id != party_id, p.source))
    titles = {}
    for party in group:
        try:
            titles[party.source] = get_source(party.source).title
        except VigilError:
            titles[party.source] = party.source
    main = group[0]
    return _page(
        request,
        "party.html",
        principal,
        party=main,
        group=group,
        current=current,
        titles=titles,
        country=_country,
    )


# ---------------------------------------------------------------------- alerts


def _age(stamp: str) -> str:
    try:
        then = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    except ValueError:
        return ""
    delta = datetime.now(UTC) - (then if then.tzinfo else then.replace(tzinfo=UTC))
    if delta.days >= 1:
        return f"{delta.days} d"
    hours = delta.seconds // 3600
    return f"{hours} h" if hours else f"{max(delta.seconds // 60, 0)} min"


@router.get("/alerts", response_class=HTMLResponse)
async def alerts_page(
    request: Request,
    status: Annotated[list[str] | None, Param()] = None,
    min_score: str = "",
    older_than_days: str = "",
    page: Annotated[int, Param(ge=1)] = 1,
) -> HTMLResponse:
    principal = await principal_of(request)
    context = context_of(request)
    statuses = [s for s in (status or ["open", "pending_confirmation", "escalated"]) if s in ALERT_STATUSES]
    if status == ["all"]:
        statuses = []
    score = _float(min_score)
    days = _float(older_than_days)
    older = datetime.now(UTC) - timedelta(days=days) if days else None
    filters: dict[str, Any] = {"status": statuses or None, "min_score": score, "older_than": older}
    size = 50

    def load() -> tuple[list[Alert], int]:
        store = context.store
        return (
            store.list_alerts(**filters, limit=size, offset=(page - 1) * size),
            store.count_alerts(**filters),
        )

    alerts, total = await context.run(load)
    return _page(
        request,
        "alerts.html",
        principal,
        alerts=alerts,
        total=total,
        page=page,
        pages=max((total + size - 1) // size, 1),
        statuses=sorted(ALERT_STATUSES),
        chosen=statuses,
        min_score=min_score,
        older_than_days=older_than_days,
        age=_age,
    )


def _float(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if value >= 0 else None


async def _alert_view(
    request: Request,
    principal: Principal,
    alert_id: int,
    *,
    error: str | None = None,
    notice: str | None = None,
    allow_error: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    context = context_of(request)

    def load() -> tuple[Alert, Party | None, Any]:
        store = context.store
        alert = store.get_alert(alert_id)
        try:
            party: Party | None = store.party(alert.party_id)
        except NotFoundError:
            party = None
        customer = None
        if alert.customer_id:
            try:
                customer = store.get_customer(alert.customer_id, include_deleted=True)
            except NotFoundError:
                customer = None
        return alert, party, customer

    def allowed() -> list[AllowEntry]:
        if not alert.customer_id:
            return []
        return context.store.list_allow(customer_id=alert.customer_id, group_id=alert.group_id)

    try:
        alert, party, customer = await context.run(load)
        allow_entries = await context.run(allowed)
    except NotFoundError as exc:
        return _page(request, "error.html", principal, status_code=404, message=str(exc))
    return _page(
        request,
        "alert.html",
        principal,
        status_code=status_code,
        alert=alert,
        party=party,
        customer=customer,
        decisions=[(d, _DECISION_LABELS[d]) for d in _DECISIONS.get(alert.status, ())],
        four_eyes=context.settings.four_eyes,
        error=error,
        notice=notice,
        country=_country,
        allow_entries=allow_entries,
        can_allow=alert.status == "closed_false_positive" and bool(alert.customer_id),
        allow_default=(datetime.now(UTC).date() + timedelta(days=365)).isoformat(),
        allow_error=allow_error,
    )


@router.get("/alerts/{alert_id}", response_class=HTMLResponse)
async def alert_page(request: Request, alert_id: int) -> HTMLResponse:
    principal = await principal_of(request)
    return await _alert_view(request, principal, alert_id)


@router.post("/alerts/{alert_id}", response_model=None)
async def dispose(
    request: Request,
    alert_id: int,
    decision: Annotated[str, Form()] = "",
    reason: Annotated[str, Form(max_length=4000)] = "",
    row_version: Annotated[int, Form()] = 0,
    csrf: Annotated[str, Form()] = "",
) -> Response:
    principal, refused = await _form_principal(request, csrf, "reviewer")
    if refused is not None:
        return refused
    context = context_of(request)
    if decision not in _DECISION_LABELS:
        return await _alert_view(request, principal, alert_id, error="Choose a decision.", status_code=400)

    def run() -> Alert:
        return context.store.dispose(
            alert_id,
            decision,  # type: ignore[arg-type]
            reason,
            principal.name,
            expected_row_version=row_version,
            four_eyes=context.settings.four_eyes,
        )

    try:
        alert = await context.run(run)
    except VigilError as exc:
        if isinstance(exc, RateLimited):
            raise
        return await _alert_view(request, principal, alert_id, error=str(exc), status_code=exc.http_status)
    return RedirectResponse(f"/ui/alerts/{alert.id}?done={alert.status}", status_code=303)


@router.post("/alerts/{alert_id}/allow", response_model=None)
async def allow_from_alert(
    request: Request,
    alert_id: int,
    reason: Annotated[str, Form(max_length=4000)] = "",
    expires: Annotated[str, Form(max_length=10)] = "",
    csrf: Annotated[str, Form()] = "",
) -> Response:
    """Allowlist the alert's customer and listed group (reviewers; closed false positives only)."""
    principal, refused = await _form_principal(request, csrf, "reviewer")
    if refused is not None:
        return refused
    context = context_of(request)

    async def error(message: str, status_code: int = 400) -> HTMLResponse:
        return await _alert_view(request, principal, alert_id, allow_error=message, status_code=status_code)

    if not reason.strip():
        return await error("Give a reason for the allowlist entry.")
    try:
        until = date.fromisoformat(expires) if expires.strip() else None
    except ValueError:
        return await error(f"Not a date: {expires!r} (use YYYY-MM-DD).")
    if until is not None and until <= datetime.now(UTC).date():
        return await error("The expiry date must be in the future.")

    def run() -> AllowEntry:
        store = context.store
        alert = store.get_alert(alert_id)
        if alert.status != "closed_false_positive" or not alert.customer_id:
            raise InputError("only a customer's alert closed as a false positive can be allowlisted")
        hashes = store.group_hashes([alert.group_id])
        if alert.group_id not in hashes:
            raise NotFoundError(f"the listed group {alert.group_id!r} is not in the current lists")
        expires_at = datetime(until.year, until.month, until.day, 23, 59, 59, tzinfo=UTC) if until else None
        return store.add_allow(
            alert.customer_id,
            alert.group_id,
            hashes[alert.group_id],
            reason.strip(),
            principal.name,
            expires_at,
        )

    try:
        entry = await context.run(run)
    except VigilError as exc:
        if isinstance(exc, RateLimited):
            raise
        return await error(str(exc), exc.http_status)
    return RedirectResponse(f"/ui/alerts/{alert_id}?allowed={entry.id}", status_code=303)


@router.get("/allowlist", response_class=HTMLResponse)
async def allowlist_page(request: Request, all: bool = False) -> HTMLResponse:
    principal = await principal_of(request)
    return await _allowlist_view(request, principal, show_all=all)


async def _allowlist_view(
    request: Request,
    principal: Principal,
    *,
    show_all: bool = False,
    error: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    context = context_of(request)
    entries = await context.run(lambda: context.store.list_allow(valid_only=not show_all))
    return _page(
        request,
        "allowlist.html",
        principal,
        status_code=status_code,
        entries=entries,
        show_all=show_all,
        error=error,
    )


@router.post("/allowlist/{allow_id}/revoke", response_model=None)
async def revoke_allow(
    request: Request,
    allow_id: int,
    reason: Annotated[str, Form(max_length=4000)] = "",
    csrf: Annotated[str, Form()] = "",
) -> Response:
    """Revoke an allowlist entry with a reason (reviewers); the next screening alerts again."""
    principal, refused = await _form_principal(request, csrf, "reviewer")
    if refused is not None:
        return refused
    context = context_of(request)
    if not reason.strip():
        return await _allowlist_view(
            request, principal, error="Give a reason to revoke the entry.", status_code=400
        )
    try:
        await context.run(lambda: context.store.revoke_allow(allow_id, reason.strip(), actor=principal.name))
    except VigilError as exc:
        if isinstance(exc, RateLimited):
            raise
        return await _allowlist_view(request, principal, error=str(exc), status_code=exc.http_status)
    return RedirectResponse(f"/ui/allowlist?revoked={allow_id}", status_code=303)


# ---------------------------------------------------------------------- lists


def _lists(context: ApiContext) -> list[dict[str, Any]]:
    out = []
    for source in context.store.sources():
        try:
            title = get_source(source).title
        except VigilError:
            title = source
        out.append({"source": source, "title": title, "versions": context.store.versions(source)})
    return out


@router.get("/lists", response_class=HTMLResponse)
async def lists_page(request: Request) -> HTMLResponse:
    principal = await principal_of(request)
    context = context_of(request)

    return _page(request, "lists.html", principal, lists=await context.run(_lists, context), update=None)


@router.post("/lists/update", response_class=HTMLResponse)
async def lists_update(request: Request, csrf: Annotated[str, Form()] = "") -> HTMLResponse:
    """Download the loaded lists from their publishers, import new versions, re-screen (admins)."""
    principal, refused = await _form_principal(request, csrf, "admin")
    if refused is not None:
        return refused
    context = context_of(request)

    def run() -> tuple[UpdateResult, list[dict[str, Any]]]:
        loaded = [s for s in context.store.sources() if _known(s)]
        keys = loaded or list(DEFAULT_UPDATE_SOURCES)
        result = update_and_rescreen(context, keys, actor=principal.name)
        return result, _lists(context)

    result, lists = await context.run(run)
    rows = [
        {
            "source": o.source,
            "created": o.created,
            "version": o.version,
            "parties": sum(o.version.counts.values()),
            "warnings": o.warnings,
        }
        for o in result.outcomes
    ]
    error = None
    if result.failure is not None:
        error = f"{result.failure} — the previous version of that list is kept."
    log.info("ui lists update", extra={"actor": principal.name, "failed": error is not None})
    return _page(
        request,
        "lists.html",
        principal,
        status_code=result.failure.http_status if result.failure is not None else 200,
        lists=lists,
        update={"rows": rows, "rescreen": result.rescreen, "error": error},
    )


def _known(source: str) -> bool:
    try:
        get_source(source)
    except VigilError:
        return False
    return True


def _at(data: Any, path: str) -> Any:
    for part in re.findall(r"[^.\[\]]+|\[\d+\]", path):
        if part.startswith("["):
            index = int(part[1:-1])
            data = data[index] if isinstance(data, list) and index < len(data) else None
        else:
            data = data.get(part) if isinstance(data, dict) else None
    return data


def _show(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, indent=1)


@router.get("/lists/{source}/diff", response_class=HTMLResponse)
async def diff_page(
    request: Request, source: str, from_version: str = "", to_version: str = ""
) -> HTMLResponse:
    principal = await principal_of(request)
    context = context_of(request)
    old_id = int(from_version) if from_version.isdigit() else None
    new_id = int(to_version) if to_version.isdigit() else None

    def load() -> dict[str, Any]:
        store = context.store
        versions = store.versions(source)
        if not versions:
            raise NotFoundError(f"no list {source!r} is loaded")
        ids = [v.id for v in versions]
        for wanted in (old_id, new_id):
            if wanted is not None and wanted not in ids:
                raise NotFoundError(f"list {source!r} has no version {wanted}")
        new = ids[0] if new_id is None else new_id
        old = old_id if old_id is not None else next((i for i in ids if i < new), None)
        if old is None:
            return {"versions": versions, "diff": None, "old": None, "new": new}
        result = store.diff(old, new)
        changed = []
        for change in result.changed:
            before = change.before.to_dict() if change.before else {}
            after = change.after.to_dict() if change.after else {}
            changed.append(
                {
                    "party_id": change.party_id,
                    "caption": (change.after or change.before).primary_name,  # type: ignore[union-attr]
                    "fields": [
                        {"path": p, "before": _show(_at(before, p)), "after": _show(_at(after, p))}
                        for p in change.fields
                    ],
                }
            )
        return {"versions": versions, "diff": result, "changed": changed, "old": old, "new": new}

    try:
        data = await context.run(load)
    except NotFoundError as exc:
        return _page(request, "error.html", principal, status_code=404, message=str(exc))
    return _page(request, "diff.html", principal, source=source, **data)


# ---------------------------------------------------------------------- audit


@router.get("/audit", response_class=HTMLResponse)
async def audit_page(
    request: Request,
    action: str = "",
    actor: str = "",
    since_seq: Annotated[int, Param(ge=0)] = 0,
) -> HTMLResponse:
    principal = await principal_of(request)
    context = context_of(request)

    def load() -> tuple[Any, Any, list[Any]]:
        store = context.store
        report = store.audit_verify()
        head = store.audit_head()
        records = store.audit_records(since_seq, 200, action=_clean(action))
        return report, head, records

    report, head, records = await context.run(load)
    if actor.strip():
        records = [r for r in records if r.actor == actor.strip()]
    return _page(
        request,
        "audit.html",
        principal,
        report=report,
        head=head,
        records=records,
        action=action,
        actor=actor,
        since_seq=since_seq,
        next_seq=records[-1].seq if records else None,
    )


# ---------------------------------------------------------------------- batches


@dataclass
class BatchJob:
    """One uploaded file and its screening (state kept on disk as meta.json)."""

    token: str
    filename: str
    actor: str
    created_at: str
    columns: list[str] = field(default_factory=list)
    state: str = "uploaded"  # uploaded, running, done, failed
    total: int | None = None
    done: int = 0
    run_id: int | None = None
    rows_with_hits: int | None = None
    error: str | None = None

    def save(self, folder: Path) -> None:
        (folder / "meta.json").write_text(json.dumps(self.__dict__, ensure_ascii=False))


def _batch_root(context: ApiContext) -> Path:
    root = context.settings.home / "ui-batches"
    root.mkdir(parents=True, exist_ok=True)
    return root


def _load_job(context: ApiContext, token: str) -> tuple[BatchJob, Path]:
    if not re.fullmatch(r"[A-Za-z0-9_-]{8,64}", token):
        raise NotFoundError(f"no batch {token!r}")
    folder = _batch_root(context) / token
    try:
        data = json.loads((folder / "meta.json").read_text())
    except (FileNotFoundError, ValueError) as exc:
        raise NotFoundError(f"no batch {token!r}") from exc
    return BatchJob(**data), folder


def _jobs(request: Request) -> dict[str, BatchJob]:
    jobs: dict[str, BatchJob] = request.app.state.vigil_ui_jobs
    return jobs


_SUFFIXES = (".csv", ".xlsx", ".parquet", ".jsonl")


def _columns(path: Path) -> tuple[list[str], int | None]:
    """The header row's columns and the number of data rows, when cheaply known."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        raw = path.read_bytes()
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = raw.decode("cp1252", errors="replace")
        lines = text.splitlines()
        if not lines:
            return [], 0
        try:
            dialect: Any = csv.Sniffer().sniff(lines[0], delimiters=",;\t|")
        except csv.Error:
            dialect = csv.excel
        header = next(csv.reader([lines[0]], dialect))
        return [h.strip() for h in header if h.strip()], sum(1 for line in lines[1:] if line.strip())
    if suffix == ".xlsx":
        import openpyxl

        book = openpyxl.load_workbook(path, read_only=True)
        sheet = book.worksheets[0]
        cells: list[str] = []
        for row in sheet.iter_rows(max_row=1, values_only=True):
            cells = [str(c).strip() for c in row if c is not None and str(c).strip()]
        total = max((sheet.max_row or 1) - 1, 0)
        book.close()
        return cells, total
    return [], None


@router.get("/batch", response_class=HTMLResponse)
async def batch_page(request: Request) -> HTMLResponse:
    principal = await principal_of(request)
    context = context_of(request)
    root = _batch_root(context)
    past = []
    for meta in root.glob("*/meta.json"):
        try:
            past.append(BatchJob(**json.loads(meta.read_text())))
        except (ValueError, TypeError):
            continue
    for job in past:
        live = _jobs(request).get(job.token)
        if live is not None:
            job.state, job.done = live.state, live.done
    past.sort(key=lambda j: j.created_at, reverse=True)
    return _page(request, "batch.html", principal, past=past, job=None, error=None)


@router.post("/batch", response_model=None)
async def batch_upload(
    request: Request, file: Annotated[UploadFile, File()], csrf: Annotated[str, Form()] = ""
) -> Response:
    principal = await principal_of(request)
    await _check_csrf(request, csrf)
    context = context_of(request)
    filename = Path(file.filename or "upload.csv").name
    suffix = Path(filename).suffix.lower()
    if suffix not in _SUFFIXES:
        return _page(
            request,
            "batch.html",
            principal,
            status_code=400,
            past=[],
            job=None,
            error=f"Upload a CSV, XLSX, Parquet or JSON-lines file (not {suffix or 'no extension'}).",
        )
    token = secrets.token_urlsafe(12)
    folder = _batch_root(context) / token
    folder.mkdir()
    path = folder / f"input{suffix}"
    with path.open("wb") as out:
        while chunk := await file.read(1 << 20):
            out.write(chunk)
    columns, total = await asyncio.to_thread(_columns, path)
    job = BatchJob(
        token=token,
        filename=filename,
        actor=principal.name,
        created_at=datetime.now(UTC).isoformat(timespec="seconds"),
        columns=columns,
        total=total,
    )
    job.save(folder)
    return RedirectResponse(f"/ui/batch/{token}", status_code=303)


def _guess(columns: list[str], *names: str) -> str:
    for column in columns:
        if column.lower().replace(" ", "_") in names:
            return column
    return ""


@router.get("/batch/{token}", response_class=HTMLResponse)
async def batch_job_page(request: Request, token: str) -> HTMLResponse:
    principal = await principal_of(request)
    context = context_of(request)
    try:
        job, _ = _load_job(context, token)
    except NotFoundError as exc:
        return _page(request, "error.html", principal, status_code=404, message=str(exc))
    live = _jobs(request).get(token)
    if live is not None:
        job = live
    guesses = {
        "name_column": _guess(job.columns, "name", "full_name", "customer_name", "nom", "nama"),
        "id_column": _guess(job.columns, "id", "customer_id", "ref", "reference"),
        "type_column": _guess(job.columns, "type", "schema", "kind"),
        "dob_column": _guess(job.columns, "dob", "birth_date", "date_of_birth", "birthdate"),
        "country_column": _guess(job.columns, "country", "nationality"),
        "imo_column": _guess(job.columns, "imo", "imo_number"),
    }
    return _page(request, "batch_job.html", principal, job=job, guesses=guesses, error=None)


@router.post("/batch/{token}/start", response_model=None)
async def batch_start(
    request: Request,
    token: str,
    name_column: Annotated[str, Form()],
    id_column: Annotated[str, Form()] = "",
    type_column: Annotated[str, Form()] = "",
    dob_column: Annotated[str, Form()] = "",
    country_column: Annotated[str, Form()] = "",
    imo_column: Annotated[str, Form()] = "",
    csrf: Annotated[str, Form()] = "",
) -> Response:
    principal = await principal_of(request)
    await _check_csrf(request, csrf)
    context = context_of(request)
    job, folder = _load_job(context, token)
    if job.state in ("running", "done") or token in _jobs(request):
        return RedirectResponse(f"/ui/batch/{token}", status_code=303)
    mapping = ColumnMapping(
        name_column=name_column.strip() or "name",
        id_column=_clean(id_column),
        type_column=_clean(type_column),
        dob_column=_clean(dob_column),
        country_column=_clean(country_column),
        imo_column=_clean(imo_column),
    )
    source = next(folder.glob("input.*"))
    output = folder / "results.csv"
    job.state = "running"
    job.error = None
    job.save(folder)
    _jobs(request)[token] = job

    def progress(rows: int) -> None:
        job.done += rows

    def run() -> None:
        summary = context.service.screen_file(
            source, output, mapping, actor=f"{principal.name} (ui)", progress=progress
        )
        job.run_id = summary.run_id
        job.rows_with_hits = summary.rows_with_hits
        job.done = summary.rows
        job.total = summary.rows

    async def work() -> None:
        try:
            await context.run(run)
            job.state = "done"
        except Exception as exc:  # reported on the page; the job is kept for the record
            job.state = "failed"
            job.error = str(exc) if isinstance(exc, VigilError) else f"{type(exc).__name__}: {exc}"
            log.warning("ui batch failed", extra={"batch": token, "error": job.error})
        finally:
            job.save(folder)
            _jobs(request).pop(token, None)

    tasks: set[asyncio.Task[None]] = request.app.state.vigil_ui_tasks
    task = asyncio.create_task(work())
    tasks.add(task)
    task.add_done_callback(tasks.discard)
    return RedirectResponse(f"/ui/batch/{token}", status_code=303)


@router.get("/batch/{token}/status")
async def batch_status(request: Request, token: str) -> JSONResponse:
    try:
        await principal_of(request)
    except LoginRequired:
        return JSONResponse({"error": "Unauthorized", "detail": "log in again"}, status_code=401)
    context = context_of(request)
    job = _jobs(request).get(token)
    if job is None:
        job, _ = _load_job(context, token)
    return JSONResponse(
        {
            "state": job.state,
            "done": job.done,
            "total": job.total,
            "rows_with_hits": job.rows_with_hits,
            "error": job.error,
        },
        headers={"Cache-Control": "no-store"},
    )


@router.get("/batch/{token}/results.csv", response_model=None)
async def batch_download(request: Request, token: str) -> Response:
    await principal_of(request)
    context = context_of(request)
    job, folder = _load_job(context, token)
    path = folder / "results.csv"
    if job.state != "done" or not path.exists():
        raise NotFoundError(f"batch {token!r} has no results yet")
    stem = Path(job.filename).stem or "batch"
    return FileResponse(path, media_type="text/csv", filename=f"{stem}-results.csv")


# ---------------------------------------------------------------------- mounting


async def _login_required(request: Request, exc: Exception) -> Response:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"/ui/login?next={_safe_next(target)}", status_code=303)


def mount_ui(app: FastAPI) -> None:
    """Add the web UI (``/ui``) and its static files (``/ui/static``) to the API app."""
    context: ApiContext = app.state.vigil
    app.state.vigil_ui_signer = SessionSigner(load_secret(context.settings.home))
    app.state.vigil_ui_jobs = {}
    app.state.vigil_ui_tasks = set()
    app.add_exception_handler(LoginRequired, _login_required)

    @app.middleware("http")
    async def html_errors(request: Request, call_next: Any) -> Response:
        response: Response = await call_next(request)
        if request.url.path.startswith("/ui"):
            response.headers.setdefault(
                "Content-Security-Policy",
                "default-src 'self'; img-src 'self' data:; object-src 'none'; frame-ancestors 'none'; "
                "base-uri 'none'; form-action 'self'",
            )
            response.headers.setdefault("X-Content-Type-Options", "nosniff")
            response.headers.setdefault("Referrer-Policy", "same-origin")
        return response

    app.include_router(router)
    app.include_router(__import__("vigil.web.network_ui", fromlist=["router"]).router)
    app.include_router(__import__("vigil.web.monitor_ui", fromlist=["router"]).router)
    app.include_router(__import__("vigil.web.vessels_ui", fromlist=["router"]).router)
    app.mount("/ui/static", StaticFiles(directory=str(_HERE / "static")), name="ui-static")
