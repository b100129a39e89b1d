"""A plain reference implementation of the ``vigil-v1`` name score, to test the fast one against.

:func:`vigil.match.compare.compare_names` is written for speed: rapidfuzz for edit distances, a
dynamic programme for the Korean syllable alignment, a vectorised similarity matrix, early exits.
This module computes the same number the slow and obvious way, so that a property test can say
the two agree on any pair of names. It shares the preparation of names (:func:`prepare_name`)
and the constants of the algorithm with the fast path, and nothing else. Do not use it to screen.

The score of a query name against a listed name of a kind (``person``, ``org``, ``vessel``,
``aircraft``, ``any``) is the largest of these, each in [0, 1]:

1. **Korean syllables** (people and vessels, when both names read as Korean). Each name is a
   set of candidate syllable-key sequences: the product of its tokens' readings, at most
   ``_MAX_COMBINATIONS`` combinations per token order. The query is also read with its last
   token moved first and with its first token moved last (family name written last or first).
   For one query sequence ``q`` and one listed sequence ``c``, an *alignment* is a set of pairs
   ``(i, j)`` with ``q[i] == c[j]``, increasing in both ``i`` and ``j``. Listed syllable ``j``
   weighs ``SURNAME_WEIGHT`` if it is the first of a person's name of two syllables or more, else
   1; with ``M`` the weight of the matched listed syllables, ``U`` the number of unmatched query
   syllables and ``L`` the weight of all listed syllables, the alignment scores
   ``2M / (M + U + L)``. The Korean score is the best over every pair of sequences and every
   alignment. When this path applies, it replaces step 2.
2. **Latin tokens** (otherwise). Organisations (and ``any``) compare core tokens (legal forms
   apart); other kinds compare all tokens. Tokens are paired one-to-one, greedily: take the
   most similar unused pair (ties: lowest query index, then lowest listed index) while its
   similarity is at least ``MIN_TOKEN_SIMILARITY``. Similarity is the Indel similarity
   ``1 - indel(a, b) / (len(a) + len(b))``, raised to 1 when it is in [0.5, 1) and both tokens
   (2 letters or more) share one of their two best Korean readings (Taebong/Daebong), otherwise
   times ``FIRST_LETTER_FACTOR`` when it is below 1 and the first letters differ. With token
   weights ``w`` (default ``min(len, 8)``), a pair contributes ``sim * (w(a) + w(b)) / 2`` and the
   score is ``2 * contributions / (sum of all weights of both names)``.

   For organisations the words in ``_ORG_LIGHT_WORDS`` (korea, workers, party, and ...) weigh
   ``_LIGHT_WEIGHT`` whatever ``w`` says. Then the best of:

   - for organisations, the same over all tokens (legal forms and parentheses included), a
     word of either name that is neither in its core nor one of its acronyms weighing
     ``_LIGHT_WEIGHT``;
   - when the names have different numbers of tokens, the Indel similarity of the names written
     without spaces, the query also rotated as in step 1;
   - for organisations whose query is one token of 2 letters or more that is an acronym of the
     listed name: ``ACRONYM_INITIALS_SCORE`` when the acronym is only the listed name's initials
     (0 if it is shorter than 3 letters), else ``ACRONYM_SCORE``.

3. **One typing error.** If the score so far is below 1 and the listed name written without
   spaces has 6 letters or more: take the first of the query's rotations (as in step 1) written
   without spaces whose optimal-string-alignment distance to it is exactly 1. Its Indel
   similarity is a candidate score, times ``INITIAL_TYPO_FACTOR`` when it may be another name:
   the listed name is Korean (person or vessel), the first differing letter starts a listed word,
   and the query word holding that letter reads as Korean syllables (Jong/Tong).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from itertools import product
from typing import TypeVar

from vigil.match.compare import (
    _LIGHT_WEIGHT,
    _MAX_COMBINATIONS,
    _ORG_LIGHT_WORDS,
    ACRONYM_INITIALS_SCORE,
    ACRONYM_SCORE,
    FIRST_LETTER_FACTOR,
    INITIAL_TYPO_FACTOR,
    MIN_TOKEN_SIMILARITY,
    SURNAME_WEIGHT,
)
from vigil.match.prepare import prepare_name
from vigil.match.types import PreparedName
from vigil.names.korean import korean_token_keys

__all__ = [
    "indel_distance",
    "indel_similarity",
    "levenshtein_distance",
    "osa_distance",
    "reference_compare",
    "reference_compare_prepared",
]

Alignment = list[tuple[int, int]]
T = TypeVar("T")


# --------------------------------------------------------------------------------------------------
# Edit distances, by the textbook


def _lcs_length(a: str, b: str) -> int:
    """Length of the longest common subsequence."""
    table = [[0] * (len(b) + 1) for _ in range(len(a) + 1)]
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            if a[i - 1] == b[j - 1]:
                table[i][j] = table[i - 1][j - 1] + 1
            else:
                table[i][j] = max(table[i - 1][j], table[i][j - 1])
    return table[len(a)][len(b)]


def indel_distance(a: str, b: str) -> int:
    """Insertions and deletions needed to turn ``a`` into ``b``."""
    return len(a) + len(b) - 2 * _lcs_length(a, b)


def indel_similarity(a: str, b: str) -> float:
    """``1 - indel(a, b) / (len(a) + len(b))``; 1.0 for two empty strings."""
    total = len(a) + len(b)
    if total == 0:
        return 1.0
    return 1.0 - indel_distance(a, b) / total


def levenshtein_distance(a: str, b: str) -> int:
    """Insertions, deletions and substitutions needed to turn ``a`` into ``b``."""
    previous = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        current = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
        previous = current
    return previous[len(b)]


def osa_distance(a: str, b: str) -> int:
    """Optimal string alignment: Levenshtein plus swaps of two neighbours (no substring edited twice)."""
    d = [[0] * (len(b) + 1) for _ in range(len(a) + 1)]
    for i in range(len(a) + 1):
        d[i][0] = i
    for j in range(len(b) + 1):
        d[0][j] = j
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
    return d[len(a)][len(b)]


# --------------------------------------------------------------------------------------------------
# Word orders


def _rotations(words: Sequence[T]) -> list[tuple[T, ...]]:
    """The words as written, with the last moved first, and with the first moved last."""
    items = tuple(words)
    if len(items) < 2:
        return [items]
    return [items, (items[-1], *items[:-1]), (*items[1:], items[0])]


# --------------------------------------------------------------------------------------------------
# 1. Korean syllables


def _syllable_sequences(
    korean: tuple[tuple[tuple[str, ...], ...], ...], rotate: bool
) -> set[tuple[str, ...]]:
    """Every candidate syllable sequence of a name: readings of its tokens, in each token order."""
    positions = tuple(range(len(korean)))
    orders = _rotations(positions) if rotate else [positions]
    sequences: set[tuple[str, ...]] = set()
    for order in orders:
        readings = list(product(*(korean[i] for i in order)))
        for combination in readings[:_MAX_COMBINATIONS]:
            sequences.add(tuple(syllable for token in combination for syllable in token))
    return sequences


def _alignments(q: Sequence[str], c: Sequence[str], i: int = 0, j: int = 0) -> Iterator[Alignment]:
    """Every order-preserving alignment of equal syllables of ``q[i:]`` and ``c[j:]`` (the empty one too)."""
    yield []
    for a in range(i, len(q)):
        for b in range(j, len(c)):
            if q[a] == c[b]:
                for rest in _alignments(q, c, a + 1, b + 1):
                    yield [(a, b), *rest]


def _alignment_value(q: Sequence[str], c: Sequence[str], pairs: Alignment, person: bool) -> float:
    weights = [
        SURNAME_WEIGHT if person and position == 0 and len(c) >= 2 else 1.0 for position in range(len(c))
    ]
    matched = sum(weights[j] for _, j in pairs)
    unmatched_query = len(q) - len(pairs)
    total = matched + unmatched_query + sum(weights)
    return 2 * matched / total if total else 0.0


def _korean_score(query: PreparedName, listed: PreparedName, person: bool) -> float:
    best = 0.0
    for q in _syllable_sequences(query.korean, rotate=True):
        for c in _syllable_sequences(listed.korean, rotate=False):
            for pairs in _alignments(q, c):
                best = max(best, _alignment_value(q, c, pairs, person))
    return best


# --------------------------------------------------------------------------------------------------
# 2. Latin tokens


def _plain_weight(token: str) -> float:
    return float(min(len(token), 8))


def _korean_readings(token: str) -> set[tuple[str, ...]]:
    """The token's two best readings as Korean syllables (none for a single letter)."""
    if len(token) < 2:
        return set()
    readings = korean_token_keys(token)[:2]
    return {r for r in readings if r and not any(s.startswith("=") for s in r)}


