"""Korean names: Hangul arithmetic, romanization systems, syllable segmentation and canonical keys.

The central idea is the **syllable key**: a coarse class per Hangul syllable shared by every way of
writing it in Latin letters. It keeps the initial consonant's place (k/t/p/c/s/h/m/n/∅), the vowel as
McCune–Reischauer writes it without breves, and the final's sound class; it folds aspiration and
tensing (ㄱㅋㄲ, ㄷㅌㄸ, ㅂㅍㅃ, ㅈㅊㅉ, ㅅㅆ), the breve vowels (ㅓ/ㅗ, ㅡ/ㅜ) and the initial-sound law
that separates North and South (리/이, 룡/용, 렴/염 fold to the vowel; 로/노, 라/나 fold to n). So

    김정은, KIM JONG UN, Kim Jong-un, Gim Jeong-eun, Kim Jongun, Kim Cho'ng-u'n -> ('kim', 'cong', 'un')

while 김 (kim), 금 (kum) and 곰 (kom) stay apart. Latin tokens are split into syllables by a
dynamic programme over a table of every spelling of every syllable in Revised Romanization,
McCune–Reischauer (marked, UN-style and plain), the DPRK system and common passport spellings;
ambiguous tokens yield several ranked candidate key sequences.
"""

from __future__ import annotations

import heapq
import itertools
from dataclasses import dataclass
from functools import lru_cache

from vigil.names._data import load_table
from vigil.names.normalize import fold_marks, normalize_text

__all__ = [
    "SYSTEMS",
    "compose",
    "decompose",
    "hangul_syllable_keys",
    "hangul_to_romanizations",
    "hanja_readings",
    "hanja_to_hangul",
    "is_hangul_syllable",
    "korean_key",
    "korean_keys",
    "korean_token_keys",
    "latin_syllable_keys",
    "romanize",
    "romanize_name",
    "segment_latin",
    "surname_spellings",
    "syllable_key",
]

S_BASE = 0xAC00
S_COUNT = 11172
N_MEDIAL = 21
N_FINAL = 28
INITIALS = "ㄱㄲㄴㄷㄸㄹㅁㅂㅃㅅㅆㅇㅈㅉㅊㅋㅌㅍㅎ"
MEDIALS = "ㅏㅐㅑㅒㅓㅔㅕㅖㅗㅘㅙㅚㅛㅜㅝㅞㅟㅠㅡㅢㅣ"
FINALS = ("", *"ㄱㄲㄳㄴㄵㄶㄷㄹㄺㄻㄼㄽㄾㄿㅀㅁㅂㅄㅅㅆㅇㅈㅊㅋㅌㅍㅎ")

#: Romanization systems: Revised Romanization; McCune–Reischauer with breves and ’; MR as the UN list
#: writes it (ASCII apostrophes: CHO'NG, CH'O'L); MR without marks; the DPRK's 1992 system.
SYSTEMS = ("rr", "mr", "mr_un", "mr_plain", "dprk")

_I_Y_VOWELS = frozenset(MEDIALS.index(v) for v in "ㅑㅒㅕㅖㅛㅠㅣ")
_I_RIEUL = INITIALS.index("ㄹ")
_I_NIEUN = INITIALS.index("ㄴ")
_I_IEUNG = INITIALS.index("ㅇ")
_I_SIOT = INITIALS.index("ㅅ")
_I_SSANG_SIOT = INITIALS.index("ㅆ")
_VOICEABLE = frozenset(INITIALS.index(c) for c in "ㄱㄷㅂㅈ")
_VOICED_FINALS = frozenset(FINALS.index(c) for c in ("", "ㄴ", "ㄹ", "ㅁ", "ㅇ"))
_SH_VOWELS = frozenset(MEDIALS.index(v) for v in "ㅣㅟ")
# One representative final per sound class, for building the Latin spelling table.
_REPRESENTATIVE_FINALS = tuple(FINALS.index(c) for c in ("", "ㄱ", "ㄴ", "ㄷ", "ㄹ", "ㅁ", "ㅂ", "ㅇ"))


@dataclass(frozen=True, slots=True)
class _Jamo:
    rr: str
    mr: str
    mr_voiced: str
    dprk: str
    key: str
    popular: tuple[str, ...]


