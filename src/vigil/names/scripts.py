"""Writing systems: ISO 15924 script of a character or string, and transliteration to Latin.

Hangul, Han characters and kana take the Korean-aware paths of :mod:`vigil.names.korean` and
:mod:`vigil.names.katakana` (a Han name is read in Korean, 金正恩 -> Kim Chong-un, not Mandarin
``jin zheng en``); every other script goes through ICU's transforms (``Any-Latin; Latin-ASCII``).
"""

from __future__ import annotations

import bisect
import unicodedata
from collections import Counter
from functools import lru_cache

from vigil.names.normalize import fold_marks

__all__ = [
    "char_script",
    "dominant_script",
    "has_script",
    "is_latin",
    "scripts",
    "to_latin",
]

# (start, end, script) ranges, sorted; the common scripts of sanctions lists.
_RANGES: tuple[tuple[int, int, str], ...] = (
    (0x0041, 0x005A, "Latn"),
    (0x0061, 0x007A, "Latn"),
    (0x00AA, 0x00AA, "Latn"),
    (0x00BA, 0x00BA, "Latn"),
    (0x00C0, 0x00D6, "Latn"),
    (0x00D8, 0x00F6, "Latn"),
    (0x00F8, 0x024F, "Latn"),
    (0x0250, 0x02AF, "Latn"),
    (0x0370, 0x03FF, "Grek"),
    (0x0400, 0x052F, "Cyrl"),
    (0x0530, 0x058F, "Armn"),
    (0x0590, 0x05FF, "Hebr"),
    (0x0600, 0x06FF, "Arab"),
    (0x0700, 0x074F, "Syrc"),
    (0x0750, 0x077F, "Arab"),
    (0x0780, 0x07BF, "Thaa"),
    (0x08A0, 0x08FF, "Arab"),
    (0x0900, 0x097F, "Deva"),
    (0x0980, 0x09FF, "Beng"),
    (0x0A00, 0x0A7F, "Guru"),
    (0x0A80, 0x0AFF, "Gujr"),
    (0x0B00, 0x0B7F, "Orya"),
    (0x0B80, 0x0BFF, "Taml"),
    (0x0C00, 0x0C7F, "Telu"),
    (0x0C80, 0x0CFF, "Knda"),
    (0x0D00, 0x0D7F, "Mlym"),
    (0x0D80, 0x0DFF, "Sinh"),
    (0x0E00, 0x0E7F, "Thai"),
    (0x0E80, 0x0EFF, "Laoo"),
    (0x0F00, 0x0FFF, "Tibt"),
    (0x1000, 0x109F, "Mymr"),
    (0x10A0, 0x10FF, "Geor"),
    (0x1100, 0x11FF, "Hang"),
    (0x1200, 0x139F, "Ethi"),
    (0x1780, 0x17FF, "Khmr"),
    (0x1800, 0x18AF, "Mong"),
    (0x1C80, 0x1C8F, "Cyrl"),
    (0x1E00, 0x1EFF, "Latn"),
    (0x1F00, 0x1FFF, "Grek"),
    (0x2C60, 0x2C7F, "Latn"),
    (0x2DE0, 0x2DFF, "Cyrl"),
    (0x3005, 0x3005, "Hani"),
    (0x3007, 0x3007, "Hani"),
    (0x3021, 0x3029, "Hani"),
    (0x3041, 0x309F, "Hira"),
    (0x30A0, 0x30FA, "Kana"),
    (0x30FC, 0x30FF, "Kana"),
    (0x3130, 0x318F, "Hang"),
    (0x31F0, 0x31FF, "Kana"),
    (0x3400, 0x4DBF, "Hani"),
    (0x4E00, 0x9FFF, "Hani"),
    (0xA640, 0xA69F, "Cyrl"),
    (0xA720, 0xA7FF, "Latn"),
    (0xA960, 0xA97F, "Hang"),
    (0xAC00, 0xD7A3, "Hang"),
    (0xD7B0, 0xD7FF, "Hang"),
    (0xF900, 0xFAFF, "Hani"),
    (0xFB50, 0xFDFF, "Arab"),
    (0xFE70, 0xFEFF, "Arab"),
    (0xFF21, 0xFF3A, "Latn"),
    (0xFF41, 0xFF5A, "Latn"),
    (0xFF66, 0xFF9F, "Kana"),
    (0xFFA0, 0xFFDC, "Hang"),
    (0x20000, 0x3134F, "Hani"),
)
_STARTS = tuple(r[0] for r in _RANGES)
# Fallback on Unicode character names for the rest.
_NAME_PREFIXES = (
    ("LATIN", "Latn"),
    ("CYRILLIC", "Cyrl"),
    ("GREEK", "Grek"),
    ("ARABIC", "Arab"),
    ("HEBREW", "Hebr"),
    ("HANGUL", "Hang"),
    ("CJK", "Hani"),
    ("HIRAGANA", "Hira"),
    ("KATAKANA", "Kana"),
    ("ARMENIAN", "Armn"),
    ("GEORGIAN", "Geor"),
    ("THAI", "Thai"),
    ("DEVANAGARI", "Deva"),
    ("ETHIOPIC", "Ethi"),
    ("MONGOLIAN", "Mong"),
)


