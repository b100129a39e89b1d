"""Katakana: Japanese renderings of Korean names to Korean syllable keys, and loanwords to English.

Japanese writes Korean names sound for sound (キム・ジョンウン for 김정은, リ・ビョンチョル for 리병철,
チェ・リョンヘ for 최룡해). A katakana word is cut into kana units (a kana with its small ャュョァィゥェォ),
units are grouped into Korean syllables (one consonant-vowel unit plus an optional coda ン ム ル ク プ ッ)
and each syllable yields the keys of the Hangul syllables it can render (:mod:`vigil.names.korean`).
Organisation names are often rendered from English (コリア・マイニング・...): :func:`katakana_to_english`
maps the common loanwords back and leaves the rest to ICU's Katakana-Latin.
"""

from __future__ import annotations

import heapq
import itertools
from functools import lru_cache

from vigil.names._data import load_table

__all__ = [
    "hiragana_to_katakana",
    "katakana_korean_keys",
    "katakana_to_english",
    "katakana_to_hangul",
    "katakana_units",
]

_SMALL = frozenset("ャュョァィゥェォヮ")
_SKIP = frozenset("ー・･゠=")
# Japanese vowel class -> Korean medials that Japanese writes with it, most likely first.
_VOWELS: dict[str, tuple[str, ...]] = {
    "a": ("ㅏ",),
    "i": ("ㅣ", "ㅢ"),
    "u": ("ㅜ", "ㅡ"),
    "e": ("ㅐ", "ㅔ", "ㅚ"),
    "o": ("ㅓ", "ㅗ"),
    "ya": ("ㅑ",),
    "yu": ("ㅠ",),
    "yo": ("ㅕ", "ㅛ"),
    "ye": ("ㅖ", "ㅒ"),
    "wa": ("ㅘ",),
    "wi": ("ㅟ", "ㅢ"),
    "we": ("ㅞ", "ㅙ", "ㅚ"),
    "wo": ("ㅝ",),
}
# Codas: the unit and the Korean finals it renders.
_CODAS: dict[str, tuple[str, ...]] = {
    "ン": ("ㅇ", "ㄴ"),
    "ム": ("ㅁ",),
    "ル": ("ㄹ",),
    "ク": ("ㄱ",),
    "プ": ("ㅂ",),
    "ッ": ("ㄱ", "ㅂ", "ㄷ"),
}


def hiragana_to_katakana(text: str) -> str:
    """Hiragana letters shifted to katakana (ぁ-ゖ -> ァ-ヶ); everything else unchanged."""
    return "".join(chr(ord(c) + 0x60) if 0x3041 <= ord(c) <= 0x3096 else c for c in text)


@lru_cache(maxsize=1)
def _units() -> dict[str, tuple[int, tuple[int, ...]]]:
    from vigil.names.korean import INITIALS, MEDIALS

    table: dict[str, tuple[int, tuple[int, ...]]] = {}
    for kana, initial, vowels in load_table("katakana_korean.csv"):
        medials = tuple(MEDIALS.index(m) for v in vowels.split() for m in _VOWELS[v])
        table[kana] = (INITIALS.index(initial), tuple(dict.fromkeys(medials)))
    return table


def katakana_units(text: str) -> list[str]:
    """Kana units of a katakana string: ``ジョンウン`` -> ジョ ン ウ ン (long marks and dots dropped)."""
    units: list[str] = []
    for ch in hiragana_to_katakana(text):
        if ch in _SKIP or ch.isspace():
            continue
        if ch in _SMALL and units:
            units[-1] += ch
        else:
            units.append(ch)
    return units


_MAX = 8


@lru_cache(maxsize=16384)
def _syllable_options(unit: str, coda: str) -> tuple[tuple[float, str, str], ...]:
    """(cost, key, hangul) of one syllable made of a CV unit and an optional coda unit."""
    from vigil.names.korean import FINALS, _key_of, compose

    entry = _units().get(unit)
    if entry is None:
        return ()
    initial, medials = entry
    finals = tuple(FINALS.index(f) for f in _CODAS[coda]) if coda else (0,)
    out: dict[str, tuple[float, str]] = {}
    for (mi, medial), (fi, final) in itertools.product(enumerate(medials), enumerate(finals)):
        key = _key_of(initial, medial, final)
        cost = 0.2 * mi + 0.1 * fi
        if key not in out or out[key][0] > cost:
            out[key] = (cost, compose(initial, medial, final))
    return tuple(sorted((cost, key, hangul) for key, (cost, hangul) in out.items()))