def _load_jamo() -> tuple[tuple[_Jamo, ...], tuple[_Jamo, ...], tuple[_Jamo, ...]]:
    tables: dict[str, dict[str, _Jamo]] = {"initial": {}, "medial": {}, "final": {}}
    for position, jamo, rr, mr, mr_voiced, dprk, key, popular in load_table("jamo.csv"):
        tables[position][jamo] = _Jamo(rr, mr, mr_voiced, dprk, key, tuple(popular.split()))
    return (
        tuple(tables["initial"][c] for c in INITIALS),
        tuple(tables["medial"][c] for c in MEDIALS),
        tuple(tables["final"][c] for c in FINALS),
    )


_INI, _MED, _FIN = _load_jamo()


# --------------------------------------------------------------------------------------------------
# Hangul arithmetic


def is_hangul_syllable(ch: str) -> bool:
    """True for a precomposed Hangul syllable (U+AC00–U+D7A3)."""
    return len(ch) == 1 and S_BASE <= ord(ch) < S_BASE + S_COUNT


def decompose(syllable: str) -> tuple[int, int, int] | None:
    """(initial, medial, final) indexes of a Hangul syllable, or None for anything else."""
    if not is_hangul_syllable(syllable):
        return None
    code = ord(syllable) - S_BASE
    return code // (N_MEDIAL * N_FINAL), (code // N_FINAL) % N_MEDIAL, code % N_FINAL


def compose(initial: int, medial: int, final: int = 0) -> str:
    """The Hangul syllable of jamo indexes (see :data:`INITIALS`, :data:`MEDIALS`, :data:`FINALS`)."""
    return chr(S_BASE + (initial * N_MEDIAL + medial) * N_FINAL + final)


# --------------------------------------------------------------------------------------------------
# Keys


def _key_of(initial: int, medial: int, final: int) -> str:
    ini = _INI[initial].key
    if initial in (_I_RIEUL, _I_NIEUN) and medial in _I_Y_VOWELS:
        ini = ""  # initial-sound law: 리/니/이, 룡/뇽/용, 렴/념/염 meet
    return ini + _MED[medial].key + _FIN[final].key


_SYLLABLE_KEYS: tuple[str, ...] = tuple(
    _key_of(i, m, f) for i in range(len(INITIALS)) for m in range(N_MEDIAL) for f in range(N_FINAL)
)


def syllable_key(syllable: str) -> str | None:
    """The canonical key of one Hangul syllable (정 -> ``cong``, 리 and 이 -> ``i``), or None."""
    if not is_hangul_syllable(syllable):
        return None
    return _SYLLABLE_KEYS[ord(syllable) - S_BASE]


def hangul_syllable_keys(text: str) -> tuple[str, ...]:
    """Keys of the Hangul syllables of ``text`` in order (other characters skipped)."""
    return tuple(_SYLLABLE_KEYS[ord(ch) - S_BASE] for ch in text if S_BASE <= ord(ch) < S_BASE + S_COUNT)


# --------------------------------------------------------------------------------------------------
# Romanization


def _syllable(initial: int, medial: int, final: int, system: str, voiced: bool) -> str:
    ini, med, fin = _INI[initial], _MED[medial], _FIN[final]
    if system == "rr":
        return ini.rr + med.rr + fin.rr
    if system == "dprk":
        onset = ini.dprk
        if voiced and initial in _VOICEABLE:
            onset = ini.mr_voiced
        return onset + med.dprk + fin.dprk
    onset = ini.mr_voiced if voiced else ini.mr
    if initial == _I_SIOT and medial in _SH_VOWELS:
        onset = "sh"
    elif initial == _I_SSANG_SIOT and medial in _SH_VOWELS:
        onset = "ssh"
    text = onset + med.mr + fin.mr
    if system == "mr":
        return text
    if system == "mr_un":
        return text.replace("ŏ", "o'").replace("ŭ", "u'").replace("’", "'")
    return fold_marks(text)


