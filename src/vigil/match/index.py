"""The candidate index over every name of every listed party.

Each distinct listed name (per kind: person, organisation, vessel, aircraft) is prepared once
and described by sparse features — Latin tokens, Korean syllable keys and their bigrams,
acronyms, and character trigrams of the name written without spaces — weighted by inverse
document frequency and normalised. A batch of queries is matched against all names in one
sparse matrix product; the best few per query go on to the scorer. Identifiers (IMO, passport,
BIC, crypto address ...) are looked up exactly in a dictionary.
"""

from __future__ import annotations

import itertools
import logging
import math
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy import sparse

from vigil.match.compare import korean_sequences
from vigil.match.evidence import PartyEvidence, identifier_keys, party_evidence
from vigil.match.prepare import prepare_name, schema_class
from vigil.match.types import PreparedName
from vigil.model import Party
from vigil.model.groups import group_parties

__all__ = ["IndexedParty", "MatchIndex", "name_features"]

log = logging.getLogger(__name__)

#: Query features shared by more than this share of listed names are not looked up.
MAX_QUERY_DF = 0.02
#: Aliases the authority itself grades as weak or low quality count a little less.
WEAK_ALIAS_FACTOR = 0.95


@dataclass(slots=True)
class IndexedParty:
    """What the matcher keeps of a listed party."""

    id: str
    schema: str
    kind: str
    primary_name: str
    refs: list[str]
    group: str
    evidence: PartyEvidence


@dataclass(slots=True)
class _NameEntry:
    prepared: PreparedName
    kind: str
    parties: list[tuple[int, float]] = field(default_factory=list)  # (party index, quality factor)


def name_features(name: PreparedName, *, query: bool = False) -> dict[str, float]:
    """The sparse features of a prepared name (before IDF weighting).

    A listed name offers its acronyms (in parentheses, or its initials); a query looks them up
    only with a one-word name (KOMID, KMDT): a longer query's initials say nothing.
    """
    features: dict[str, float] = {}
    for token in name.tokens:
        features["t:" + token] = 1.0
        if len(token) >= 3:
            # The letters in order of the alphabet: a word with two letters swapped keeps its key.
            features["s:" + "".join(sorted(token))] = 0.5
    for token in name.core:
        features["t:" + token] = 1.0
    if not query:
        for acronym in name.acronyms:
            features["a:" + acronym] = 1.0
    if len(name.core) == 1 and 2 <= len(name.core[0]) <= 10:
        # A one-word name may be an acronym (KMDT): meet the acronyms of listed names.
        features["a:" + name.core[0]] = 1.0
    if name.korean:
        for options in name.korean:
            for seq in options[:2]:
                for syllable in seq:
                    features["k:" + syllable] = 1.0
        # Syllable pairs across the whole name (word boundaries ignored): rarer than syllables.
        for _rotated, flat in korean_sequences(name, rotate=False)[:4]:
            for a, b in itertools.pairwise(flat):
                features[f"kb:{a}|{b}"] = 1.0
    joined = "".join(name.core) if name.core else name.joined
    padded = f"^{joined}$"
    for i in range(len(padded) - 2):
        features["g:" + padded[i : i + 3]] = 0.5
    return features


