"""The request and response bodies of the API: pydantic lives here, at the edge, and nowhere else.

The ``/match`` shapes follow yente's (OpenSanctions' screening API): a client written for
yente can screen against Vigil.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

__all__ = [
    "AlertOut",
    "AlertPage",
    "AllowIn",
    "AllowOut",
    "AuditPage",
    "AuditRecordOut",
    "AuditVerifyOut",
    "CustomerIn",
    "CustomerOut",
    "CustomerPage",
    "CustomerUpsertOut",
    "DeletedOut",
    "DiffChangeOut",
    "DiffOut",
    "DispositionIn",
    "DispositionOut",
    "EntityExample",
    "EntityOut",
    "ErrorOut",
    "HealthOut",
    "IdentifierOut",
    "ImportOut",
    "ListOut",
    "MatchRequest",
    "MatchResponse",
    "MatchResult",
    "NameOut",
    "QueryResponse",
    "RelationOut",
    "RescreenOut",
    "RevokeIn",
    "SearchResponse",
    "Total",
    "UpdateIn",
    "UpdateOut",
    "VersionInfoOut",
    "VersionOut",
]

#: Queries in one /match request.
MAX_QUERIES = 1000


class _Model(BaseModel):
    model_config = ConfigDict(populate_by_name=True, from_attributes=True)


class ErrorOut(_Model):
    """Every error response: the error class and a message."""

    error: str = Field(examples=["NotFoundError"])
    detail: str


# ---------------------------------------------------------------------- matching


def _as_list(value: Any) -> Any:
    return [value] if isinstance(value, str) else value


Values = Annotated[list[str], BeforeValidator(_as_list)]


class EntityExample(_Model):
    """An entity to screen, as yente takes it: a FollowTheMoney schema and property values.

    Used: ``name`` (or ``firstName``/``middleName``/``lastName``), ``alias``, ``birthDate``,
    ``nationality``, ``country``, ``gender`` and identifiers (``idNumber``,
    ``passportNumber``, ``imoNumber``, ``registrationNumber``, ``taxNumber``, ``swiftBic``,
    ``leiCode``, ``mmsi``, ``innCode``, ``ogrnCode``, ``publicKey``).
    """

    schema_: str = Field("LegalEntity", alias="schema", examples=["Person"])
    properties: dict[str, Values] = Field(default_factory=dict, examples=[{"name": ["Ri Won Ho"]}])


class MatchRequest(_Model):
    queries: dict[str, EntityExample] = Field(max_length=MAX_QUERIES)


class MatchResult(_Model):
    """One listed party (with its records on other lists) that met a query."""

    id: str = Field(examples=["un_sc:KPi.033"])
    caption: str
    schema_: str = Field(alias="schema")
    properties: dict[str, list[str]]
    datasets: list[str]
    referents: list[str] = Field(description="Ids of the other lists' records of the same party.")
    refs: list[str] = Field(description="The authorities' reference numbers (un:KPi.033, ofac:12345).")
    score: float
    match: bool = Field(description="Whether the score reaches the threshold.")
    features: dict[str, float]
    explanation: str
    matched_name: str


class Total(_Model):
    value: int
    relation: Literal["eq"] = "eq"


class QueryResponse(_Model):
    status: int = 200
    results: list[MatchResult]
    total: Total
    query: EntityExample


class MatchResponse(_Model):
    responses: dict[str, QueryResponse]
    limit: int


class SearchResponse(_Model):
    results: list[MatchResult]
    total: Total
    query: dict[str, str | None]


# ---------------------------------------------------------------------- entities


class NameOut(_Model):
    name: str
    kind: str
    script: str | None
    quality: str | None
    party_id: str


class IdentifierOut(_Model):
    kind: str
    value: str
    type_text: str | None = None
    country: str | None = None
    party_id: str


class RelationOut(_Model):
    kind: str
    target: str | None
    target_ref: str | None
    target_name: str | None
    text: str | None
    party_id: str


class EntityOut(_Model):
    """A listed party with every record of its cross-list group."""

    id: str
    caption: str
    schema_: str = Field(alias="schema")
    group_id: str | None
    current: bool = Field(description="Whether the party is in a current list version.")
    datasets: list[str]
    refs: list[str]
    names: list[NameOut]
    identifiers: list[IdentifierOut]
    relations: list[RelationOut]
    records: list[dict[str, Any]] = Field(description="Every record of the group, in full.")


# ---------------------------------------------------------------------- lists


class VersionOut(_Model):
    id: int
    source: str
    published: str | None
    fetched_at: str
    imported_at: str
    origin: str
    content_hash: str
    counts: dict[str, int]
    party_count: int


class ListOut(_Model):
    source: str
    title: str | None
    authority: str | None
    current: VersionOut
    versions: int


class DiffChangeOut(_Model):
    party_id: str
    caption: str
    fields: list[str]


class DiffOut(_Model):
    source: str
    old: VersionOut | None
    new: VersionOut
    summary: dict[str, int]
    added: list[DiffChangeOut]
    removed: list[DiffChangeOut]
    changed: list[DiffChangeOut]


class UpdateIn(_Model):
    sources: list[str] | None = Field(None, description="Source keys; default: the bundled lists.")


class ImportOut(_Model):
    source: str
    version: VersionOut
    created: bool
    seconds: float
    warnings: list[str]


class RescreenOut(_Model):
    run_id: int | None
    customers: int
    groups_screened: int
    alerts_created: list[int]
    alerts_updated: list[int]
    alerts_delisted: list[int] = Field(default_factory=list)
    allow_revoked: list[int] = Field(default_factory=list)
    seconds: float


class UpdateOut(_Model):
    imports: list[ImportOut]
    rescreen: RescreenOut | None


# ---------------------------------------------------------------------- alerts


class DispositionOut(_Model):
    id: int
    alert_id: int
    decision: str
    reason: str
    reviewer: str
    created_at: str


class AlertOut(_Model):
    id: int
    run_id: int
    customer_id: str | None
    query: dict[str, Any]
    party_id: str
    group_id: str
    score: float
    explanation: dict[str, Any]
    list_versions: dict[str, int]
    kind: str
    status: str
    status_reason: str | None
    created_at: str
    updated_at: str
    row_version: int = Field(description="Pass it back as expected_row_version when deciding.")
    dispositions: list[DispositionOut]


class AlertPage(_Model):
    total: int
    limit: int
    offset: int
    alerts: list[AlertOut]


class DispositionIn(_Model):
    decision: Literal["true_match", "false_positive", "escalate", "confirm", "reject"]
    reason: str = Field(min_length=1, max_length=10_000)
    expected_row_version: int


# ---------------------------------------------------------------------- allowlist


class AllowOut(_Model):
    id: int
    customer_id: str
    group_id: str
    party_hash: str
    reason: str
    created_by: str
    created_at: str
    expires_at: str | None
    revoked_at: str | None
    revoked_reason: str | None


class AllowIn(_Model):
    customer_id: str = Field(min_length=1)
    group_id: str = Field(min_length=1, examples=["un:KPi.033"])
    reason: str = Field(min_length=1, max_length=10_000)
    expires_at: datetime | None = None


class RevokeIn(_Model):
    reason: str = Field(min_length=1, max_length=10_000)


# ---------------------------------------------------------------------- customers


class CustomerIn(_Model):
    id: str = Field(min_length=1, max_length=200)
    name: str = Field(min_length=1, max_length=1000)
    schema_: str | None = Field(None, alias="schema", examples=["Person"])
    dob: str | None = None
    country: str | None = None
    identifiers: list[str] = Field(default_factory=list)
    data: dict[str, Any] = Field(default_factory=dict)


class CustomerOut(CustomerIn):
    updated_at: str | None


class CustomerPage(_Model):
    limit: int
    offset: int
    customers: list[CustomerOut]


class CustomerUpsertOut(_Model):
    added: int
    updated: int
    unchanged: int
    screened: int
    run_id: int | None
    alerts_created: list[int]
    alerts_updated: list[int]


class DeletedOut(_Model):
    deleted: int


# ---------------------------------------------------------------------- audit and system


class AuditRecordOut(_Model):
    seq: int
    at: str
    actor: str
    action: str
    subject: str
    payload: dict[str, Any]
    prev_hash: str
    hash: str


class AuditPage(_Model):
    records: list[AuditRecordOut]
    next_since_seq: int | None = Field(description="Pass as since_seq for the next page; null at the end.")


class AuditVerifyOut(_Model):
    ok: bool
    records: int
    first_bad_seq: int | None
    problem: str | None
    head_seq: int | None
    head_hash: str | None


class HealthOut(_Model):
    status: Literal["ok"] = "ok"


class VersionInfoOut(_Model):
    vigil: str
    algorithms: list[str]
    default_algorithm: str
    lists: dict[str, int]
    four_eyes: bool
