"""Per-query and per-pair records of the matcher: plain slotted classes, cheap in the millions."""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["AlignedToken", "Explanation", "Hit", "PreparedName", "Query"]


@dataclass(slots=True, kw_only=True)
class Query:
    """What is screened: a name plus optional evidence.

    ``schema`` is ``Person``, ``Organization`` (any legal entity), ``Vessel`` or None (any).
    ``dob`` is an ISO prefix (``1964``, ``1964-07-17``). ``country`` an ISO alpha-2 code or a
    country name. ``identifiers`` are values of any kind (IMO, passport, BIC, crypto address);
    an identifier equal to a listed one is decisive.
    """

    name: str
    schema: str | None = None
    dob: str | None = None
    country: str | None = None
    gender: str | None = None
    identifiers: list[str] = field(default_factory=list)
    id: str | None = None


@dataclass(slots=True)
class PreparedName:
    """A name made ready for comparison, once (listed names at index build, queries per call).

    ``tokens``: Latin tokens (any script transliterated, marks folded, titles dropped).
    ``core``: tokens without legal forms (organisations); equal to ``tokens`` for people.
    ``korean``: candidate syllable-key sequences per token (empty when a token is not Korean).
    ``acronyms``: acronyms the name carries (in parentheses, or formed by its initials).
    """

    text: str
    script: str
    tokens: tuple[str, ...]
    core: tuple[str, ...]
    legal: tuple[str, ...]
    korean: tuple[tuple[tuple[str, ...], ...], ...]
    acronyms: tuple[str, ...]
    joined: str

    @property
    def is_korean(self) -> bool:
        return bool(self.korean) and all(len(options) > 0 for options in self.korean)


@dataclass(slots=True)
class AlignedToken:
    """One query token (or syllable) aligned with one listed token, and why they were said to meet."""

    query: str
    listed: str
    similarity: float
    rule: str


@dataclass(slots=True)
class Explanation:
    """Why a listed name scored what it did: aligned tokens, named features, the rules applied."""

    method: str
    name_score: float
    aligned: list[AlignedToken] = field(default_factory=list)
    unmatched_query: list[str] = field(default_factory=list)
    unmatched_listed: list[str] = field(default_factory=list)
    features: dict[str, float] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def text(self) -> str:
        """A sentence a reviewer can read."""
        parts = [f"{self.method}: name {self.name_score:.2f}"]
        if self.aligned:
            parts.append(
                "aligned "
                + ", ".join(f"{a.query}↔{a.listed} ({a.similarity:.2f}, {a.rule})" for a in self.aligned)
            )
        if self.unmatched_query:
            parts.append("query only: " + " ".join(self.unmatched_query))
        if self.unmatched_listed:
            parts.append("listed only: " + " ".join(self.unmatched_listed))
        for key, value in self.features.items():
            if key != "name":
                parts.append(f"{key} {value:+.2f}")
        parts.extend(self.notes)
        return "; ".join(parts)


@dataclass(slots=True)
class Hit:
    """One listed party that a query met: its best name, score and explanation.

    ``refs`` are the authorities' reference numbers of the party and of every record of the
    same party on other lists (``un:KPi.033``, ``ofac:12345``, ``uk:DPR0001``).
    """

    party_id: str
    score: float
    matched_name: str
    schema: str
    explanation: Explanation
    refs: list[str] = field(default_factory=list)
    group: str | None = None
    party_ids: list[str] = field(default_factory=list)