def romanize(text: str, system: str = "rr", sep: str = "") -> str:
    """Romanize the Hangul in ``text`` syllable by syllable; other characters pass through.

    ``sep`` joins the syllables of one word (``"-"`` gives ``Kim-jong-un``-style output). In the MR and
    DPRK systems ㄱㄷㅂㅈ are voiced (g, d, b, j) after a vowel or a voiced final inside a word.
    Unknown systems fall back to ``rr``.
    """
    if system not in SYSTEMS:
        system = "rr"
    out: list[str] = []
    prev_final: int | None = None
    for ch in text:
        parts = decompose(ch)
        if parts is None:
            out.append(ch)
            prev_final = None
            continue
        initial, medial, final = parts
        voiced = prev_final is not None and prev_final in _VOICED_FINALS and sep in ("", "-")
        if prev_final is not None and sep:
            out.append(sep)
        out.append(_syllable(initial, medial, final, system, voiced))
        prev_final = final
    return "".join(out)


def hangul_to_romanizations(hangul: str) -> dict[str, str]:
    """Every system's romanization of a Hangul string: ``{"rr": "jeong", "mr": "chŏng", ...}``."""
    return {system: romanize(hangul, system) for system in SYSTEMS}


_TWO_SYLLABLE_SURNAMES = frozenset({"남궁", "황보", "제갈", "선우", "독고", "사공", "서문", "동방", "어금"})


def romanize_name(hangul: str, system: str = "mr_plain") -> str:
    """A Hangul person name as ``Surname Given-name`` (``김정은`` -> ``Kim Chong-un`` in plain MR)."""
    words = hangul.split()
    if len(words) == 1 and len(hangul) >= 2 and all(is_hangul_syllable(c) for c in hangul):
        cut = 2 if hangul[:2] in _TWO_SYLLABLE_SURNAMES and len(hangul) > 2 else 1
        words = [hangul[:cut], hangul[cut:]]
    out: list[str] = []
    for i, word in enumerate(words):
        text = romanize(word, system, sep="" if i == 0 else "-")
        out.append(text[:1].upper() + text[1:])
    return " ".join(out)


# --------------------------------------------------------------------------------------------------
# Latin spelling table and segmentation


def _medial_spellings(initial: int, medial: int, final: int) -> dict[str, float]:
    med = _MED[medial]
    costs: dict[str, float] = {}

    def add(spelling: str, cost: float) -> None:
        if spelling not in costs or costs[spelling] > cost:
            costs[spelling] = cost

    for spelling in (med.rr, fold_marks(med.mr), fold_marks(med.dprk)):
        add(spelling, 0.0)
    for spelling in med.popular:
        add(spelling, 0.5)
    vowel = MEDIALS[medial]
    fin = FINALS[final]
    if vowel == "ㅓ" and fin in ("ㅇ", "ㄴ"):
        add("u", 0.5)  # Jung, Sung, Chung
    if vowel == "ㅕ" and fin in ("ㅇ", "ㄴ"):
        add("yu", 0.5)  # Hyun, Myung, Byun
        add("you", 0.6)  # Young, Youn
    if vowel == "ㅗ" and fin == "":
        add("oh", 0.5)  # Oh, Noh, Koh
    if vowel == "ㅏ" and fin == "":
        add("ah", 0.6)
    if vowel == "ㅏ" and fin == "ㄱ":
        add("ar", 0.6)  # Park
    if vowel == "ㅓ" and fin == "":
        add("eo", 0.0)
        add("uh", 0.6)  # Suh
    if initial == _I_IEUNG:
        if vowel == "ㅜ":
            add("woo", 0.5)  # Woo, Woon
            add("wu", 0.6)
        if vowel == "ㅣ":
            add("yi", 0.5)  # Yi
        if vowel == "ㅡ":
            add("eu", 0.0)
    return costs


def _initial_spellings(initial: int, medial: int) -> dict[str, float]:
    ini = _INI[initial]
    costs: dict[str, float] = {}
    for spelling in (ini.rr, fold_marks(ini.mr), fold_marks(ini.mr_voiced), fold_marks(ini.dprk)):
        costs.setdefault(spelling, 0.0)
    if initial == _I_SIOT and medial in _SH_VOWELS:
        costs["sh"] = 0.0
    if initial == _I_SSANG_SIOT and medial in _SH_VOWELS:
        costs["ssh"] = 0.0
    for spelling in ini.popular:
        costs.setdefault(spelling, 0.4)
    return costs


def _final_spellings(final: int) -> dict[str, float]:
    fin = _FIN[final]
    costs: dict[str, float] = {fin.rr: 0.0}
    for spelling in fin.popular:
        costs.setdefault(spelling, 0.5)
    return costs


