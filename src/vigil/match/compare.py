"""Comparing two prepared names: the named features of the ``vigil-v1`` algorithm.

Two paths, and the explanation says which one decided:

- **Korean syllables.** When both names read as Korean (every token splits into Korean
  syllables), they are compared as sequences of syllable keys: every romanization of one Hangul
  syllable has one key, so ``Jong``/``Jung``/``Chong``/``Jeong``/``정`` meet, and so do
  ``Ri``/``Lee``/``Yi``/``리``/``이``. A syllable meets only its own key: a different syllable is a
  different name (``KIM JONG UN`` is not ``KIM JONG SU``). The family name weighs half a given-name
  syllable, because a shared surname says little. The given name may be split, joined or
  hyphenated, and the family name may come first or last.
- **Latin tokens.** Otherwise tokens are aligned one-to-one by edit similarity, each weighted
  by how rare it is among listed names; the names joined without spaces are compared too, so
  split and joined spellings meet. Organisations compare their core words (legal forms apart,
  Korea/DPRK/Choson folded) and meet an acronym given in parentheses or formed by initials.

Names one typing error apart (one insertion, deletion, substitution or swap of neighbouring
letters, in a name of 6 letters or more) meet whatever the path; an error at the first letter of
a word weighs less, since there it usually makes another name (Jong/Tong).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import lru_cache
from itertools import islice, product

import numpy as np
from rapidfuzz.distance import OSA, Indel, Levenshtein
from rapidfuzz.process import cdist

from vigil.match.types import AlignedToken, Explanation, PreparedName
from vigil.names.korean import korean_token_keys

__all__ = [
    "ACRONYM_INITIALS_SCORE",
    "ACRONYM_SCORE",
    "MIN_TOKEN_SIMILARITY",
    "SURNAME_WEIGHT",
    "compare_names",
    "korean_sequences",
]

SURNAME_WEIGHT = 0.5
MIN_TOKEN_SIMILARITY = 0.70
ACRONYM_SCORE = 0.92
ACRONYM_INITIALS_SCORE = 0.85
#: A typing error at the first letter of a Korean word that makes another syllable may as well
#: be another name (Jong/Tong): it alerts only with supporting evidence (an equal date of birth).
INITIAL_TYPO_FACTOR = 0.85
FIRST_LETTER_FACTOR = 0.85
#: Readings combined per token order: a query tries 3 orders, a listed name only its own.
_MAX_COMBINATIONS = 6
_MAX_LISTED_COMBINATIONS = 4

TokenWeight = Callable[[str], float]


def _default_weight(token: str) -> float:
    return float(min(len(token), 8))


@lru_cache(maxsize=262_144)
def _sequences(
    korean: tuple[tuple[tuple[str, ...], ...], ...], rotate: bool
) -> tuple[tuple[bool, tuple[str, ...]], ...]:
    orders = [list(range(len(korean)))]
    if rotate and len(korean) >= 2:
        n = len(korean)
        orders.append([n - 1, *range(n - 1)])  # family name written last
        orders.append([*range(1, n), 0])
    out: dict[tuple[str, ...], bool] = {}
    for number, order in enumerate(orders):
        options = [korean[i] for i in order]
        for combo in islice(product(*options), _MAX_COMBINATIONS if rotate else _MAX_LISTED_COMBINATIONS):
            flat = tuple(s for token in combo for s in token)
            out.setdefault(flat, number > 0)
    return tuple((rotated, flat) for flat, rotated in out.items())


def korean_sequences(name: PreparedName, rotate: bool) -> tuple[tuple[bool, tuple[str, ...]], ...]:
    """Candidate syllable-key sequences of a Korean name, each with whether it reorders the tokens."""
    return _sequences(name.korean, rotate)


def _listed_weights(listed: Sequence[str], person: bool) -> list[float]:
    return [SURNAME_WEIGHT if (person and i == 0 and len(listed) >= 2) else 1.0 for i in range(len(listed))]


def _alignment_score(matched: float, unmatched_query: int, listed_total: float) -> float:
    # A matched syllable weighs what its listed position weighs on both sides (so a surname
    # counts half wherever the query put it); an unmatched query syllable weighs 1.
    total = matched + unmatched_query + listed_total
    return 2 * matched / total if total else 0.0


def _align_syllables(
    q: tuple[str, ...], c: tuple[str, ...], person: bool
) -> tuple[float, list[tuple[int, int]]]:
    """Best order-preserving alignment of equal syllable keys (a weighted longest common subsequence)."""
    wc = _listed_weights(c, person)
    n, m = len(q), len(c)
    # table[i][j] = (matched weight, matched count) of the best alignment of q[i:], c[j:].
    table = [[(0.0, 0)] * (m + 1) for _ in range(n + 1)]
    for i in range(n - 1, -1, -1):
        for j in range(m - 1, -1, -1):
            best = max(table[i + 1][j], table[i][j + 1])
            if q[i] == c[j]:
                weight, count = table[i + 1][j + 1]
                best = max(best, (weight + wc[j], count + 1))
            table[i][j] = best
    pairs: list[tuple[int, int]] = []
    i = j = 0
    while i < n and j < m:
        weight, count = table[i + 1][j + 1]
        if q[i] == c[j] and table[i][j] == (weight + wc[j], count + 1):
            pairs.append((i, j))
            i += 1
            j += 1
        elif table[i + 1][j] >= table[i][j + 1]:
            i += 1
        else:
            j += 1
    matched, count = table[0][0]
    return _alignment_score(matched, n - count, sum(wc)), pairs


@lru_cache(maxsize=262_144)
def _listed_sequences(
    korean: tuple[tuple[tuple[str, ...], ...], ...], person: bool
) -> tuple[tuple[tuple[str, ...], float, frozenset[str], bool], ...]:
    """Listed sequences with their total weight, their syllable set and whether a syllable repeats."""
    return tuple(
        (flat, sum(_listed_weights(flat, person)), frozenset(flat), len(set(flat)) < len(flat))
        for _, flat in _sequences(korean, False)
    )


@lru_cache(maxsize=262_144)
def _query_sequences(
    korean: tuple[tuple[tuple[str, ...], ...], ...],
) -> tuple[tuple[bool, tuple[str, ...], frozenset[str], bool], ...]:
    return tuple(
        (rotated, flat, frozenset(flat), len(set(flat)) < len(flat))
        for rotated, flat in _sequences(korean, True)
    )


def _overlap(a: tuple[str, ...], b: tuple[str, ...]) -> int:
    """How many syllables two sequences can share at most (a multiset intersection)."""
    shared = set(a).intersection(b)
    if len(a) == len(set(a)) or not shared:
        return len(shared)
    return sum(min(a.count(x), b.count(x)) for x in shared)


def compare_korean(
    query: PreparedName, listed: PreparedName, person: bool, floor: float = 0.0
) -> Explanation:
    """Align the syllable keys of two Korean names; pairs that cannot reach ``floor`` are not aligned."""
    best_score = -1.0
    best: tuple[tuple[str, ...], tuple[str, ...], list[tuple[int, int]], bool] | None = None
    listed_seqs = _listed_sequences(listed.korean, person)
    listed_set = {flat for flat, _, _, _ in listed_seqs}
    query_seqs = _query_sequences(query.korean)
    for rotated, flat, _, _ in query_seqs:
        if flat in listed_set:
            best_score, best = 1.0, (flat, flat, [(i, i) for i in range(len(flat))], rotated)
            break
    else:
        for rotated, flat, qset, qdup in query_seqs:
            length = len(flat)
            for cflat, listed_total, cset, cdup in listed_seqs:
                # At most k syllables can match, each weighing at most 1: an upper bound of the
                # score that spares the alignment of pairs that cannot beat the best so far.
                shared = _overlap(flat, cflat) if (qdup or cdup) else len(qset & cset)
                bound = 2 * shared / (length + listed_total)
                if shared == 0 or bound <= best_score or bound < floor:
                    continue
                score, pairs = _align_syllables(flat, cflat, person)
                if score > best_score:
                    best_score, best = score, (flat, cflat, pairs, rotated)
    explanation = Explanation(method="korean-syllables", name_score=max(best_score, 0.0))
    if best is not None:
        qflat, cflat, pairs, rotated = best
        matched_q = {i for i, _ in pairs}
        matched_c = {j for _, j in pairs}
        explanation.aligned = [
            AlignedToken(qflat[i], cflat[j], 1.0, "same Korean syllable") for i, j in pairs
        ]
        explanation.unmatched_query = [s for i, s in enumerate(qflat) if i not in matched_q]
        explanation.unmatched_listed = [s for j, s in enumerate(cflat) if j not in matched_c]
        if rotated:
            explanation.notes.append("name order differs (family name moved)")
    return explanation


def _token_rule(a: str, b: str, similarity: float) -> str:
    if a == b:
        return "equal"
    if similarity >= 0.999:
        return "equal after normalization"
    return f"edit similarity (distance {Levenshtein.distance(a, b)})"


@lru_cache(maxsize=131_072)
def _token_korean_keys(token: str) -> frozenset[tuple[str, ...]]:
    if len(token) < 2:
        return frozenset()
    return frozenset(k for k in korean_token_keys(token)[:2] if k and not any(s.startswith("=") for s in k))


#: Initial letters that may spell one Korean sound: a word's first letter must stay in its group
#: (Taebong/Daebong, Kwangson/Gwangson, Chosun/Joseon). The North/South initial r/n (Rungrado /
#: Nungrado) is allowed only between words of two syllables or more: in short words it would make
#: Rice and Nice one word.
_INITIAL_GROUPS = {c: g for g in ("kg", "td", "pbf", "cj", "s", "rl", "n", "m", "h", "aeiouyw") for c in g}
_RN_GROUPS = frozenset({"rl", "n", "aeiouyw"})
_RN_MIN_LENGTH = 6


@lru_cache(maxsize=262_144)
def _same_korean_word(a: str, b: str) -> bool:
    """Two spellings of one Korean word (Taebong/Daebong, Unpa/Unpha, Rungrado/Nungrado)."""
    group_a, group_b = _INITIAL_GROUPS.get(a[:1]), _INITIAL_GROUPS.get(b[:1])
    if group_a != group_b and not (
        group_a in _RN_GROUPS and group_b in _RN_GROUPS and min(len(a), len(b)) >= _RN_MIN_LENGTH
    ):
        return False
    keys = _token_korean_keys(a)
    return bool(keys) and not keys.isdisjoint(_token_korean_keys(b))


def align_tokens(
    query: Sequence[str], listed: Sequence[str], weight: TokenWeight
) -> tuple[float, list[AlignedToken], list[str], list[str]]:
    """Greedy one-to-one alignment of tokens by edit similarity; score is a weighted Dice coverage."""
    if not query or not listed:
        return 0.0, [], list(query), list(listed)
    rows = cdist(list(query), list(listed), scorer=Indel.normalized_similarity, dtype=np.float64).tolist()
    korean: set[tuple[int, int]] = set()
    pairs: list[tuple[float, int, int]] = []
    for i, a in enumerate(query):
        row = rows[i]
        for j, b in enumerate(listed):
            sim = row[j]
            if sim < 1.0:
                if sim >= 0.5 and _same_korean_word(a, b):
                    sim = 1.0
                    korean.add((i, j))
                elif a[:1] != b[:1]:
                    # Spelling variants keep their first letter (Smith/Smyth); Zihan/Yishan is another name.
                    sim *= FIRST_LETTER_FACTOR
            if sim >= MIN_TOKEN_SIMILARITY:
                pairs.append((-sim, i, j))
    pairs.sort()
    used_q: set[int] = set()
    used_c: set[int] = set()
    aligned: list[AlignedToken] = []
    matched = 0.0
    for negative, i, j in pairs:
        sim = -negative
        if i in used_q or j in used_c:
            continue
        used_q.add(i)
        used_c.add(j)
        matched += sim * (weight(query[i]) + weight(listed[j])) / 2
        rule = "same Korean syllables" if (i, j) in korean else _token_rule(query[i], listed[j], sim)
        aligned.append(AlignedToken(query[i], listed[j], sim, rule))
    total = sum(weight(t) for t in query) + sum(weight(t) for t in listed)
    score = 2 * matched / total if total else 0.0
    return (
        score,
        aligned,
        [t for i, t in enumerate(query) if i not in used_q],
        [t for j, t in enumerate(listed) if j not in used_c],
    )


def _rotations(tokens: tuple[str, ...]) -> list[tuple[str, ...]]:
    if len(tokens) < 2:
        return [tokens]
    return [tokens, (tokens[-1], *tokens[:-1]), (*tokens[1:], tokens[0])]


#: Words that say little in an organisation's name: the DPRK's own name (Korean-language names
#: often leave out 조선/Choson or add the ruling party, 노동당: "Workers' Party ...") and joining words.
_ORG_LIGHT_WORDS = frozenset({"korea", "workers", "party", "and", "of", "the", "for", "&"})
_LIGHT_WEIGHT = 0.3


def compare_latin(query: PreparedName, listed: PreparedName, org: bool, weight: TokenWeight) -> Explanation:
    if org:
        base = weight

        def weight(token: str) -> float:
            return _LIGHT_WEIGHT if token in _ORG_LIGHT_WORDS else base(token)

    qt = query.core if org else query.tokens
    ct = listed.core if org else listed.tokens
    score, aligned, uq, uc = align_tokens(qt, ct, weight)
    explanation = Explanation(
        method="latin-tokens", name_score=score, aligned=aligned, unmatched_query=uq, unmatched_listed=uc
    )
    if org and (query.tokens != qt or listed.tokens != ct):
        # Every word, legal forms and parentheses included: "... COMPANY LIMITED OMM" against
        # "... COMPANY, LIMITED (OMM)", or a legal form cut short ("GENERAL" of "GENERAL CORPORATION").
        # Words outside the core and the parentheses are legal forms: they weigh little here.
        light = (set(query.tokens) - set(qt) - set(query.acronyms)) | (
            set(listed.tokens) - set(ct) - set(listed.acronyms)
        )
        core_weight = weight

        def full_weight(token: str) -> float:
            return _LIGHT_WEIGHT if token in light else core_weight(token)

        full, full_aligned, fq, fc = align_tokens(query.tokens, listed.tokens, full_weight)
        if full > explanation.name_score:
            explanation = Explanation(
                method="latin-tokens",
                name_score=full,
                aligned=full_aligned,
                unmatched_query=fq,
                unmatched_listed=fc,
            )
            explanation.notes.append("compared with legal forms and parentheses")
    # Joined comparison: "Jongun" vs "Jong Un", "Abubakr" vs "Abu Bakr".
    if len(qt) != len(ct) and qt and ct:
        cj = "".join(ct)
        for rotation in _rotations(qt):
            joined = Indel.normalized_similarity("".join(rotation), cj)
            if joined > explanation.name_score:
                explanation = Explanation(
                    method="latin-joined",
                    name_score=joined,
                    aligned=[
                        AlignedToken(" ".join(rotation), " ".join(ct), joined, "compared without spaces")
                    ],
                )
    if org:
        if len(qt) == 1 and qt[0] in listed.acronyms and len(qt[0]) >= 2:
            initials = len(ct) >= 2 and listed.acronyms[-1] == qt[0] and qt[0] not in listed.acronyms[:-1]
            value = ACRONYM_INITIALS_SCORE if initials else ACRONYM_SCORE
            if initials and len(qt[0]) < 3:
                value = 0.0
            if value > explanation.name_score:
                rule = (
                    "acronym of the listed name's initials"
                    if initials
                    else "acronym given with the listed name"
                )
                explanation = Explanation(
                    method="acronym",
                    name_score=value,
                    aligned=[AlignedToken(qt[0], " ".join(ct), value, rule)],
                )
        if query.legal and listed.legal and not set(query.legal) & set(listed.legal):
            explanation.notes.append(
                f"legal forms differ ({' '.join(query.legal)} / {' '.join(listed.legal)})"
            )
    return explanation


def _token_starts(tokens: tuple[str, ...]) -> set[int]:
    starts, position = set(), 0
    for token in tokens:
        starts.add(position)
        position += len(token)
    return starts


def _token_at(tokens: tuple[str, ...], position: int) -> str:
    for token in tokens:
        if position < len(token):
            return token
        position -= len(token)
    return tokens[-1] if tokens else ""


def _typo(query: PreparedName, listed: PreparedName, korean: bool) -> tuple[float, bool]:
    """(similarity, whether it may be another name) when the names written without spaces are one
    typing error apart (an insertion, deletion, substitution or swap of neighbours), else (0, False).

    In a Korean name, an error at the first letter of a word that still reads as Korean
    syllables (Jong/Tong, Yong/Pong) may as well be another person's name; one that reads as
    nothing Korean (Sik/Isk, Mun/Umn) is plainly a typing error.
    """
    target = listed.joined
    if len(target) < 6:
        return 0.0, False
    for rotation in _rotations(query.tokens):
        joined = "".join(rotation)
        if joined == target or OSA.distance(joined, target, score_cutoff=1) > 1:
            continue
        prefix = 0
        while prefix < min(len(joined), len(target)) and joined[prefix] == target[prefix]:
            prefix += 1
        other_name = False
        if korean and prefix in _token_starts(listed.tokens):
            other_name = bool(_token_korean_keys(_token_at(rotation, prefix)))
        return float(Indel.normalized_similarity(joined, target)), other_name
    return 0.0, False


def compare_names(
    query: PreparedName,
    listed: PreparedName,
    kind: str,
    weight: TokenWeight | None = None,
    floor: float = 0.0,
) -> Explanation:
    """Compare a query name with a listed name of ``kind`` (person, org, vessel, aircraft).

    With ``floor``, a Korean name that cannot score ``floor`` is reported as 0 without being
    aligned in full (the screening engine passes the threshold less the most evidence can add).
    """
    weight = weight or _default_weight
    if kind in ("person", "vessel") and query.is_korean and listed.is_korean:
        explanation = compare_korean(query, listed, person=kind == "person", floor=floor)
    else:
        explanation = compare_latin(query, listed, org=kind in ("org", "any"), weight=weight)
    if explanation.name_score < 1.0:
        korean_name = kind in ("person", "vessel") and listed.is_korean
        similarity, other_name = _typo(query, listed, korean=korean_name)
        score = similarity * (INITIAL_TYPO_FACTOR if other_name else 1.0)
        if score > explanation.name_score:
            rule = "one typing error making another Korean syllable" if other_name else "one typing error"
            return Explanation(
                method="latin-typo",
                name_score=score,
                aligned=[AlignedToken(" ".join(query.tokens), " ".join(listed.tokens), similarity, rule)],
            )
    return explanation