_SOUND_GROUPS = ("kg", "td", "pbf", "cj", "s", "rl", "n", "m", "h", "aeiouyw")


def _same_sound_group(a: str, b: str) -> bool:
    """Whether two words start with letters that may spell one Korean sound (t/d, k/g, ...);
    r, n and a vowel only between words of six letters or more (Rungrado/Nungrado, not Rice/Nice)."""
    group_a = next((g for g in _SOUND_GROUPS if a[:1] and a[0] in g), None)
    group_b = next((g for g in _SOUND_GROUPS if b[:1] and b[0] in g), None)
    if group_a == group_b:
        return True
    initial_sounds = {"rl", "n", "aeiouyw"}
    return group_a in initial_sounds and group_b in initial_sounds and min(len(a), len(b)) >= 6


def _token_similarity(a: str, b: str) -> float:
    similarity = indel_similarity(a, b)
    if 0.5 <= similarity < 1.0 and _same_sound_group(a, b) and _korean_readings(a) & _korean_readings(b):
        return 1.0  # two spellings of one Korean word
    if similarity < 1.0 and a[:1] != b[:1]:
        return similarity * FIRST_LETTER_FACTOR  # spelling variants keep their first letter
    return similarity


def _token_alignment_score(
    query: Sequence[str], listed: Sequence[str], weight: Callable[[str], float]
) -> float:
    if not query or not listed:
        return 0.0
    table = {(i, j): _token_similarity(a, b) for i, a in enumerate(query) for j, b in enumerate(listed)}
    matched = 0.0
    while table:
        # The most similar remaining pair; among equals, the lowest query index, then listed index.
        (i, j), similarity = min(table.items(), key=lambda item: (-item[1], item[0]))
        if similarity < MIN_TOKEN_SIMILARITY:
            break
        matched += similarity * (weight(query[i]) + weight(listed[j])) / 2
        table = {(a, b): s for (a, b), s in table.items() if a != i and b != j}
    total = sum(weight(t) for t in query) + sum(weight(t) for t in listed)
    return 2 * matched / total if total else 0.0