@lru_cache(maxsize=1)
def _spelling_table() -> dict[str, tuple[tuple[str, float], ...]]:
    table: dict[str, dict[str, float]] = {}

    def add(spelling: str, key: str, cost: float) -> None:
        if not spelling:
            return
        slot = table.setdefault(spelling, {})
        if key not in slot or slot[key] > cost:
            slot[key] = cost

    for initial in range(len(INITIALS)):
        for medial in range(N_MEDIAL):
            onsets = _initial_spellings(initial, medial)
            for final in _REPRESENTATIVE_FINALS:
                key = _key_of(initial, medial, final)
                vowels = _medial_spellings(initial, medial, final)
                codas = _final_spellings(final)
                for (o, oc), (v, vc), (c, cc) in itertools.product(
                    onsets.items(), vowels.items(), codas.items()
                ):
                    add(o + v + c, key, oc + vc + cc)
    for hanguls, _hanja, spellings in load_table("surnames.csv"):
        for hangul in hanguls.split("|"):
            skey = syllable_key(hangul)
            if skey is None:
                continue
            for spelling in spellings.split():
                add(spelling, skey, 0.2)
    return {
        spelling: tuple(sorted(keys.items(), key=lambda kv: (kv[1], kv[0])))
        for spelling, keys in table.items()
    }


@lru_cache(maxsize=1)
def _max_spelling() -> int:
    return max(len(s) for s in _spelling_table())


def latin_syllable_keys(spelling: str) -> tuple[str, ...]:
    """Keys of the syllables a Latin spelling may stand for, best first (``jung`` -> ``cung``, ``cong``)."""
    norm = normalize_text(spelling)
    if norm is None:
        return ()
    return tuple(k for k, _ in _spelling_table().get(norm.replace(" ", ""), ()))


_MAX_SEGMENTATIONS = 6
_MAX_WORD = 40


@lru_cache(maxsize=65536)
def segment_latin(word: str) -> tuple[tuple[str, ...], ...]:
    """Best segmentations of a Latin word into Korean syllable spellings (``jongun`` -> jong+un, ...).

    Marks and case are folded first (``CHO'NG`` -> ``chong``). Returns () when the word cannot be
    read as Korean syllables.
    """
    norm = normalize_text(word)
    if norm is None:
        return ()
    text = "".join(ch for ch in norm if "a" <= ch <= "z")
    if not text or len(text) > _MAX_WORD:
        return ()
    return tuple(seg for _, seg in _segment(text))


def _segment(text: str) -> list[tuple[float, tuple[str, ...]]]:
    table = _spelling_table()
    longest = _max_spelling()
    n = len(text)
    beams: list[list[tuple[float, tuple[str, ...]]]] = [[] for _ in range(n + 1)]
    beams[0] = [(0.0, ())]
    for i in range(n):
        if not beams[i]:
            continue
        for j in range(i + 1, min(n, i + longest) + 1):
            piece = text[i:j]
            entry = table.get(piece)
            if entry is None:
                continue
            step = 1.0 + entry[0][1]
            for cost, seg in beams[i]:
                extra = 0.0
                if seg:
                    last = seg[-1]
                    # MR writes n'g and RR n-g where n+g is meant: a bare "ng" is a final ㅇ.
                    if last.endswith("n") and piece.startswith("g"):
                        extra += 0.35
                    # A vowel-initial syllable after a consonant-final one is less likely than the
                    # consonant belonging to the next syllable only when the first piece is short.
                beams[j].append((cost + step + extra, (*seg, piece)))
        if len(beams[i + 1]) > _MAX_SEGMENTATIONS:
            beams[i + 1] = heapq.nsmallest(_MAX_SEGMENTATIONS, beams[i + 1])
    for j in range(n + 1):
        if len(beams[j]) > _MAX_SEGMENTATIONS:
            beams[j] = heapq.nsmallest(_MAX_SEGMENTATIONS, beams[j])
    return sorted(beams[n])


_MAX_CANDIDATES = 16