class MatchIndex:
    """Candidate retrieval and party data for the scorer. Build with :meth:`build`."""

    def __init__(
        self,
        parties: list[IndexedParty],
        names: list[_NameEntry],
        vocabulary: dict[str, int],
        idf: np.ndarray,
        matrix: sparse.csr_matrix,
        identifiers: dict[str, list[int]],
        token_df: dict[str, int],
        build_seconds: float,
        common: np.ndarray | None = None,
    ) -> None:
        self.parties = parties
        self.names = names
        self.vocabulary = vocabulary
        self.idf = idf
        self.matrix = matrix
        self.matrix_t = matrix.T.tocsr()
        self.identifiers = identifiers
        self.token_df = token_df
        self.build_seconds = build_seconds
        self.common = np.zeros(len(vocabulary), dtype=bool) if common is None else common
        self._name_kinds = np.array([_KIND_CODES[entry.kind] for entry in names], dtype=np.int8)
        total = max(len(names), 1)
        self._token_weights = {t: 1.0 + math.log(total / (1 + df)) for t, df in token_df.items()}
        self._max_weight = 1.0 + math.log(total)

    @property
    def name_count(self) -> int:
        return len(self.names)

    def token_weight(self, token: str) -> float:
        """Rarer tokens weigh more (1 + log(N / (1 + df))); unseen tokens weigh most."""
        return self._token_weights.get(token, self._max_weight)

    @classmethod
    def build(cls, parties: Iterable[Party]) -> MatchIndex:
        """Index every name and identifier of ``parties`` (normally the current version of every list)."""
        started = time.perf_counter()
        party_list = list(parties)
        groups = group_parties(party_list)
        group_refs: dict[str, list[str]] = {}
        for party in party_list:
            refs = group_refs.setdefault(groups.get(party.id, party.id), [])
            for ref in party.authority_refs:
                if ref not in refs:
                    refs.append(ref)
        indexed: list[IndexedParty] = []
        entries: dict[tuple[str, str], _NameEntry] = {}
        identifiers: dict[str, list[int]] = {}
        for number, party in enumerate(party_list):
            kind = schema_class(party.schema)
            group = groups.get(party.id, party.id)
            indexed.append(
                IndexedParty(
                    id=party.id,
                    schema=party.schema,
                    kind=kind,
                    primary_name=party.primary_name,
                    refs=group_refs[group],
                    group=group,
                    evidence=party_evidence(party),
                )
            )
            for name in party.names:
                text = name.full.strip()
                if not text:
                    continue
                key = (text, kind)
                entry = entries.get(key)
                if entry is None:
                    entry = entries[key] = _NameEntry(prepare_name(text, kind), kind)
                factor = (
                    WEAK_ALIAS_FACTOR if name.quality in ("weak", "low") and name.kind != "primary" else 1.0
                )
                if not any(p == number for p, _ in entry.parties):
                    entry.parties.append((number, factor))
            for ident in party.identifiers:
                if ident.kind in ("email", "phone", "website"):
                    continue
                for value_key in identifier_keys(ident.value):
                    holders = identifiers.setdefault(value_key, [])
                    if number not in holders:
                        holders.append(number)
        names = list(entries.values())
        vocabulary: dict[str, int] = {}
        rows: list[int] = []
        cols: list[int] = []
        values: list[float] = []
        token_df: dict[str, int] = {}
        for row, entry in enumerate(names):
            for feature, value in name_features(entry.prepared).items():
                col = vocabulary.setdefault(feature, len(vocabulary))
                rows.append(row)
                cols.append(col)
                values.append(value)
            for token in set(entry.prepared.tokens) | set(entry.prepared.core):
                token_df[token] = token_df.get(token, 0) + 1
        matrix = sparse.csr_matrix(
            (np.array(values, dtype=np.float32), (np.array(rows), np.array(cols))),
            shape=(len(names), len(vocabulary)),
        )
        df = np.bincount(matrix.indices, minlength=len(vocabulary)).astype(np.float32)
        idf = np.log((1 + len(names)) / (1 + df)).astype(np.float32) + 1.0
        # Queries leave out features shared by more than MAX_QUERY_DF of the names ("kim", "^ko"):
        # they weigh little in the cosine but would touch thousands of names per query.
        common = df > max(MAX_QUERY_DF * len(names), 50)
        matrix = _normalize_rows(matrix.multiply(idf[np.newaxis, :]).tocsr())
        seconds = time.perf_counter() - started
        log.info(
            "match index built",
            extra={"parties": len(indexed), "names": len(names), "seconds": round(seconds, 2)},
        )
        return cls(indexed, names, vocabulary, idf, matrix, identifiers, token_df, seconds, common)

    def query_matrix(self, prepared: Sequence[PreparedName]) -> sparse.csr_matrix:
        rows: list[int] = []
        cols: list[int] = []
        values: list[float] = []
        for row, name in enumerate(prepared):
            for feature, value in name_features(name, query=True).items():
                col = self.vocabulary.get(feature)
                if col is not None and not self.common[col]:
                    rows.append(row)
                    cols.append(col)
                    values.append(value * float(self.idf[col]))
        matrix = sparse.csr_matrix(
            (
                np.array(values, dtype=np.float32),
                (np.array(rows, dtype=np.int64), np.array(cols, dtype=np.int64)),
            ),
            shape=(len(prepared), len(self.vocabulary)),
        )
        return _normalize_rows(matrix)

    def candidates(
        self, prepared: Sequence[PreparedName], kinds: Sequence[str | None], limit: int
    ) -> list[list[tuple[int, float]]]:
        """For each query, up to ``limit`` (name index, retrieval score) pairs, best first.

        ``kinds`` restricts each query to listed names of one kind (None: any kind).
        """
        if not prepared:
            return []
        scores = (self.query_matrix(prepared) @ self.matrix_t).tocsr()
        out: list[list[tuple[int, float]]] = []
        for row, kind in enumerate(kinds):
            start, end = scores.indptr[row], scores.indptr[row + 1]
            cols = scores.indices[start:end]
            data = scores.data[start:end]
            if kind is not None:
                keep = self._name_kinds[cols] == _KIND_CODES[kind]
                cols, data = cols[keep], data[keep]
            if len(data) > limit:
                top = np.argpartition(-data, limit - 1)[:limit]
                cols, data = cols[top], data[top]
            order = np.argsort(-data, kind="stable")
            out.append([(int(cols[i]), float(data[i])) for i in order])
        return out


_KIND_CODES = {"person": 0, "org": 1, "vessel": 2, "aircraft": 3, "any": 4}


def _normalize_rows(matrix: sparse.csr_matrix) -> sparse.csr_matrix:
    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return sparse.csr_matrix(sparse.diags(1.0 / norms) @ matrix)