_Seg = tuple[tuple[tuple[float, str, str], ...], ...]


@lru_cache(maxsize=16384)
def _parse(word: str) -> tuple[tuple[float, _Seg], ...]:
    units = katakana_units(word)
    n = len(units)
    if n == 0 or n > 40:
        return ()
    beams: list[list[tuple[float, _Seg]]] = [[] for _ in range(n + 1)]
    beams[0] = [(0.0, ())]
    for i in range(n):
        if not beams[i]:
            continue
        unit = units[i]
        steps: list[tuple[int, tuple[tuple[float, str, str], ...], float]] = []
        plain = _syllable_options(unit, "")
        if plain:
            # ム ル ク プ as syllables of their own are rarer than as codas.
            steps.append((1, plain, 0.4 if unit in _CODAS else 0.0))
        if i + 1 < n and units[i + 1] in _CODAS:
            with_coda = _syllable_options(unit, units[i + 1])
            if with_coda:
                steps.append((2, with_coda, 0.0))
        for width, options, penalty in steps:
            for cost, seg in beams[i]:
                beams[i + width].append((cost + 1.0 + penalty, (*seg, options)))
        for j in (i + 1, i + 2):
            if j <= n and len(beams[j]) > _MAX:
                beams[j] = heapq.nsmallest(_MAX, beams[j], key=lambda b: b[0])
    return tuple(sorted(beams[n], key=lambda b: b[0]))


def _expand(word: str) -> list[tuple[float, tuple[str, ...], str]]:
    results: dict[tuple[str, ...], tuple[float, str]] = {}
    for cost, seg in _parse(word):
        for combo in itertools.islice(itertools.product(*[opts[:4] for opts in seg]), 64):
            keys = tuple(k for _, k, _ in combo)
            total = cost + sum(c for c, _, _ in combo)
            if keys not in results or results[keys][0] > total:
                results[keys] = (total, "".join(h for _, _, h in combo))
    ranked = sorted(results.items(), key=lambda kv: kv[1][0])[:_MAX]
    return [(cost, keys, hangul) for keys, (cost, hangul) in ranked]


@lru_cache(maxsize=16384)
def katakana_korean_keys(word: str) -> tuple[tuple[float, tuple[str, ...]], ...]:
    """Ranked (cost, syllable keys) readings of a katakana word as Korean (``ジョンウン`` -> cong un)."""
    return tuple((cost, keys) for cost, keys, _ in _expand(word))


def katakana_to_hangul(text: str) -> str | None:
    """The likeliest Hangul behind a katakana rendering of a Korean name (``キム・ジョンウン`` -> 김 정웅)."""
    if not isinstance(text, str):
        return None
    words = [w for w in text.replace("・", " ").replace("･", " ").split() if w]
    out = []
    for word in words:
        expanded = _expand(word)
        if expanded:
            out.append(expanded[0][2])
    return " ".join(out) or None


@lru_cache(maxsize=1)
def _loanwords() -> dict[str, str]:
    return {kana.replace("ー", ""): english for kana, english in load_table("katakana_loanwords.csv")}


def _icu_katakana_latin(text: str) -> str:
    trans = _icu_transliterator()
    return str(trans.transliterate(text)) if trans is not None else ""  # type: ignore[attr-defined]


@lru_cache(maxsize=1)
def _icu_transliterator() -> object | None:
    try:
        import icu

        trans: object = icu.Transliterator.createInstance("Katakana-Latin; Latin-ASCII")
        return trans
    except Exception:  # pragma: no cover - missing ICU data
        return None


def katakana_to_english(text: str, fallback: bool = True) -> str | None:
    """English words behind a katakana organisation name; unknown words through ICU Katakana-Latin.

    >>> katakana_to_english("コリア・マイニング・デベロップメント・トレーディング・コーポレーション")
    'korea mining development trading corporation'

    With ``fallback=False`` returns None unless every word is a known loanword.
    """
    if not isinstance(text, str):
        return None
    words = [w for w in hiragana_to_katakana(text).replace("・", " ").replace("･", " ").split() if w]
    table = _loanwords()
    out: list[str] = []
    for word in words:
        english = table.get(word.replace("ー", ""))
        if english is None:
            if not fallback:
                return None
            english = _icu_katakana_latin(word).strip().lower()
        if english:
            out.append(english)
    return " ".join(out) or None
