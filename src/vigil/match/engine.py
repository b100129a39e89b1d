"""Screening names against the index: retrieve candidates, score them, weigh the evidence, explain.

    matcher = Matcher.from_parties(store.current_parties())
    hits = matcher.screen(Query(name="Kim Jong-un", schema="Person", dob="1984-01-08"))

A hit is one listed party (with the references of every authority that lists it), its score in
[0, 1], the listed name that met the query, and the explanation of the score. Thresholds are per
kind of party; the defaults below were chosen on the labelled sets in ``benchmarks/sets`` (see
docs/matching.md), not guessed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from vigil.match.algorithms import DEFAULT_ALGORITHM, get_algorithm
from vigil.match.evidence import (
    COUNTRY_MATCH,
    DOB_EXACT,
    country_feature,
    dob_feature,
    gender_feature,
    identifier_keys,
)
from vigil.match.index import MatchIndex
from vigil.match.prepare import prepare_name, schema_class
from vigil.match.types import Explanation, Hit, PreparedName, Query
from vigil.model import Party

__all__ = ["DEFAULT_CANDIDATES", "DEFAULT_THRESHOLDS", "MatchConfig", "Matcher"]

#: Alert thresholds per kind of listed party.
DEFAULT_THRESHOLDS: dict[str, float] = {"person": 0.80, "org": 0.85, "vessel": 0.85, "aircraft": 0.85}
#: Listed names retrieved per query; of these, those whose retrieval score is at least
#: RETRIEVAL_RATIO of the best (and at least RETRIEVAL_FLOOR) are scored in full. On the labelled
#: sets every true hit retrieves at >= 0.57 of the best and >= 0.22 absolute, within the first 9.
DEFAULT_CANDIDATES = 12
RETRIEVAL_RATIO = 0.5
RETRIEVAL_FLOOR = 0.15


@dataclass(frozen=True, kw_only=True)
class MatchConfig:
    algorithm: str = DEFAULT_ALGORITHM
    thresholds: tuple[tuple[str, float], ...] = tuple(DEFAULT_THRESHOLDS.items())
    candidates: int = DEFAULT_CANDIDATES

    def threshold(self, kind: str) -> float:
        return dict(self.thresholds).get(kind, 0.85)


class Matcher:
    """Screens queries against a :class:`MatchIndex` with one algorithm and one set of thresholds."""

    def __init__(self, index: MatchIndex, config: MatchConfig | None = None) -> None:
        self.index = index
        self.config = config or MatchConfig()
        self._scorer = get_algorithm(self.config.algorithm)

    @classmethod
    def from_parties(cls, parties: Iterable[Party], config: MatchConfig | None = None) -> Matcher:
        return cls(MatchIndex.build(parties), config)

    def screen(self, query: Query, *, limit: int = 10, threshold: float | None = None) -> list[Hit]:
        """Hits for one query at or above the threshold (the per-kind default if None), best first."""
        return self.screen_batch([query], limit=limit, threshold=threshold)[0]

    def screen_batch(
        self, queries: Sequence[Query], *, limit: int = 10, threshold: float | None = None
    ) -> list[list[Hit]]:
        """Hits for each query; one sparse retrieval for the whole batch."""
        kinds = [schema_class(q.schema) for q in queries]
        prepared = [prepare_name(q.name or "", kind) for q, kind in zip(queries, kinds, strict=True)]
        candidates = self.index.candidates(
            prepared, [None if k == "any" else k for k in kinds], self.config.candidates
        )
        return [
            self._score_query(query, prep, cands, limit, threshold)
            for query, prep, cands in zip(queries, prepared, candidates, strict=True)
        ]

    def compare(self, name: str, listed: str, schema: str | None = None) -> Explanation:
        """Score one pair of names (no evidence), as the engine would."""
        kind = schema_class(schema)
        listed_kind = "person" if kind == "any" else kind
        return self._scorer(
            prepare_name(name, kind), prepare_name(listed, listed_kind), listed_kind, self.index.token_weight
        )

    def _score_query(
        self,
        query: Query,
        prepared: PreparedName,
        candidates: list[tuple[int, float]],
        limit: int,
        threshold: float | None,
    ) -> list[Hit]:
        best: dict[int, Hit] = {}
        for ident in query.identifiers:
            for key in identifier_keys(ident):
                for number in self.index.identifiers.get(key, []):
                    party = self.index.parties[number]
                    explanation = Explanation(
                        method="identifier", name_score=1.0, features={"identifier": 1.0}
                    )
                    explanation.notes.append(f"identifier {ident} is listed for this party")
                    best[number] = Hit(
                        party_id=party.id,
                        score=1.0,
                        matched_name=party.primary_name,
                        schema=party.schema,
                        explanation=explanation,
                        refs=list(party.refs),
                        group=party.group,
                    )
        retrieval_floor = max(RETRIEVAL_FLOOR, candidates[0][1] * RETRIEVAL_RATIO) if candidates else 1.0
        bonus = (DOB_EXACT if query.dob else 0.0) + (COUNTRY_MATCH if query.country else 0.0)
        for name_number, retrieval in candidates:
            if retrieval < retrieval_floor:
                break
            entry = self.index.names[name_number]
            # A name must reach the threshold less what this query's evidence can add (an equal
            # date of birth, an equal country) to matter; the scorer may skip the rest.
            needed = (self.config.threshold(entry.kind) if threshold is None else threshold) - bonus
            explanation = self._scorer(
                prepared, entry.prepared, entry.kind, self.index.token_weight, max(needed, 0.0)
            )
            if explanation.name_score <= 0.0:
                continue
            for party_number, factor in entry.parties:
                party = self.index.parties[party_number]
                features = {"name": explanation.name_score}
                score = explanation.name_score
                if factor != 1.0:
                    features["weak alias"] = score * factor - score
                    score *= factor
                for feature in (
                    dob_feature(query.dob, party.evidence) if party.kind == "person" else None,
                    country_feature(query.country, party.evidence),
                    gender_feature(query.gender, party.evidence) if party.kind == "person" else None,
                ):
                    if feature is not None:
                        features[feature[0]] = feature[1]
                        score += feature[1]
                score = min(max(score, 0.0), 1.0)
                current = best.get(party_number)
                if current is not None and current.score >= score:
                    continue
                hit_explanation = Explanation(
                    method=explanation.method,
                    name_score=explanation.name_score,
                    aligned=explanation.aligned,
                    unmatched_query=explanation.unmatched_query,
                    unmatched_listed=explanation.unmatched_listed,
                    features=features,
                    notes=explanation.notes,
                )
                best[party_number] = Hit(
                    party_id=party.id,
                    score=score,
                    matched_name=entry.prepared.text,
                    schema=party.schema,
                    explanation=hit_explanation,
                    refs=list(party.refs),
                    group=party.group,
                )
        # One hit per cross-list group: the best-scoring record, with every member's id.
        by_group: dict[str, Hit] = {}
        members: dict[str, list[str]] = {}
        for number, hit in best.items():
            kind = self.index.parties[number].kind
            floor = self.config.threshold(kind) if threshold is None else threshold
            if hit.score < floor:
                continue
            group = hit.group or hit.party_id
            members.setdefault(group, []).append(hit.party_id)
            current = by_group.get(group)
            if current is None or (hit.score, hit.party_id.startswith("un_sc:")) > (
                current.score,
                current.party_id.startswith("un_sc:"),
            ):
                by_group[group] = hit
        # Equal scores: the UN's designation first (Vigil implements UN sanctions), then by id.
        hits = sorted(
            by_group.values(),
            key=lambda h: (-h.score, not any(r.startswith("un:") for r in h.refs), h.party_id),
        )
        hits = hits[:limit]
        for hit in hits:
            hit.party_ids = sorted(members[hit.group or hit.party_id])
        return hits