def _acronym_score(query: PreparedName, listed: PreparedName) -> float:
    words = query.core
    if len(words) != 1 or len(words[0]) < 2 or words[0] not in listed.acronyms:
        return 0.0
    acronym = words[0]
    # The initials are always the last acronym of a name of two core words or more.
    only_initials = (
        len(listed.core) >= 2 and listed.acronyms[-1] == acronym and acronym not in listed.acronyms[:-1]
    )
    if not only_initials:
        return ACRONYM_SCORE
    return ACRONYM_INITIALS_SCORE if len(acronym) >= 3 else 0.0


def _latin_score(
    query: PreparedName, listed: PreparedName, org: bool, weight: Callable[[str], float]
) -> float:
    if org:
        # Words that say little in an organisation's name (Korea, Workers' Party, joining words).
        base = weight

        def weight(token: str) -> float:
            return _LIGHT_WEIGHT if token in _ORG_LIGHT_WORDS else base(token)

    q_words = query.core if org else query.tokens
    c_words = listed.core if org else listed.tokens
    candidates = [_token_alignment_score(q_words, c_words, weight)]
    if org:
        # All words; those neither in the core nor acronyms (legal forms) weigh little.
        legal = {t for name in (query, listed) for t in name.tokens if t not in name.core + name.acronyms}
        core_weight = weight

        def full_weight(token: str) -> float:
            return _LIGHT_WEIGHT if token in legal else core_weight(token)

        candidates.append(_token_alignment_score(query.tokens, listed.tokens, full_weight))
    if len(q_words) != len(c_words) and q_words and c_words:
        for rotation in _rotations(q_words):
            candidates.append(indel_similarity("".join(rotation), "".join(c_words)))
    if org:
        candidates.append(_acronym_score(query, listed))
    return max(candidates)


# --------------------------------------------------------------------------------------------------
# 3. One typing error


def _word_at(words: Sequence[str], position: int) -> str:
    """The word of ``words`` that holds letter ``position`` of the words written without spaces."""
    for word in words:
        if position < len(word):
            return word
        position -= len(word)
    return words[-1] if words else ""


def _typo_score(query: PreparedName, listed: PreparedName, korean: bool) -> float:
    target = "".join(listed.tokens)
    if len(target) < 6:
        return 0.0
    word_starts = {sum(len(t) for t in listed.tokens[:k]) for k in range(len(listed.tokens))}
    for rotation in _rotations(query.tokens):
        text = "".join(rotation)
        if osa_distance(text, target) != 1:
            continue
        first_difference = next(
            (k for k, (x, y) in enumerate(zip(text, target, strict=False)) if x != y),
            min(len(text), len(target)),
        )
        # In a Korean name, an error at the start of a listed word that leaves a query word still
        # readable as Korean may be another person's name (Jong/Tong).
        other_name = (
            korean
            and first_difference in word_starts
            and bool(_korean_readings(_word_at(rotation, first_difference)))
        )
        return indel_similarity(text, target) * (INITIAL_TYPO_FACTOR if other_name else 1.0)
    return 0.0


# --------------------------------------------------------------------------------------------------
# The score


def reference_compare_prepared(
    query: PreparedName, listed: PreparedName, kind: str, weight: Callable[[str], float] | None = None
) -> float:
    """The ``vigil-v1`` name score of two prepared names (see the module docstring)."""
    weight = weight or _plain_weight
    if kind in ("person", "vessel") and query.is_korean and listed.is_korean:
        score = _korean_score(query, listed, person=kind == "person")
    else:
        score = _latin_score(query, listed, org=kind in ("org", "any"), weight=weight)
    if score < 1.0:
        korean_name = kind in ("person", "vessel") and listed.is_korean
        score = max(score, _typo_score(query, listed, korean=korean_name))
    return score


def reference_compare(
    query_text: str, listed_text: str, kind: str, weight: Callable[[str], float] | None = None
) -> float:
    """The ``vigil-v1`` name score of ``query_text`` against ``listed_text``, both prepared as ``kind``."""
    return reference_compare_prepared(
        prepare_name(query_text, kind), prepare_name(listed_text, kind), kind, weight
    )
