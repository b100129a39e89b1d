"""Organisation names: legal forms, the many names of Korea, and CJK organisation words in English.

>>> org_tokens("Korea Mining Development Trading Corp.")
OrgTokens(core=('korea', 'mining', 'development', 'trading'), legal=('corporation',), parenthetical=())
>>> org_tokens("조선광업개발무역회사").core
('korea', 'mining', 'development', 'trading')
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import NamedTuple

from vigil.names._data import load_table
from vigil.names.normalize import normalize_text

__all__ = ["OrgTokens", "canonical_legal_form", "fold_korea", "org_core_keys", "org_tokens"]

_PAREN = re.compile(r"[(\[{（【]([^)\]}）】]*)[)\]}）】]")


class OrgTokens(NamedTuple):
    """Core tokens (Korea names folded), canonical legal forms, and text found in parentheses."""

    core: tuple[str, ...]
    legal: tuple[str, ...]
    parenthetical: tuple[str, ...]


@lru_cache(maxsize=1)
def _legal_forms() -> dict[tuple[str, ...], tuple[str, tuple[str, ...]]]:
    out: dict[tuple[str, ...], tuple[str, tuple[str, ...]]] = {}
    for form, canonical, core in load_table("legal_forms.csv"):
        out[tuple(form.split())] = (canonical, tuple(core.split()))
    return out


@lru_cache(maxsize=1)
def _synonyms() -> dict[str, str]:
    return dict(load_table("org_synonyms.csv"))  # type: ignore[arg-type]


@lru_cache(maxsize=1)
def _leading_forms() -> dict[tuple[str, ...], str]:
    return {tuple(form.split()): canonical for form, canonical in load_table("legal_forms_leading.csv")}


@lru_cache(maxsize=1)
def _latin_terms() -> dict[tuple[str, ...], tuple[str, ...]]:
    out: dict[tuple[str, ...], tuple[str, ...]] = {}
    for term, english in load_table("org_terms.csv"):
        if term.isascii():
            out[tuple(term.split())] = tuple(english.split())
    return out


@lru_cache(maxsize=1)
def _cjk_table() -> tuple[dict[str, tuple[str, tuple[str, ...]]], int]:
    """CJK term -> (kind, words): kind 'legal' (words = canonical form + core) or 'term'."""
    table: dict[str, tuple[str, tuple[str, ...]]] = {}
    for term, english in load_table("org_terms.csv"):
        if not term.isascii():
            table[term] = ("term", tuple(english.split()))
    for form, (canonical, core) in _legal_forms().items():
        text = "".join(form)
        if not text.isascii():
            table[text] = ("legal", (canonical, *core))
    return table, max(len(t) for t in table)


def canonical_legal_form(text: str | None) -> str | None:
    """The canonical legal form of ``text`` (``Co., Ltd.`` -> ``company limited``), or None."""
    norm = normalize_text(text)
    if norm is None:
        return None
    entry = _legal_forms().get(tuple(norm.split()))
    if entry is None:
        entry = _legal_forms().get((norm.replace(" ", ""),))
    return entry[0] if entry else None


def fold_korea(words: list[str]) -> list[str]:
    """Fold the names of Korea in a token list (``democratic peoples republic of korea`` -> ``korea``)."""
    terms = _latin_terms()
    longest = max(len(k) for k in terms)
    out: list[str] = []
    i = 0
    while i < len(words):
        for size in range(min(longest, len(words) - i), 0, -1):
            english = terms.get(tuple(words[i : i + size]))
            if english is not None:
                out.extend(english)
                i += size
                break
        else:
            out.append(words[i])
            i += 1
    return out


def _romanize_span(text: str) -> str:
    from vigil.names.scripts import to_latin

    return to_latin(text).lower()


def _cjk_word(word: str) -> tuple[list[str], list[str]]:
    """Greedy longest-match of a CJK/Hangul word over the term and legal-form tables."""
    table, longest = _cjk_table()
    core: list[str] = []
    legal: list[str] = []
    unknown = ""
    i = 0

    def flush() -> None:
        nonlocal unknown
        if unknown:
            romanized = _romanize_span(unknown)
            core.extend(romanized.split())
            unknown = ""

    while i < len(word):
        match = None
        for size in range(min(longest, len(word) - i), 0, -1):
            piece = word[i : i + size]
            entry = table.get(piece)
            # Single-character terms (성 ministry, 부 department, 호 number) only end a word.
            if entry is not None and (size > 1 or i + size == len(word)):
                match = (size, entry)
                break
        if match is None:
            unknown += word[i]
            i += 1
            continue
        flush()
        size, (kind, words) = match
        if kind == "legal":
            legal.append(words[0])
            core.extend(words[1:])
        else:
            core.extend(words)
        i += size
    flush()
    return core, legal


@lru_cache(maxsize=65536)
def org_tokens(name: str | None) -> OrgTokens:
    """Core tokens and legal-form tokens of an organisation name, separately.

    Latin names lose trailing legal forms (``Co., Ltd.`` -> ``company limited``); Korea's names are
    folded to ``korea``; Hangul, Han and kana words are cut into known organisation words (조선 -> korea,
    무역 -> trading, 회사 -> legal form company) with the rest romanized. Parenthesised text (usually an
    acronym: ``(KOMID)``) is returned apart. Empty tuples for junk.
    """
    if not isinstance(name, str):
        return OrgTokens((), (), ())
    parenthetical: list[str] = []
    for inner in _PAREN.findall(name):
        norm = normalize_text(inner)
        if norm:
            parenthetical.append(norm)
    text = _PAREN.sub(" ", name)
    norm = normalize_text(text)
    if norm is None:
        return OrgTokens((), (), tuple(parenthetical))
    words = norm.split()
    core: list[str] = []
    legal: list[str] = []
    latin: list[str] = []
    for word in words:
        if word.isascii():
            latin.append(word)
            continue
        from vigil.names.katakana import katakana_to_english
        from vigil.names.scripts import dominant_script

        core.extend(fold_korea(latin))
        latin = []
        if dominant_script(word) == "Kana":
            english = katakana_to_english(word)
            if english:
                sub = org_tokens(english)
                core.extend(sub.core)
                legal.extend(sub.legal)
            continue
        c, lg = _cjk_word(word)
        core.extend(c)
        legal.extend(lg)
    core.extend(fold_korea(latin))
    # Trailing Latin legal forms, longest first, repeatedly (co ltd, company limited, ...).
    forms = _legal_forms()
    longest = max(len(k) for k in forms)
    trailing: list[str] = []
    while len(core) > 1:
        for size in range(min(longest, len(core) - 1), 0, -1):
            entry = forms.get(tuple(core[-size:]))
            if entry is not None:
                trailing.insert(0, entry[0])
                core = core[:-size] + list(entry[1])
                break
        else:
            break
    synonyms = _synonyms()
    core = [synonyms.get(word, word) for word in core]
    # Leading legal forms (PT ..., Cong Ty TNHH ..., OOO ...), longest first, once.
    leading = _leading_forms()
    for size in range(min(max(len(k) for k in leading), len(core) - 1), 0, -1):
        canonical = leading.get(tuple(core[:size]))
        if canonical is not None:
            trailing.insert(0, canonical)
            core = core[size:]
            break
    legal = legal + trailing
    return OrgTokens(tuple(core), tuple(legal), tuple(parenthetical))


@lru_cache(maxsize=65536)
def org_core_keys(name: str | None) -> tuple[str, ...]:
    """Korean syllable keys of an organisation's core tokens, flattened (legal forms left out).

    ``KOREA DAEBONG SHIPPING CO`` and ``대봉선박회사`` share the run ``('pong'...)``-style keys of
    their romanized parts, whatever the romanization system; English words get keys too, which is
    harmless because both sides are keyed the same way.
    """
    from vigil.names.korean import korean_key

    out: list[str] = []
    for token in org_tokens(name).core:
        keys = korean_key(token)
        if keys:
            out.extend(keys)
    return tuple(out)