@lru_cache(maxsize=65536)
def _latin_word_keys(word: str) -> tuple[tuple[float, tuple[str, ...]], ...]:
    text = "".join(ch for ch in word if "a" <= ch <= "z")
    if not text or len(text) > _MAX_WORD:
        return ()
    table = _spelling_table()
    results: dict[tuple[str, ...], float] = {}
    for seg_cost, seg in _segment(text):
        choices = [table[piece] for piece in seg]
        base = seg_cost - sum(c[0][1] for c in choices)
        # best-first product over per-syllable key choices, capped
        for combo in itertools.islice(itertools.product(*[c[:3] for c in choices]), 27):
            keys = tuple(k for k, _ in combo)
            cost = base + sum(c for _, c in combo)
            if keys not in results or results[keys] > cost:
                results[keys] = cost
    ranked = sorted(results.items(), key=lambda kv: (kv[1], kv[0]))[:_MAX_CANDIDATES]
    return tuple((cost, keys) for keys, cost in ranked)


# --------------------------------------------------------------------------------------------------
# Hanja


@lru_cache(maxsize=1)
def _hanja_tables() -> tuple[dict[str, tuple[str, ...]], dict[str, str], dict[str, tuple[str, ...]]]:
    readings: dict[str, tuple[str, ...]] = {}
    for char, values in load_table("hanja_readings.csv"):
        ranked: list[tuple[int, int, str]] = []
        for i, value in enumerate(values.split()):
            hangul, _, flags = value.partition(":")
            rank = 0 if "E" in flags else 1 if "N" in flags else 2
            ranked.append((rank, i, hangul))
        readings[char] = tuple(h for _, _, h in sorted(ranked))
    variants: dict[str, str] = {}
    for char, targets in load_table("hanja_shinjitai.csv"):
        variants[char] = targets[0]
    for char, targets in load_table("hanja_variants.csv"):
        variants.setdefault(char, targets[0])
    surnames: dict[str, tuple[str, ...]] = {}
    for hanguls, hanja, _ in load_table("surnames.csv"):
        for char in hanja:
            surnames.setdefault(char, tuple(hanguls.split("|")))
    return readings, variants, surnames


def hanja_readings(char: str, surname: bool = False) -> tuple[str, ...]:
    """Korean readings of one Han character, most likely first (as a surname: 金 -> 김, not 금)."""
    readings, variants, surnames = _hanja_tables()
    if surname and char in surnames:
        first = surnames[char]
        rest = tuple(r for r in readings.get(char, ()) if r not in first)
        return first + rest
    if char in readings:
        return readings[char]
    target = variants.get(char)
    if target is not None:
        if surname and target in surnames:
            return hanja_readings(target, surname=True)
        return readings.get(target, ())
    return ()


def _is_han(ch: str) -> bool:
    code = ord(ch)
    return (
        0x4E00 <= code <= 0x9FFF
        or 0x3400 <= code <= 0x4DBF
        or 0xF900 <= code <= 0xFAFF
        or 0x20000 <= code <= 0x3134F
        or code == 0x3007
    )


@lru_cache(maxsize=16384)
def hanja_to_hangul(text: str, surname_first: bool = True, limit: int = 4) -> tuple[str, ...]:
    """Hangul readings of a Han-character string, best first (``金正恩`` -> ``김정은``, ...).

    The first character is read as a surname when ``surname_first``. Non-Han characters pass
    through; characters with no known reading are dropped. At most ``limit`` variants.
    """
    if not text:
        return ()
    beams: list[tuple[int, str]] = [(0, "")]
    first = True
    for ch in text:
        if not _is_han(ch):
            beams = [(cost, acc + ch) for cost, acc in beams]
            first = first and not ch.strip()
            continue
        options = hanja_readings(ch, surname=surname_first and first)
        first = False
        if not options:
            continue
        beams = sorted(
            ((cost + rank, acc + reading) for cost, acc in beams for rank, reading in enumerate(options[:3])),
        )[: max(limit, 1) * 2]
    seen: list[str] = []
    for _, acc in beams:
        if acc and acc not in seen:
            seen.append(acc)
    return tuple(seen[:limit])


# --------------------------------------------------------------------------------------------------
# Names to keys


def _han_word_keys(word: str, surname: bool) -> tuple[tuple[float, tuple[str, ...]], ...]:
    out: dict[tuple[str, ...], float] = {}
    for rank, hangul in enumerate(hanja_to_hangul(word, surname_first=surname)):
        keys = hangul_syllable_keys(hangul)
        if keys and keys not in out:
            out[keys] = float(rank)
    return tuple((cost, keys) for keys, cost in out.items())


