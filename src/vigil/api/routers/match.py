"""Screening: yente-compatible ``POST /match/{dataset}`` and ``GET /search`` (hits, no alerts)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter
from fastapi import Query as Param

from vigil.api.auth import Viewer
from vigil.api.context import ApiContext, Context
from vigil.api.models import (
    EntityExample,
    MatchRequest,
    MatchResponse,
    MatchResult,
    QueryResponse,
    SearchResponse,
    Total,
)
from vigil.errors import InputError
from vigil.match.engine import Matcher
from vigil.match.prepare import schema_class
from vigil.match.types import Hit, Query
from vigil.model.ftm import party_to_ftm

__all__ = ["IDENTIFIER_PROPERTIES", "router"]

router = APIRouter(tags=["screening"])

#: FollowTheMoney properties whose values are screened as identifiers.
IDENTIFIER_PROPERTIES = (
    "idNumber",
    "passportNumber",
    "imoNumber",
    "registrationNumber",
    "taxNumber",
    "swiftBic",
    "leiCode",
    "mmsi",
    "innCode",
    "ogrnCode",
    "publicKey",
    "vatCode",
    "callSign",
)
#: FollowTheMoney schemata screened as a kind of party; any other legal entity is "any kind".
_SCHEMA = {"Person": "Person", "Vessel": "Vessel", "Airplane": "Airplane"}
_ORG_SCHEMATA = frozenset({"Organization", "Company", "PublicBody"})
#: Scores kept below the threshold, so that a reviewer sees near misses (as yente's cutoff).
DEFAULT_CUTOFF = 0.5

Limit = Annotated[int, Param(ge=1, le=500, description="Results per query.")]
Threshold = Annotated[
    float | None,
    Param(ge=0.0, le=1.0, description="Score at which a result is a match; default: per kind of party."),
]
Cutoff = Annotated[float, Param(ge=0.0, le=1.0, description="Results scoring below this are left out.")]
Algorithm = Annotated[
    str | None, Param(description="A name-matching algorithm of vigil.match.algorithms; default vigil-v1.")
]


def _first(values: list[str]) -> str | None:
    return next((v.strip() for v in values if v and v.strip()), None)


def queries_of(example: EntityExample) -> list[Query]:
    """One matcher query per name of a yente entity example (all sharing its evidence)."""
    props = example.properties
    names = [n.strip() for n in props.get("name", []) + props.get("alias", []) if n and n.strip()]
    if not names:
        parts = [_first(props.get(key, [])) for key in ("firstName", "middleName", "lastName")]
        joined = " ".join(p for p in parts if p)
        if joined:
            names = [joined]
    identifiers = [v.strip() for key in IDENTIFIER_PROPERTIES for v in props.get(key, []) if v and v.strip()]
    if not names and not identifiers:
        raise InputError("a query needs a name (name, alias or firstName/lastName) or an identifier")
    schema = _SCHEMA.get(example.schema_) or ("Organization" if example.schema_ in _ORG_SCHEMATA else None)
    evidence: dict[str, Any] = {
        "schema": schema,
        "dob": _first(props.get("birthDate", [])),
        "country": _first(
            props.get("nationality", []) + props.get("citizenship", []) + props.get("country", [])
        ),
        "gender": _first(props.get("gender", [])),
    }
    return [Query(name=name, identifiers=list(identifiers), **evidence) for name in names or [""]]


def best_hits(matcher: Matcher, queries: list[Query], *, limit: int, floor: float | None) -> list[Hit]:
    """The hits of every query, one per listed group (its best score), best first."""
    best: dict[str, Hit] = {}
    for hits in matcher.screen_batch(queries, limit=limit, threshold=floor):
        for hit in hits:
            key = hit.group or hit.party_id
            if key not in best or hit.score > best[key].score:
                best[key] = hit
    return sorted(best.values(), key=lambda h: (-h.score, h.party_id))[:limit]


def result_of(context: ApiContext, matcher: Matcher, hit: Hit, threshold: float | None) -> MatchResult:
    """A hit as yente shows a result; runs on the store thread."""
    party = context.store.party(hit.party_id)
    properties = party_to_ftm(party)[0]["properties"]
    properties.pop("notes", None)  # Vigil's round-trip notes, not for display
    members = hit.party_ids or [hit.party_id]
    limit = matcher.config.threshold(schema_class(hit.schema)) if threshold is None else threshold
    return MatchResult(
        id=hit.party_id,
        caption=party.primary_name,
        schema=hit.schema,
        properties=properties,
        datasets=sorted({pid.split(":", 1)[0] for pid in members}),
        referents=[pid for pid in members if pid != hit.party_id],
        refs=list(hit.refs),
        score=round(hit.score, 6),
        match=hit.score >= limit,
        features={k: round(v, 6) for k, v in hit.explanation.features.items()},
        explanation=hit.explanation.text(),
        matched_name=hit.matched_name,
    )


def _floor(threshold: float | None, cutoff: float) -> float:
    return cutoff if threshold is None else min(cutoff, threshold)


@router.post("/match/{dataset}", response_model=MatchResponse, summary="Screen entities (yente-compatible)")
async def match(
    dataset: str,
    body: MatchRequest,
    context: Context,
    principal: Viewer,
    limit: Limit = 5,
    threshold: Threshold = None,
    cutoff: Cutoff = DEFAULT_CUTOFF,
    algorithm: Algorithm = None,
) -> MatchResponse:
    """Screen each query against ``dataset``: ``default`` (every loaded list) or one list's source key.

    Each result says whether it is a ``match`` (score at or above ``threshold``) and why
    (``features``, ``explanation``). Nothing is recorded and no alert is raised.
    """
    parsed = {key: queries_of(example) for key, example in body.queries.items()}

    def screen() -> MatchResponse:
        matcher = context.matcher(dataset, algorithm)
        responses = {}
        for key, queries in parsed.items():
            hits = best_hits(matcher, queries, limit=limit, floor=_floor(threshold, cutoff))
            results = [result_of(context, matcher, hit, threshold) for hit in hits]
            responses[key] = QueryResponse(
                results=results, total=Total(value=len(results)), query=body.queries[key]
            )
        return MatchResponse(responses=responses, limit=limit)

    return await context.run(screen)


@router.get("/search", response_model=SearchResponse, summary="Search the lists by name")
async def search(
    context: Context,
    principal: Viewer,
    q: Annotated[str, Param(min_length=1, max_length=500, description="A name, in any script.")],
    schema: Annotated[str | None, Param(description="Person, Organization, Vessel or Airplane.")] = None,
    limit: Limit = 10,
    threshold: Threshold = None,
    algorithm: Algorithm = None,
) -> SearchResponse:
    """The listed parties whose names meet ``q`` at the threshold, best first; nothing is recorded."""
    example = EntityExample(schema=schema or "LegalEntity", properties={"name": [q]})
    queries = queries_of(example)

    def run() -> SearchResponse:
        matcher = context.matcher("default", algorithm)
        hits = best_hits(matcher, queries, limit=limit, floor=threshold)
        results = [result_of(context, matcher, hit, threshold) for hit in hits]
        return SearchResponse(
            results=results, total=Total(value=len(results)), query={"q": q, "schema": schema}
        )

    return await context.run(run)
