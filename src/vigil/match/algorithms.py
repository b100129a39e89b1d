"""The registry of name-comparison algorithms, looked up by name (API ``?algorithm=``, CLI ``--algorithm``).

- ``vigil-v1``: Korean syllable keys, aligned tokens, acronyms, typo tolerance (:mod:`vigil.match.compare`).
- ``rapidfuzz``: plain whole-name edit similarity of the normalised names, order-insensitive; the
  field's common baseline, kept to measure what the rest adds.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from rapidfuzz import fuzz

from vigil.errors import InputError
from vigil.match.compare import compare_names
from vigil.match.types import AlignedToken, Explanation, PreparedName

__all__ = ["ALGORITHMS", "DEFAULT_ALGORITHM", "NameScorer", "get_algorithm"]


class NameScorer(Protocol):
    """Compare a prepared query name with a prepared listed name of ``kind``.

    ``weight`` gives a token's weight (rarer tokens weigh more); a scorer may report a pair that
    cannot reach ``floor`` as 0 without computing it in full.
    """

    def __call__(
        self,
        query: PreparedName,
        listed: PreparedName,
        kind: str,
        weight: Callable[[str], float] | None = None,
        floor: float = 0.0,
    ) -> Explanation: ...


def compare_rapidfuzz(
    query: PreparedName,
    listed: PreparedName,
    kind: str,
    weight: Callable[[str], float] | None = None,
    floor: float = 0.0,
) -> Explanation:
    a, b = " ".join(query.tokens), " ".join(listed.tokens)
    score = fuzz.token_sort_ratio(a, b) / 100.0
    return Explanation(
        method="rapidfuzz-token-sort",
        name_score=score,
        aligned=[AlignedToken(a, b, score, "token-sorted edit similarity")],
    )


ALGORITHMS: dict[str, NameScorer] = {
    "vigil-v1": compare_names,
    "rapidfuzz": compare_rapidfuzz,
}
DEFAULT_ALGORITHM = "vigil-v1"


def get_algorithm(name: str) -> NameScorer:
    """The scorer registered as ``name``; InputError listing the known names otherwise."""
    scorer = ALGORITHMS.get(name)
    if scorer is None:
        raise InputError(f"unknown matching algorithm {name!r}; known: {', '.join(sorted(ALGORITHMS))}")
    return scorer