@lru_cache(maxsize=8192)
def char_script(ch: str) -> str | None:
    """ISO 15924 code of a letter's script (``Latn``, ``Hang``, ``Hani``, ``Kana``, ...), None otherwise.

    Digits, punctuation, spaces and symbols have no script here.
    """
    if len(ch) != 1 or not (ch.isalpha() or unicodedata.category(ch) in ("Mn", "Lm") or ch == "ー"):
        return None
    code = ord(ch)
    idx = bisect.bisect_right(_STARTS, code) - 1
    if idx >= 0:
        start, end, script = _RANGES[idx]
        if start <= code <= end:
            return script
    name = unicodedata.name(ch, "")
    for prefix, script in _NAME_PREFIXES:
        if name.startswith(prefix):
            return script
    return None


def scripts(text: str | None) -> Counter[str]:
    """How many letters of each script ``text`` contains."""
    counts: Counter[str] = Counter()
    if not isinstance(text, str):
        return counts
    for ch in text:
        script = char_script(ch)
        if script is not None:
            counts[script] += 1
    return counts


def dominant_script(text: str | None) -> str | None:
    """The script with most letters in ``text`` (Hira counted as Kana), or None for no letters."""
    counts = scripts(text)
    if not counts:
        return None
    if "Hira" in counts:
        counts["Kana"] += counts.pop("Hira")
    return counts.most_common(1)[0][0]


def has_script(text: str | None, script: str) -> bool:
    """True if any letter of ``text`` is in ``script``."""
    return script in scripts(text)


def is_latin(text: str | None) -> bool:
    """True if every letter of ``text`` is Latin (and there is at least one)."""
    counts = scripts(text)
    return bool(counts) and set(counts) == {"Latn"}


@lru_cache(maxsize=16)
def _icu(transform: str) -> object | None:
    try:
        import icu

        trans: object = icu.Transliterator.createInstance(transform)
        return trans
    except Exception:
        return None


_TRANSFORMS = {
    "Cyrl": "Russian-Latin/BGN; Any-Latin; Latin-ASCII",
    "Grek": "Greek-Latin/UNGEGN; Latin-ASCII",
}


def _generic_latin(text: str, script: str | None = None) -> str:
    trans = _icu(_TRANSFORMS.get(script or "", "Any-Latin; Latin-ASCII"))
    if trans is not None:
        return fold_marks(str(trans.transliterate(text)))  # type: ignore[attr-defined]
    try:
        from anyascii import anyascii

        return str(anyascii(text))
    except ImportError:
        return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")


def _run_kind(ch: str) -> str:
    script = char_script(ch)
    if script in ("Hang", "Hani"):
        return script
    if script in ("Kana", "Hira"):
        return "Kana"
    if script is None or script == "Latn":
        return "Latn"
    return "Other"


@lru_cache(maxsize=32768)
def to_latin(text: str | None) -> str:
    """Latin (ASCII) rendering of any text; '' for junk.

    Hangul: McCune–Reischauer without marks, as the UN list writes (김정은 -> ``kimjongun`` per word);
    Han: Korean readings (金正恩 -> ``kimjongun``); katakana: loanwords to English, else Korean syllables;
    Cyrillic, Arabic, Greek and the rest: ICU ``Any-Latin; Latin-ASCII``. Latin keeps its letters with
    diacritics folded.
    """
    if not isinstance(text, str) or not text:
        return ""
    from vigil.names.katakana import katakana_to_english, katakana_to_hangul
    from vigil.names.korean import hanja_to_hangul, romanize

    value = unicodedata.normalize("NFKC", text)
    out: list[str] = []
    run = ""
    kind = ""
    first_han = True

    def flush() -> None:
        nonlocal first_han
        if not run:
            return
        if kind == "Hang":
            out.append(romanize(run, "mr_plain"))
        elif kind == "Hani":
            readings = hanja_to_hangul(run, surname_first=first_han)
            first_han = False
            out.append(romanize(readings[0], "mr_plain") if readings else _generic_latin(run))
        elif kind == "Kana":
            english = katakana_to_english(run, fallback=False)
            if english is None:
                hangul = katakana_to_hangul(run)
                english = romanize(hangul, "mr_plain") if hangul else _generic_latin(run)
            out.append(english)
        elif kind == "Other":
            out.append(_generic_latin(run, dominant_script(run)))
        else:
            out.append(_generic_latin(run))

    for ch in value:
        k = _run_kind(ch)
        if ch in "・･":
            k = kind or "Latn"
        if k != kind:
            flush()
            run, kind = "", k
        run += ch
    flush()
    return " ".join("".join(out).split())
