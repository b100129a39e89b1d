"""Generic name normalization: Unicode NFKC, case folding, McCune–Reischauer marks, punctuation, titles.

Every function here is total: junk in, ``None`` or an empty list out. Scripts other than Latin are kept
as they are (transliteration lives in :mod:`vigil.names.scripts` and :mod:`vigil.names.korean`).

>>> tokens("Mr. MUN CHO'NG-CH'O'L")
['mun', 'chong', 'chol']
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from vigil.names._data import load_table

__all__ = [
    "fold_marks",
    "is_title",
    "normalize",
    "normalize_text",
    "strip_titles",
    "tokens",
]

# Apostrophe-like marks used for McCune–Reischauer aspiration and vowel marks (CHO'NG, Ch’oe, CH`OL),
# plus the free-standing breve and spacing accents.
_MARKS = "'’‘`´ʼʻʹʾʿ˘̆′ˈ"
_MARK_TABLE = str.maketrans("", "", _MARKS)
# Characters treated as hyphens / dashes.
_HYPHENS = "-‐‑‒–—―⁃−﹘﹣－"
_HYPHEN_TABLE = str.maketrans(dict.fromkeys(_HYPHENS, " "))
_SPACE = re.compile(r"\s+")


def _strip_latin_diacritics(text: str) -> str:
    """Drop combining diacritics (U+0300–U+036F) but keep kana voicing marks and Hangul intact."""
    decomposed = unicodedata.normalize("NFD", text)
    kept = "".join(ch for ch in decomposed if not 0x300 <= ord(ch) <= 0x36F)
    return unicodedata.normalize("NFC", kept)


def fold_marks(text: str) -> str:
    """Remove McCune–Reischauer apostrophes and breves: ``CH'O'L`` -> ``CHOL``, ``Chŏng`` -> ``Chong``."""
    return _strip_latin_diacritics(text.translate(_MARK_TABLE))


def _char_class(ch: str) -> str:
    """' ' for separators, '' to drop, or the character itself."""
    if ch.isalnum():
        return ch
    cat = unicodedata.category(ch)
    if cat.startswith("M"):
        return ch  # combining marks that survived (kana voicing, etc.)
    if ch in "&+":
        return f" {ch} "
    return " "


@lru_cache(maxsize=65536)
def normalize_text(text: str | None, keep_hyphens: bool = False) -> str | None:
    """NFKC, case-folded, marks folded, punctuation to spaces, whitespace collapsed; None if empty."""
    if not isinstance(text, str):
        return None
    value = unicodedata.normalize("NFKC", text)
    value = value.casefold()
    value = fold_marks(value)
    if not keep_hyphens:
        value = value.translate(_HYPHEN_TABLE)
    else:
        value = "".join("-" if ch in _HYPHENS else ch for ch in value)
    value = "".join(ch if (keep_hyphens and ch == "-") else _char_class(ch) for ch in value)
    value = _SPACE.sub(" ", value).strip()
    if keep_hyphens:
        value = re.sub(r"\s*-\s*", "-", value).strip("-")
    return value or None


def normalize(text: str | None) -> str | None:
    """The normalized form of a name (see :func:`normalize_text`), titles kept."""
    return normalize_text(text)


@lru_cache(maxsize=1)
def _titles() -> tuple[frozenset[str], frozenset[tuple[str, ...]], frozenset[str]]:
    prefixes: set[str] = set()
    multi: set[tuple[str, ...]] = set()
    suffixes: set[str] = set()
    for title, position in load_table("honorifics.csv"):
        norm = normalize_text(title)
        if norm is None:
            continue
        parts = tuple(norm.split())
        if position == "suffix":
            suffixes.add(norm.replace(" ", ""))
        elif len(parts) > 1:
            multi.add(parts)
        else:
            prefixes.add(norm)
    return frozenset(prefixes), frozenset(multi), frozenset(suffixes)


def is_title(token: str) -> bool:
    """True if the (normalized) token is an honorific or rank such as ``mr``, ``dr``, ``general``."""
    prefixes, _, suffixes = _titles()
    return token in prefixes or token in suffixes


def strip_titles(parts: list[str]) -> list[str]:
    """Drop leading honorifics/ranks and trailing honorific suffixes, never the whole name."""
    prefixes, multi, suffixes = _titles()
    out = list(parts)
    changed = True
    while changed and len(out) > 1:
        changed = False
        for seq in multi:
            if len(out) > len(seq) and tuple(out[: len(seq)]) == seq:
                out = out[len(seq) :]
                changed = True
                break
        if not changed and len(out) > 1 and out[0] in prefixes:
            out = out[1:]
            changed = True
    while len(out) > 1 and out[-1] in suffixes:
        out = out[:-1]
    if out and len(out) == 1:
        # A Hangul/Han name with an attached honorific suffix: 김정은동지, 金正恩同志.
        word = out[0]
        for suffix in sorted(suffixes, key=len, reverse=True):
            if len(word) > len(suffix) + 1 and word.endswith(suffix) and not word.isascii():
                out = [word[: -len(suffix)]]
                break
    return out


@lru_cache(maxsize=65536)
def _tokens(text: str, titles: bool) -> tuple[str, ...]:
    norm = normalize_text(text)
    if norm is None:
        return ()
    parts = norm.split()
    if titles:
        parts = strip_titles(parts)
    return tuple(parts)


def tokens(name: str | None, titles: bool = True) -> list[str]:
    """The normalized tokens of a name, with honorifics and ranks removed (``titles=False`` keeps them)."""
    if not isinstance(name, str):
        return []
    return list(_tokens(name, titles))