def _script_runs(word: str) -> list[tuple[str, str]]:
    """Split a word into runs of Hangul ('H'), Han ('C'), kana ('K'), Latin/other ('L'), digits ('D')."""
    runs: list[tuple[str, str]] = []
    for ch in word:
        code = ord(ch)
        if S_BASE <= code < S_BASE + S_COUNT:
            kind = "H"
        elif _is_han(ch):
            kind = "C"
        elif 0x3040 <= code <= 0x30FF or 0x31F0 <= code <= 0x31FF or 0xFF66 <= code <= 0xFF9F:
            kind = "K"
        elif ch.isdigit():
            kind = "D"
        else:
            kind = "L"
        if runs and runs[-1][0] == kind:
            runs[-1] = (kind, runs[-1][1] + ch)
        else:
            runs.append((kind, ch))
    return runs


def _word_candidates(word: str, first_word: bool) -> tuple[tuple[float, tuple[str, ...]], ...]:
    parts: list[tuple[tuple[float, tuple[str, ...]], ...]] = []
    for index, (kind, run) in enumerate(_script_runs(word)):
        if kind == "H":
            parts.append(((0.0, hangul_syllable_keys(run)),))
        elif kind == "C":
            cands = _han_word_keys(run, surname=first_word and index == 0)
            if cands:
                parts.append(cands)
        elif kind == "K":
            from vigil.names.katakana import katakana_korean_keys

            cands = katakana_korean_keys(run)
            if cands:
                parts.append(cands)
        elif kind == "D":
            parts.append(((0.0, (run,)),))
        else:
            cands = _latin_word_keys(run)
            if cands:
                parts.append(cands)
            else:
                parts.append(((3.0, (f"={run}",)),))
    return _combine(parts)


def _combine(
    parts: list[tuple[tuple[float, tuple[str, ...]], ...]], limit: int = _MAX_CANDIDATES
) -> tuple[tuple[float, tuple[str, ...]], ...]:
    beams: list[tuple[float, tuple[str, ...]]] = [(0.0, ())]
    for options in parts:
        beams = heapq.nsmallest(
            limit, ((c1 + c2, k1 + k2) for c1, k1 in beams for c2, k2 in options), key=lambda x: x[0]
        )
    return tuple(b for b in beams if b[1])


@lru_cache(maxsize=131072)
def _name_candidates(name: str) -> tuple[tuple[float, tuple[str, ...]], ...]:
    norm = normalize_text(name)
    if norm is None:
        return ()
    words = norm.split()
    parts = [_word_candidates(word, i == 0) for i, word in enumerate(words)]
    return _combine([p for p in parts if p])


def korean_token_keys(token: str) -> list[tuple[str, ...]]:
    """Candidate syllable-key sequences of one token (Latin, Hangul, Hanja or katakana), best first."""
    norm = normalize_text(token)
    if norm is None:
        return []
    return [keys for _, keys in _combine([_word_candidates(w, True) for w in norm.split()])]


def korean_keys(name: str | None) -> list[tuple[str, ...]]:
    """Candidate syllable-key sequences of a whole name, best first; word boundaries are dropped.

    >>> korean_keys("Kim Jong-un")[0] == korean_keys("김정은")[0] == ("kim", "cong", "un")
    True

    Tokens that cannot be read as Korean appear as ``=token``. Empty for junk.
    """
    if not isinstance(name, str):
        return []
    return [keys for _, keys in _name_candidates(name)]


def korean_key(name: str | None) -> tuple[str, ...] | None:
    """The best candidate of :func:`korean_keys`, or None."""
    keys = korean_keys(name)
    return keys[0] if keys else None


@lru_cache(maxsize=1)
def _surname_spellings() -> dict[str, tuple[str, ...]]:
    out: dict[str, tuple[str, ...]] = {}
    for hanguls, _, spellings in load_table("surnames.csv"):
        for hangul in hanguls.split("|"):
            out[hangul] = tuple(spellings.split())
    return out


def surname_spellings(hangul: str) -> tuple[str, ...]:
    """Spellings in use for a Korean surname (``박`` -> pak, park, bak, ...), () if not in the table."""
    return _surname_spellings().get(hangul, ())
