"""Build the labelled benchmark sets for the name matcher (benchmarks/sets/*.csv).

    .venv/bin/python benchmarks/build_sets.py [--shared ../shared/data] [--out benchmarks/sets]

Reads only the shared data folder (official list fixtures, reference tables, the Korean-script development
set) and writes four CSV files with the same columns:

    case_id, query, query_schema, query_dob, query_country, expected, category, reason

``expected`` is an authority reference (``un:KPi.033``, ``ofac:20157``) or empty for "must not alert".
``query_country`` is an ISO 3166-1 alpha-2 code in lower case, or empty.

Everything random comes from ``random.Random`` seeded with fixed strings, so re-running gives
byte-identical files. Standard library plus openpyxl only.

The McCune-Reischauer -> Hangul -> Revised Romanization table below is written here on purpose and does
not use ``vigil.names``: the ``rr`` and ``hangul`` variants would otherwise test the engine against itself.
"""

from __future__ import annotations

import argparse
import csv
import random
import re
import sys
import xml.etree.ElementTree as ET
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import openpyxl

SEED = "vigil-benchmark-sets-v1"
COLUMNS = ["case_id", "query", "query_schema", "query_dob", "query_country", "expected", "category", "reason"]

UN_XML = "lists/un/2026-02-27/UN_consolidated.xml"
UN_REF_CSV = "reference/un_sc_consolidated_dprk_1718.csv"
OFAC_ATTR_CSV = "reference/ofac_dprk_party_attributes.csv"
UK_XLSX = "lists/uk/ofsi/2025-04-14/ConList.xlsx"
DEV_CSV = "bench/korean_script_names_dev.csv"
UK_REGIME = "Democratic People's Republic of Korea"

COUNTRY_CODES = {
    "north korea": "kp",
    "democratic people's republic of korea": "kp",
    "dprk": "kp",
    "china": "cn",
    "libya": "ly",
    "iran": "ir",
    "marshall islands": "mh",
    "panama": "pa",
    "myanmar": "mm",
    "vietnam": "vn",
    "singapore": "sg",
    "hong kong": "hk",
}

APOSTROPHES = "'’‘`´ʼ"


def country_code(text: str | None) -> str:
    return COUNTRY_CODES.get((text or "").strip().lower(), "")


def norm_apostrophes(text: str) -> str:
    return re.sub(f"[{APOSTROPHES}]", "'", text)


# ---------------------------------------------------------------------------------------------------------
# Source readers
# ---------------------------------------------------------------------------------------------------------


@dataclass
class UNParty:
    ref: str
    kind: str  # INDIVIDUAL / ENTITY
    name: str
    aliases: list[str]
    parts: list[str] = field(default_factory=list)  # individuals: FIRST_NAME (surname), SECOND_NAME, ...
    dobs: list[str] = field(default_factory=list)  # ISO date or year
    dob_years: list[tuple[int, int]] = field(default_factory=list)  # (from, to) years


def read_un(shared: Path) -> dict[str, UNParty]:
    parties: dict[str, UNParty] = {}
    with open(shared / UN_REF_CSV, encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            aliases = [a.strip().strip('"') for a in row["aliases"].split(";") if a.strip()]
            parties[row["un_ref"]] = UNParty(row["un_ref"], row["kind"], row["name"], aliases)
    root = ET.parse(shared / UN_XML).getroot()  # local official fixture, no DTD
    for ind in root.iter("INDIVIDUAL"):
        ref = (ind.findtext("REFERENCE_NUMBER") or "").strip()
        if ref not in parties:
            continue
        party = parties[ref]
        for tag in ("FIRST_NAME", "SECOND_NAME", "THIRD_NAME", "FOURTH_NAME"):
            value = (ind.findtext(tag) or "").strip()
            if value:
                party.parts.append(value)
        for dob in ind.findall("INDIVIDUAL_DATE_OF_BIRTH"):
            exact, year = dob.findtext("DATE"), dob.findtext("YEAR")
            lo, hi = dob.findtext("FROM_YEAR"), dob.findtext("TO_YEAR")
            if exact:
                party.dobs.append(exact.strip()[:10])
                party.dob_years.append((int(exact[:4]), int(exact[:4])))
            elif year:
                party.dobs.append(year.strip())
                party.dob_years.append((int(year), int(year)))
            elif lo and hi:
                party.dob_years.append((int(lo), int(hi)))
    missing = [p.ref for p in parties.values() if p.kind == "INDIVIDUAL" and not p.parts]
    if missing:
        raise SystemExit(f"UN XML lacks name parts for {missing}")
    return parties


def read_ofac(shared: Path) -> dict[str, dict[str, list[str]]]:
    """uid -> attribute -> values, for the OFAC DPRK reference table."""
    out: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    with open(shared / OFAC_ATTR_CSV, encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            out[row["uid"]][row["attribute"]].append(row["value"])
    return out


def read_uk_dprk(shared: Path) -> list[tuple[int, dict[str, str]]]:
    wb = openpyxl.load_workbook(shared / UK_XLSX, read_only=True)
    try:
        rows = wb["Data"].iter_rows(values_only=True)
        first = next(rows)
        if str(first[0]).strip() != "Last Updated":
            raise SystemExit(f"unexpected first row in ConList: {first[:2]}")
        header = [str(h) for h in next(rows)]
        out = []
        for number, values in enumerate(rows, start=3):
            row = {h: ("" if v is None else str(v).strip()) for h, v in zip(header, values, strict=False)}
            if row.get("Regime") == UK_REGIME and "(UN Ref)" in row.get("Other Information", ""):
                out.append((number, row))
        return out
    finally:
        wb.close()


# ---------------------------------------------------------------------------------------------------------
# Korean syllable folding (used to make sure generated negatives are not a listed name in any spelling)
# ---------------------------------------------------------------------------------------------------------

_WHOLE_TOKEN = {
    "lee": "i",
    "yi": "i",
    "rhee": "i",
    "li": "i",
    "ri": "i",
    "i": "i",
    "ee": "i",
    "park": "pak",
    "bahk": "pak",
    "rho": "no",
    "roh": "no",
    "noh": "no",
}


def fold_syllable(token: str) -> str:
    """A deliberately loose phonetic key for a romanized Korean syllable (or any name token).

    Folds the systematic differences between McCune-Reischauer, the DPRK system, Revised Romanization and
    popular spellings: apostrophes, eo/o/u/eu, voiced/unvoiced/aspirated consonants, r/l/n/zero initials.
    Over-folding only makes the negative filter stricter.
    """
    t = norm_apostrophes(token.lower()).replace("'", "")
    t = re.sub(r"[^a-z]", "", t)
    if not t:
        return ""
    if t in _WHOLE_TOKEN:
        return _WHOLE_TOKEN[t]
    if len(t) > 2 and t.endswith("h") and t[-2] in "aeiou":
        t = t[:-1]  # Koh, Oh, Sohn -> handled below
    t = t.replace("hn", "n")
    for a, b in (
        ("yeo", "yo"),
        ("eo", "o"),
        ("eu", "u"),
        ("oo", "u"),
        ("ee", "i"),
        ("you", "yo"),
        ("ou", "u"),
        ("ae", "e"),
        ("ai", "e"),
        ("oi", "oe"),
    ):
        t = t.replace(a, b)
    t = t.replace("ng", "N")
    for a, b in (
        ("tch", "c"),
        ("ch", "c"),
        ("jj", "c"),
        ("j", "c"),
        ("kk", "k"),
        ("kh", "k"),
        ("g", "k"),
        ("tt", "t"),
        ("th", "t"),
        ("d", "t"),
        ("pp", "p"),
        ("ph", "p"),
        ("b", "p"),
        ("f", "p"),
        ("ss", "s"),
        ("sh", "s"),
        ("l", "r"),
        ("rr", "r"),
    ):
        t = t.replace(a, b)
    t = t.replace("u", "o")
    if t.startswith("r"):
        t = "n" + t[1:]
    if t.startswith("n") and len(t) > 1 and t[1] in "iy":
        t = t[1:]
    if t.startswith("yi"):
        t = t[1:]
    if t.startswith("wo") and (len(t) == 2):
        t = "o"  # Woo / U
    return t.replace("N", "ng")


def name_tokens(name: str) -> list[str]:
    name = re.sub(r"\([^)]*\)", " ", name)
    return [t for t in re.split(r"[\s\-,.]+", norm_apostrophes(name)) if re.search(r"[A-Za-z]", t)]


class ListedNames:
    """Every listed person name (UN DPRK + OFAC DPRK individuals) as folded keys."""

    def __init__(self) -> None:
        self.concat: set[str] = set()
        self.sets: list[frozenset[str]] = []
        self.source: dict[str, str] = {}

    def add(self, name: str, label: str) -> None:
        toks = [fold_syllable(t) for t in name_tokens(name)]
        toks = [t for t in toks if t]
        if not toks:
            return
        for key in self._concat_keys(toks):
            self.concat.add(key)
            self.source.setdefault(key, label)
        self.sets.append(frozenset(toks))

    @staticmethod
    def _concat_keys(toks: list[str]) -> set[str]:
        keys = {"".join(toks), "".join(toks[1:] + toks[:1]), "".join(toks[-1:] + toks[:-1])}
        return {k for k in keys if k}

    def collides(self, syllables: list[str], rendered: str) -> bool:
        toks = [fold_syllable(s) for s in syllables]
        if any(k in self.concat for k in self._concat_keys(toks)):
            return True
        rtoks = [fold_syllable(t) for t in name_tokens(rendered)]
        if any(k in self.concat for k in self._concat_keys(rtoks)):
            return True
        mine = frozenset(toks)
        return any(mine <= listed for listed in self.sets)


# ---------------------------------------------------------------------------------------------------------
# Our own McCune-Reischauer -> Hangul -> Revised Romanization table
# ---------------------------------------------------------------------------------------------------------
# Jamo indices follow Unicode Hangul syllable composition: syllable = 0xAC00 + (L * 21 + V) * 28 + T.
# Initials L: g kk n d tt r m b pp s ss - j jj ch k t p h
G, KK, N, D, TT, R, M, B, PP, S, SS, NG, J, JJ, CH, K, T, P, H = range(19)
RR_INITIAL = [
    "g",
    "kk",
    "n",
    "d",
    "tt",
    "r",
    "m",
    "b",
    "pp",
    "s",
    "ss",
    "",
    "j",
    "jj",
    "ch",
    "k",
    "t",
    "p",
    "h",
]
# Vowels V: a ae ya yae eo e yeo ye o wa wae oe yo u wo we wi yu eu ui i
RR_VOWEL = [
    "a",
    "ae",
    "ya",
    "yae",
    "eo",
    "e",
    "yeo",
    "ye",
    "o",
    "wa",
    "wae",
    "oe",
    "yo",
    "u",
    "wo",
    "we",
    "wi",
    "yu",
    "eu",
    "ui",
    "i",
]
# Finals T (RR pronunciation of a syllable-final consonant, as RR writes it in names)
RR_FINAL = [
    "",
    "k",
    "k",
    "k",
    "n",
    "n",
    "n",
    "t",
    "l",
    "k",
    "m",
    "l",
    "l",
    "l",
    "p",
    "l",
    "m",
    "p",
    "p",
    "t",
    "t",
    "ng",
    "t",
    "t",
    "k",
    "t",
    "p",
    "t",
]

# McCune-Reischauer initials as the UN writes them. Unmarked ch/k/t/p are ambiguous in UN spellings that drop
# the aspiration apostrophe (CHOL = ch'ol = 철); the first candidate is the preferred reading (DPRK-style
# spellings write j/g/d/b for the plain consonants, so an unmarked ch is more often the aspirate).
MR_INITIALS: list[tuple[str, list[int]]] = [
    ("tch", [JJ]),
    ("jj", [JJ]),
    ("kk", [KK]),
    ("tt", [TT]),
    ("pp", [PP]),
    ("ss", [SS]),
    ("ch'", [CH]),
    ("k'", [K]),
    ("t'", [T]),
    ("p'", [P]),
    ("ph", [P]),
    ("kh", [K]),
    ("th", [T]),
    ("ch", [CH, J]),
    ("j", [J]),
    ("k", [G, K]),
    ("g", [G]),
    ("t", [D, T]),
    ("d", [D]),
    ("p", [B, P]),
    ("b", [B]),
    ("sh", [S]),
    ("s", [S]),
    ("h", [H]),
    ("m", [M]),
    ("n", [N]),
    ("r", [R]),
    ("l", [R]),
    ("", [NG]),
]
# In a name written in full MR (it carries apostrophes), unmarked consonants and vowels are the plain ones.
MR_INITIALS_FULL = {"ch": [J], "k": [G], "t": [D], "p": [B]}
MR_VOWELS: list[tuple[str, list[int]]] = [
    ("yae", [3]),
    ("wae", [10]),
    ("wo'", [14]),
    ("yo'", [6]),
    ("u'i", [19]),
    ("wo", [14]),
    ("we", [15]),
    ("wi", [16]),
    ("wa", [9]),
    ("ya", [2]),
    ("yo", [12, 6]),
    ("ye", [7]),
    ("yu", [17]),
    ("ae", [1]),
    ("oe", [11]),
    ("ui", [19]),
    ("o'", [4]),
    ("u'", [18]),
    ("a", [0]),
    ("e", [5]),
    ("o", [8, 4]),
    ("u", [13, 18]),
    ("i", [20]),
]
MR_VOWELS_FULL = {"yo": [12], "o": [8], "u": [13]}
MR_FINALS: dict[str, list[int]] = {
    "": [0],
    "k": [1],
    "n": [4],
    "t": [19, 7],
    "l": [8],
    "m": [16],
    "p": [17],
    "ng": [21],
}

# Hangul syllables in use in Korean names, most frequent first. Only these count as readings of a romanized
# syllable; a syllable with exactly one reading in the inventory is "unambiguous".
SURNAME_INVENTORY = list(
    "김이리박최정강조윤장임림한오서신권황안송전홍유류고문양량손배백허남심노로하곽성차"
    "주우구민나라진지엄채원천방공현함변염렴여려추도소석연련마길표명기왕금옥육인맹제모"
    "탁국어은편용예경봉사부가복태목형피두감음빈동온호범좌"
)
GIVEN_INVENTORY = list(
    "영정수성민현철호진준지은경상재희혜종용광명일남혁석미숙국주우원태연승선순환윤인훈"
    "식동옥춘기룡학규화한애향금란만봉복천창하세도범웅건삼길섭필덕근유아나예서소빈찬택"
    "열렬림련홍제로중휘형욱자병현원송청충운률균표일백관신진구회문해산심관송효웅려모월"
    "평실흥분녀단장무"
)


def _rank(inventory: list[str]) -> dict[str, int]:
    ranks: dict[str, int] = {}
    for i, syl in enumerate(inventory):
        ranks.setdefault(syl, i)
    return ranks


SURNAME_RANK = _rank(SURNAME_INVENTORY)
GIVEN_RANK = _rank(GIVEN_INVENTORY)


def compose(lead: int, vowel: int, tail: int) -> str:
    return chr(0xAC00 + (lead * 21 + vowel) * 28 + tail)


def decompose(syl: str) -> tuple[int, int, int]:
    code = ord(syl) - 0xAC00
    return code // (21 * 28), (code % (21 * 28)) // 28, code % 28


def to_rr(syl: str) -> str:
    lead, vowel, tail = decompose(syl)
    return RR_INITIAL[lead] + RR_VOWEL[vowel] + RR_FINAL[tail]


def mr_candidates(syllable: str, full_mr: bool) -> list[tuple[int, str]]:
    """All Hangul syllables the romanized syllable can spell, as (consonant preference, syllable)."""
    s = norm_apostrophes(syllable.lower())
    s = re.sub(r"y'o", "yo'", s)  # the UN's MY'ONG / KY'ONG misplace the breve apostrophe
    out: list[tuple[int, str]] = []
    for ini, leads in MR_INITIALS:
        if not s.startswith(ini):
            continue
        if full_mr and ini in MR_INITIALS_FULL:
            leads = MR_INITIALS_FULL[ini]
        rest = s[len(ini) :]
        for vow, vowels in MR_VOWELS:
            if not rest.startswith(vow):
                continue
            if full_mr and vow in MR_VOWELS_FULL:
                vowels = MR_VOWELS_FULL[vow]
            tail = rest[len(vow) :]
            if tail not in MR_FINALS:
                continue
            for pref, lead in enumerate(leads):
                for vowel in vowels:
                    for fin in MR_FINALS[tail]:
                        out.append((pref, compose(lead, vowel, fin)))
    return out


def readings(syllable: str, surname: bool, full_mr: bool) -> list[str]:
    """Readings of one romanized syllable found in the name inventory, preferred first."""
    rank = SURNAME_RANK if surname else GIVEN_RANK
    best: dict[str, tuple[int, int]] = {}
    for pref, syl in mr_candidates(syllable, full_mr):
        if syl in rank:
            key = (pref, rank[syl]) if not surname else (rank[syl], pref)
            if syl not in best or key < best[syl]:
                best[syl] = key
    return sorted(best, key=lambda k: best[k])


@dataclass
class HangulGuess:
    syllables: list[str]
    ambiguous: list[str]  # romanized syllables whose reading was a preference, not determined
    resolved_by: list[str]  # aliases that narrowed a reading


def person_syllables(party: UNParty) -> tuple[str, list[str], str]:
    """(surname, given-name syllables, separator of the listed given name)."""
    surname = party.parts[0]
    given_raw = " ".join(party.parts[1:])
    sep = "-" if "-" in given_raw else " "
    return surname, [g for g in re.split(r"[\s\-]+", given_raw) if g], sep


def guess_hangul(party: UNParty) -> HangulGuess | None:
    surname, given, _ = person_syllables(party)
    romans = [surname, *given]
    full = any(c in APOSTROPHES for c in party.name)
    options = [readings(r, i == 0, full) for i, r in enumerate(romans)]
    if any(not o for o in options):
        return None
    resolved: list[str] = []
    keys = [fold_syllable(r) for r in romans]
    for alias in party.aliases:
        toks = name_tokens(alias)
        if len(toks) != len(romans) or [fold_syllable(t) for t in toks] != keys:
            continue
        afull = any(c in APOSTROPHES for c in alias)
        for i, tok in enumerate(toks):
            narrowed = [o for o in options[i] if o in set(readings(tok, i == 0, afull))]
            if narrowed and narrowed != options[i]:
                options[i] = narrowed
                if alias not in resolved:
                    resolved.append(alias)
    ambiguous = [romans[i] for i, o in enumerate(options) if len(o) > 1]
    return HangulGuess([o[0] for o in options], ambiguous, resolved)


# ---------------------------------------------------------------------------------------------------------
# Spelling tables (ours): popular spellings and the North/South initial r/n alternation
# ---------------------------------------------------------------------------------------------------------

POPULAR_SURNAME = {
    "KIM": ["Gim"],
    "PAK": ["Park", "Bak"],
    "CHOE": ["Choi"],
    "CH'OE": ["Choi"],
    "JONG": ["Jung", "Chung"],
    "CHONG": ["Jung", "Chung"],
    "CHO": ["Jo"],
    "JO": ["Cho"],
    "CHANG": ["Jang"],
    "JANG": ["Chang"],
    "JON": ["Jeon", "Chun"],
    "YUN": ["Yoon"],
    "PAEK": ["Baek", "Paik"],
    "PAE": ["Bae"],
    "MUN": ["Moon"],
    "KO": ["Koh", "Go"],
    "SON": ["Sohn"],
    "CHU": ["Joo", "Ju"],
    "KU": ["Koo", "Gu"],
    "HYON": ["Hyun"],
    "YO'N": ["Yeon"],
    "YU": ["Yoo"],
    "RYU": ["Ryoo"],
    "HAN": ["Hahn"],
    "RI": ["Rhee"],
    "RA": ["La"],
}
POPULAR_GIVEN = {
    "CHOL": "Chul",
    "CH'O'L": "Chul",
    "SONG": "Sung",
    "SO'NG": "Sung",
    "YONG": "Young",
    "YO'NG": "Young",
    "JONG": "Jung",
    "CHO'NG": "Jung",
    "HYOK": "Hyuk",
    "HYO'K": "Hyuk",
    "MYONG": "Myung",
    "MY'ONG": "Myung",
    "KYONG": "Kyung",
    "KY'ONG": "Kyung",
    "HYON": "Hyun",
    "SOK": "Seok",
    "SO'K": "Seok",
    "BOM": "Beom",
    "UN": "Eun",
    "U'N": "Eun",
    "GUK": "Kook",
    "SU": "Soo",
    "HUN": "Hoon",
    "GON": "Geon",
    "CHON": "Cheon",
    "YON": "Yeon",
    "U": "Woo",
    "BYONG": "Byung",
    "PYONG": "Byung",
    "TONG": "Dong",
    "JUNG": "Joong",
    "HYONG": "Hyung",
    "SOP": "Seop",
    "WON": "Won",
    "KIL": "Gil",
    "GIL": "Gil",
    "KWANG": "Gwang",
    "CHUN": "Choon",
    "CHUL": "Chul",
    "SUNG": "Seung",
}
# South Korean passport-style surnames, for the namesakes written the way a South Korean customer's are
PASSPORT_SURNAME = {
    "KIM": "Kim",
    "RI": "Lee",
    "PAK": "Park",
    "CHOE": "Choi",
    "CH'OE": "Choi",
    "JONG": "Jung",
    "CHO": "Cho",
    "JO": "Cho",
    "CHANG": "Jang",
    "JANG": "Jang",
    "JON": "Jeon",
    "YUN": "Yoon",
    "PAEK": "Baek",
    "PAE": "Bae",
    "MUN": "Moon",
    "KO": "Ko",
    "SON": "Son",
    "CHU": "Joo",
    "KU": "Koo",
    "HYON": "Hyun",
    "YO'N": "Yeon",
    "YU": "Yoo",
    "RYU": "Ryu",
    "KANG": "Kang",
    "HAN": "Han",
    "HWANG": "Hwang",
    "RA": "Na",
    "MIN": "Min",
}
# r/n initials kept in the North and dropped in the South (surnames and the first given-name syllable)
DPRK_NR = {
    "RI": ["Lee", "Yi"],
    "RYU": ["Yu"],
    "RIM": ["Im", "Lim"],
    "RA": ["Na"],
    "RO": ["No", "Noh"],
    "RYANG": ["Yang"],
    "RYOM": ["Yom"],
    "RYONG": ["Yong"],
    "RYON": ["Yon"],
    "RYO": ["Yo"],
    "RYE": ["Ye"],
    "RYUL": ["Yul"],
    "RYOL": ["Yol"],
    "RIM'": ["Im"],
    "NYO": ["Yo"],
}

# ---------------------------------------------------------------------------------------------------------
# Frequency tables for the negatives
# ---------------------------------------------------------------------------------------------------------

# Korean surnames: persons (thousands), Statistics Korea 2015 Population and Housing Census (released
# 2016-09-07). The ten largest are the published figures as reported in the press (e.g. Asia Economy,
# cm.asiae.co.kr/article/2016090708573546435: 김 10,690; 이 7,307; 박 4,192; 최 2,334; 정 2,152; 강 1,177;
# 조 1,056; 윤 1,021; 장 993; 임 824). The others are approximate (rounded, from the same census tables as
# commonly quoted) and serve only as sampling weights. 이 and 리, 유 and 류, 임 and 림 are one surname each
# (the census counts 柳 under both 유 and 류; we give the DPRK spelling the whole weight).
SURNAME_WEIGHTS_2015 = {
    "김": 10690,
    "리": 7307,
    "박": 4192,
    "최": 2334,
    "정": 2152,
    "강": 1177,
    "조": 1056,
    "윤": 1021,
    "장": 993,
    "림": 824,
    "한": 773,
    "오": 763,
    "서": 752,
    "신": 741,
    "권": 706,
    "황": 697,
    "안": 685,
    "송": 683,
    "전": 559,
    "홍": 558,
    "류": 650,
    "유": 230,
    "고": 471,
    "문": 465,
    "양": 461,
    "손": 457,
    "배": 400,
    "백": 381,
    "허": 326,
    "남": 275,
    "심": 272,
    "노": 220,
    "하": 230,
    "곽": 203,
    "성": 199,
    "차": 180,
    "주": 232,
    "우": 189,
    "구": 208,
    "민": 171,
    "라": 23,
    "진": 167,
    "지": 159,
    "현": 90,
    "연": 35,
}

# Common given-name syllables, UN/DPRK-style romanization, rough relative weight (our own list of syllables
# frequent in given names of both Koreas; the weights are ranks, not measurements). Two Hangul syllables
# with the same romanization (영/용 YONG, 정/종 JONG, 성/송 SONG, 서/소 SO) share a row.
GIVEN_SYLLABLES = [
    ("철", "CHOL", 10),
    ("성/송", "SONG", 11),
    ("영/용", "YONG", 14),
    ("정/종", "JONG", 13),
    ("호", "HO", 9),
    ("수", "SU", 9),
    ("남", "NAM", 7),
    ("일", "IL", 8),
    ("광", "KWANG", 7),
    ("명", "MYONG", 7),
    ("혁", "HYOK", 7),
    ("국", "GUK", 6),
    ("민", "MIN", 8),
    ("준", "JUN", 8),
    ("진", "JIN", 8),
    ("현", "HYON", 8),
    ("석", "SOK", 6),
    ("춘", "CHUN", 5),
    ("룡", "RYONG", 4),
    ("훈", "HUN", 6),
    ("식", "SIK", 5),
    ("학", "HAK", 4),
    ("범", "BOM", 3),
    ("동", "DONG", 5),
    ("희", "HUI", 6),
    ("옥", "OK", 4),
    ("경", "KYONG", 7),
    ("미", "MI", 6),
    ("은", "UN", 6),
    ("숙", "SUK", 5),
    ("애", "AE", 3),
    ("향", "HYANG", 3),
    ("금", "KUM", 4),
    ("란", "RAN", 3),
    ("순", "SUN", 5),
    ("복", "BOK", 3),
    ("봉", "BONG", 3),
    ("만", "MAN", 3),
    ("천", "CHON", 3),
    ("선", "SON", 5),
    ("혜", "HYE", 6),
    ("주", "JU", 6),
    ("창", "CHANG", 4),
    ("원", "WON", 6),
    ("태", "TAE", 6),
    ("하", "HA", 4),
    ("상", "SANG", 7),
    ("기", "GI", 6),
    ("재", "JAE", 7),
    ("우", "U", 6),
    ("연", "YON", 6),
    ("승", "SUNG", 6),
    ("윤", "YUN", 5),
    ("화", "HWA", 4),
    ("길", "GIL", 3),
    ("환", "HWAN", 5),
    ("규", "GYU", 4),
    ("섭", "SOP", 3),
    ("웅", "UNG", 3),
    ("건", "GON", 4),
    ("삼", "SAM", 2),
    ("세", "SE", 4),
    ("도", "DO", 4),
    ("익", "IK", 2),
    ("필", "PIL", 2),
    ("권", "GWON", 2),
    ("덕", "DOK", 3),
    ("근", "GUN", 3),
    ("인", "IN", 5),
    ("유", "YU", 4),
    ("아", "A", 4),
    ("나", "NA", 3),
    ("예", "YE", 3),
    ("지", "JI", 7),
    ("서/소", "SO", 5),
    ("빈", "BIN", 3),
    ("한", "HAN", 4),
    ("찬", "CHAN", 3),
    ("택", "THAEK", 2),
    ("열", "YOL", 2),
    ("렬", "RYOL", 2),
    ("림", "RIM", 2),
    ("련", "RYON", 2),
    ("홍", "HONG", 3),
    ("중", "JUNG", 3),
    ("형", "HYONG", 3),
    ("욱", "UK", 3),
    ("병", "BYONG", 3),
    ("운", "UN'", 0),
]
GIVEN_SYLLABLES = [g for g in GIVEN_SYLLABLES if g[2] > 0]


def title(token: str) -> str:
    return "-".join(p[:1].upper() + p[1:].lower() for p in token.split("-"))


def like(word: str, model: str) -> str:
    """``word`` in the letter case of ``model`` (upper case if the listed token is upper case)."""
    return word.upper() if model.isupper() else title(word)


# ---------------------------------------------------------------------------------------------------------
# Writers
# ---------------------------------------------------------------------------------------------------------


def write_csv(path: Path, rows: list[dict[str, str]]) -> None:
    ids: set[str] = set()
    for row in rows:
        if row["case_id"] in ids:
            raise SystemExit(f"duplicate case_id {row['case_id']} in {path.name}")
        ids.add(row["case_id"])
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({c: row.get(c, "") for c in COLUMNS})


def case(
    case_id: str,
    query: str,
    schema: str,
    expected: str,
    category: str,
    reason: str,
    dob: str = "",
    country: str = "",
) -> dict[str, str]:
    return {
        "case_id": case_id,
        "query": query,
        "query_schema": schema,
        "query_dob": dob,
        "query_country": country,
        "expected": expected,
        "category": category,
        "reason": reason,
    }


# ---------------------------------------------------------------------------------------------------------
# 1. cross_list.csv
# ---------------------------------------------------------------------------------------------------------


def uk_dob(text: str) -> str:
    m = re.fullmatch(r"(\d\d)/(\d\d)/(\d{4})", text.strip())
    if not m:
        return ""
    d, mth, y = m.groups()
    if mth == "00":
        return y
    if d == "00":
        return f"{y}-{mth}"
    return f"{y}-{mth}-{d}"


def build_cross_list(shared: Path, un: dict[str, UNParty]) -> list[dict[str, str]]:
    rows: list[dict[str, str]] = []
    extras: list[dict[str, str]] = []
    for number, row in read_uk_dprk(shared):
        m = re.search(r"\(UN Ref\):\s*(KP[ie]\.\d{3})", row["Other Information"])
        if not m:
            raise SystemExit(f"ConList row {number}: UN Ref not parseable")
        ref = m.group(1)
        if ref not in un:
            raise SystemExit(f"ConList row {number}: {ref} not in the UN list")
        uk_ref = re.search(r"\(UK Sanctions List Ref\):\s*([A-Z]{3}\d{4})", row["Other Information"])
        is_person = row["Group Type"] == "Individual"
        schema = "Person" if is_person else "Organization"
        query = " ".join(row[f"Name {i}"] for i in range(1, 7) if row[f"Name {i}"])
        dob = uk_dob(row["DOB"]) if is_person else ""
        country = country_code(row["Nationality"] if is_person else row["Country"])
        alias_type = row["Alias Type"] or "unknown"
        category = "uk_" + re.sub(r"[^a-z]+", "_", alias_type.lower()).strip("_")
        src = (
            f"UK OFSI ConList 2025-04-14, sheet Data row {number} (Group ID {row['Group ID']}, "
            f"{uk_ref.group(1) if uk_ref else 'no UK ref'}, Alias Type '{alias_type}')"
        )
        reason = (
            f"{src}: Other Information cites (UN Ref):{ref}; UN primary name {un[ref].name}. "
            f"Query is Name 1..Name 6 in column order"
        )
        rows.append(
            case(f"XL{len(rows) + 1:04d}", query, schema, f"un:{ref}", category, reason, dob, country)
        )
        if row["Name Non-Latin Script"]:
            extras.append(
                case(
                    "",
                    row["Name Non-Latin Script"],
                    schema,
                    f"un:{ref}",
                    "non_latin",
                    f"{src}: Name Non-Latin Script of the row citing (UN Ref):{ref}; "
                    f"UN primary name {un[ref].name}",
                    dob,
                    country,
                )
            )
    for i, extra in enumerate(extras, start=1):
        extra["case_id"] = f"XLN{i:03d}"
    return rows + extras


# ---------------------------------------------------------------------------------------------------------
# 2. korean_script.csv
# ---------------------------------------------------------------------------------------------------------

SCHEMA = {"person": "Person", "entity": "Organization", "vessel": "Vessel"}


def build_korean_script(
    shared: Path, un: dict[str, UNParty], ofac: dict[str, dict[str, list[str]]]
) -> list[dict[str, str]]:
    rows = []
    with open(shared / DEV_CSV, encoding="utf-8", newline="") as fh:
        for r in csv.DictReader(fh):
            un_ref, ofac_id = r["expected_un_ref"].strip(), r["expected_ofac_id"].strip()
            if un_ref:
                if un_ref not in un:
                    raise SystemExit(f"{r['query_id']}: {un_ref} not in the UN list")
                expected = f"un:{un_ref}"
                who = f"UN {un_ref} {un[un_ref].name}"
                if ofac_id:
                    who += f"; also OFAC {ofac_id}"
            elif ofac_id:
                if ofac_id not in ofac:
                    raise SystemExit(f"{r['query_id']}: OFAC {ofac_id} not in the reference table")
                expected = f"ofac:{ofac_id}"
                who = f"OFAC {ofac_id} {ofac[ofac_id]['name'][0]}"
            else:
                raise SystemExit(f"{r['query_id']}: no expected party")
            reason = (
                f"bench/korean_script_names_dev.csv {r['query_id']}: {who}; source {r['source']}; "
                f"confidence {r['confidence']} (development set)"
            )
            rows.append(
                case(
                    f"KS-{r['query_id']}",
                    r["query_name"],
                    SCHEMA[r["party_type"]],
                    expected,
                    r["script"].lower(),
                    reason,
                )
            )
    return rows


# ---------------------------------------------------------------------------------------------------------
# 3. hard_negatives.csv
# ---------------------------------------------------------------------------------------------------------


def listed_person_index(un: dict[str, UNParty], ofac: dict[str, dict[str, list[str]]]) -> ListedNames:
    idx = ListedNames()
    for p in un.values():
        if p.kind == "INDIVIDUAL":
            for n in [p.name, *p.aliases]:
                idx.add(n, f"un:{p.ref}")
    for uid, attrs in ofac.items():
        if attrs.get("party_type", [""])[0] == "Individual":
            for n in attrs.get("name", []) + attrs.get("alias", []):
                idx.add(n, f"ofac:{uid}")
    return idx


def random_dob(rng: random.Random, avoid: list[tuple[int, int]], lo: int = 1950, hi: int = 2003) -> str:
    for _ in range(1000):
        day = date(lo, 1, 1) + timedelta(days=rng.randrange((date(hi, 12, 31) - date(lo, 1, 1)).days + 1))
        if all(not (a - 2 <= day.year <= b + 2) for a, b in avoid):
            return day.isoformat()
    raise SystemExit("no DOB found")


def query_key(query: str) -> str:
    """Folded key of a query, to keep a negative from repeating a positive query of another set."""
    return "".join(fold_syllable(t) for t in name_tokens(query))


def korean_namesakes(
    un: dict[str, UNParty], listed: ListedNames, rng: random.Random, target: int, positives: set[str]
) -> list[dict[str, str]]:
    bases = []
    for p in sorted(un.values(), key=lambda p: p.ref):
        if p.kind != "INDIVIDUAL" or p.ref == "KPi.080":  # KPi.080 is a Hong Kong Chinese name
            continue
        surname, given, sep = person_syllables(p)
        if len(given) != 2:
            continue
        hangul = readings(surname, True, any(c in APOSTROPHES for c in surname))
        if not hangul:
            continue
        bases.append((p, surname, given, sep, hangul[0]))
    by_surname: dict[str, list[tuple[UNParty, str, list[str], str, str]]] = defaultdict(list)
    for b in bases:
        by_surname[b[4]].append(b)
    surnames = sorted(by_surname)
    s_weights = [SURNAME_WEIGHTS_2015.get(s, 20) for s in surnames]
    syl_romans = [g[1] for g in GIVEN_SYLLABLES]
    syl_weights = [g[2] for g in GIVEN_SYLLABLES]
    out: list[dict[str, str]] = []
    seen: set[str] = set()
    attempts = 0
    while len(out) < target:
        attempts += 1
        if attempts > target * 200:
            raise SystemExit(f"only {len(out)} namesakes found")
        hs = rng.choices(surnames, s_weights)[0]
        p, surname, given, sep, _ = rng.choice(by_surname[hs])
        keep = rng.randrange(2)
        new = rng.choices(syl_romans, syl_weights)[0]
        old = given[1 - keep]
        if fold_syllable(new) in {fold_syllable(old), fold_syllable(surname), fold_syllable(given[keep])}:
            continue
        syllables = [surname, *given]
        syllables[2 - keep] = new
        plain = [s.replace("'", "").replace("’", "") for s in syllables]
        style = rng.random()
        if style < 0.55:  # the listed spelling style (DPRK / UN)
            rendered = f"{title(plain[0])} " + sep.join(title(s) for s in plain[1:])
            style_note = "UN/DPRK-style spelling"
        else:  # South Korean passport style: popular surname, popular syllables, given name joined
            sur = PASSPORT_SURNAME.get(norm_apostrophes(surname.upper()), title(plain[0]))
            giv = [POPULAR_GIVEN.get(s.upper(), title(s)) for s in plain[1:]]
            joiner = "-" if rng.random() < 0.5 else ""
            rendered = f"{sur} {giv[0]}{joiner}{giv[1].lower()}"
            style_note = "South Korean passport-style spelling"
        key = query_key(rendered)
        if key in seen or key in positives:
            continue
        if listed.collides(plain, rendered) or listed.collides(
            [plain[0], *re.split(r"[\s\-]+", " ".join(plain[1:]))], rendered
        ):
            continue
        seen.add(key)
        dob = random_dob(rng, p.dob_years)
        country = "kr" if rng.random() < 0.6 else ""
        kept = given[keep]
        listed_dob = ", ".join(p.dobs) or "no exact date listed"
        reason = (
            f"Namesake of {p.ref} {p.name} (DOB {listed_dob}): same surname {surname} and given "
            f"syllable {kept}, other syllable {old} replaced by {new} drawn from our given-name "
            f"syllable table (surname drawn by 2015 census weight); {style_note}; folded spelling "
            "matches no UN/OFAC DPRK individual name or alias and is not a subset of one; DOB drawn at "
            "random >=3 years from the listed DOB"
        )
        out.append(case("", rendered, "Person", "", "korean_namesake", reason, dob, country))
    return out


# Ordinary customers of a bank in Manila, Bangkok, Jakarta, Kuala Lumpur, Ho Chi Minh City (word lists ours)
PEOPLE = {
    "ph": (
        [
            "Jose",
            "Juan",
            "Maria",
            "Ana",
            "Mark",
            "John Paul",
            "Jerome",
            "Rodel",
            "Rowena",
            "Jocelyn",
            "Marilou",
            "Ramon",
            "Eduardo",
            "Ricardo",
            "Cristina",
            "Lorna",
            "Rogelio",
            "Arnel",
            "Analyn",
            "Mary Grace",
            "Jonel",
            "Renato",
            "Rosalie",
            "Danilo",
            "Maricel",
            "Jericho",
            "Kristine",
            "Noel",
        ],
        [
            "Santos",
            "Reyes",
            "Cruz",
            "Bautista",
            "Ocampo",
            "Garcia",
            "Mendoza",
            "Torres",
            "Tomas",
            "Andrada",
            "Castillo",
            "Flores",
            "Villanueva",
            "Ramos",
            "Castro",
            "Rivera",
            "Aquino",
            "Navarro",
            "Salazar",
            "Mercado",
            "Dela Cruz",
            "De Leon",
            "Pascual",
            "Dizon",
            "Manalo",
            "Soriano",
            "Gonzales",
            "Lopez",
            "Macaraeg",
            "Tolentino",
            "Panganiban",
            "Bernardo",
            "Magbanua",
        ],
    ),
    "th": (
        [
            "Somchai",
            "Somsak",
            "Sompong",
            "Prasert",
            "Wichai",
            "Surachai",
            "Anan",
            "Kittisak",
            "Nattapong",
            "Chaiwat",
            "Siriporn",
            "Suda",
            "Malee",
            "Ratana",
            "Wanida",
            "Pornthip",
            "Kanya",
            "Napat",
            "Thanakorn",
            "Pimchanok",
            "Supaporn",
            "Araya",
            "Jintana",
            "Busaba",
            "Kamon",
            "Niran",
            "Pichai",
            "Sakda",
            "Teerapong",
            "Apinya",
        ],
        [
            "Saetang",
            "Srisuk",
            "Wongsawat",
            "Chaiyaphum",
            "Rattanakorn",
            "Sukprasert",
            "Thongchai",
            "Boonmee",
            "Kaewkla",
            "Phromma",
            "Sirisombat",
            "Intharaksa",
            "Jaidee",
            "Suwannarat",
            "Nakprasit",
            "Pattanapong",
            "Kongkaew",
            "Wattanasin",
            "Saelim",
            "Charoensuk",
            "Rungruang",
            "Sombatsiri",
            "Yodsuwan",
            "Khamsaen",
            "Phanthong",
            "Siriwat",
            "Thammawong",
        ],
    ),
    "id": (
        [
            "Budi",
            "Agus",
            "Dwi",
            "Eko",
            "Hadi",
            "Joko",
            "Rudi",
            "Wahyu",
            "Yudi",
            "Siti",
            "Dewi",
            "Sri",
            "Rina",
            "Wati",
            "Ani",
            "Fitri",
            "Indah",
            "Putri",
            "Ratna",
            "Yuli",
            "Bambang",
            "Hendra",
            "Irfan",
            "Taufik",
            "Nur",
            "Ayu",
            "Rizky",
            "Fajar",
            "Andi",
            "Lina",
        ],
        [
            "Santoso",
            "Setiawan",
            "Wijaya",
            "Pratama",
            "Saputra",
            "Hidayat",
            "Kurniawan",
            "Gunawan",
            "Susanto",
            "Hartono",
            "Nugroho",
            "Purnomo",
            "Wibowo",
            "Rahayu",
            "Lestari",
            "Sari",
            "Handayani",
            "Kusuma",
            "Permana",
            "Suryadi",
            "Halim",
            "Tanjung",
            "Siregar",
            "Nasution",
            "Simanjuntak",
            "Harahap",
            "Lubis",
            "Wulandari",
            "Prasetyo",
        ],
    ),
    "my": (
        [
            "Ahmad",
            "Muhammad",
            "Mohd",
            "Abdul",
            "Azman",
            "Hafiz",
            "Faizal",
            "Ismail",
            "Razak",
            "Rosli",
            "Zulkifli",
            "Amir",
            "Syafiq",
            "Nur",
            "Siti",
            "Aisyah",
            "Farah",
            "Nurul",
            "Zainab",
            "Fatimah",
            "Aminah",
            "Salmah",
            "Aina",
            "Hidayah",
        ],
        [
            "Abdullah",
            "Ibrahim",
            "Hassan",
            "Hussein",
            "Ismail",
            "Osman",
            "Rahman",
            "Yusof",
            "Salleh",
            "Hamid",
            "Aziz",
            "Karim",
            "Ahmad",
            "Othman",
            "Mansor",
            "Jaafar",
            "Bakar",
            "Daud",
        ],
    ),
    "vn": (
        [
            "Anh",
            "Binh",
            "Cuong",
            "Dung",
            "Hai",
            "Hanh",
            "Hoa",
            "Hung",
            "Huong",
            "Khanh",
            "Lan",
            "Linh",
            "Long",
            "Mai",
            "Nam",
            "Nga",
            "Phuong",
            "Quang",
            "Son",
            "Thao",
            "Thu",
            "Trang",
            "Tuan",
            "Tung",
            "Viet",
            "Yen",
            "Dat",
            "Hieu",
            "Loan",
            "Vy",
        ],
        [
            "Nguyen",
            "Tran",
            "Le",
            "Pham",
            "Hoang",
            "Huynh",
            "Phan",
            "Vu",
            "Vo",
            "Dang",
            "Bui",
            "Do",
            "Ho",
            "Ngo",
            "Duong",
            "Ly",
        ],
    ),
    "cn": (
        [
            "Wei",
            "Fang",
            "Min",
            "Jing",
            "Qiang",
            "Lei",
            "Jun",
            "Yan",
            "Jie",
            "Tao",
            "Ming",
            "Chao",
            "Xiuying",
            "Hua",
            "Ping",
            "Gang",
            "Hui",
            "Xin",
            "Hao",
            "Bo",
            "Zhiqiang",
            "Xiaoling",
            "Guoqing",
            "Lihua",
            "Yufei",
            "Haoran",
            "Zihan",
            "Jiahui",
        ],
        [
            "Wang",
            "Li",
            "Zhang",
            "Liu",
            "Chen",
            "Yang",
            "Huang",
            "Zhao",
            "Wu",
            "Zhou",
            "Xu",
            "Sun",
            "Ma",
            "Zhu",
            "Hu",
            "Guo",
            "He",
            "Lin",
            "Luo",
            "Gao",
        ],
    ),
    "en": (
        [
            "James",
            "Mary",
            "John",
            "Patricia",
            "Robert",
            "Jennifer",
            "Michael",
            "Linda",
            "William",
            "Elizabeth",
            "David",
            "Barbara",
            "Richard",
            "Susan",
            "Joseph",
            "Jessica",
            "Thomas",
            "Sarah",
            "Charles",
            "Karen",
            "Christopher",
            "Nancy",
            "Daniel",
            "Lisa",
            "Matthew",
            "Margaret",
            "Anthony",
        ],
        [
            "Smith",
            "Johnson",
            "Williams",
            "Brown",
            "Jones",
            "Miller",
            "Davis",
            "Wilson",
            "Anderson",
            "Taylor",
            "Moore",
            "Martin",
            "Jackson",
            "Thompson",
            "White",
            "Harris",
            "Clark",
            "Lewis",
            "Robinson",
            "Walker",
            "Allen",
            "Wright",
            "Scott",
            "Green",
            "Baker",
            "Adams",
            "Nelson",
            "Hill",
            "Campbell",
            "Mitchell",
            "Roberts",
            "Carter",
            "Evans",
            "Turner",
            "Parker",
            "Collins",
            "Edwards",
        ],
    ),
}
PERSON_QUOTA = {"ph": 130, "th": 110, "id": 110, "my": 90, "vn": 90, "cn": 70, "en": 50}
CULTURE = {
    "ph": "Filipino",
    "th": "Thai",
    "id": "Indonesian",
    "my": "Malay",
    "vn": "Vietnamese",
    "cn": "Chinese (pinyin)",
    "en": "English",
}
VN_MIDDLE = ["Van", "Thi", "Duc", "Minh", "Ngoc", "Thanh", "Quoc", "Huu", "Hong", "Kim"]
FEMALE_MY = {
    "Nur",
    "Siti",
    "Aisyah",
    "Farah",
    "Nurul",
    "Zainab",
    "Fatimah",
    "Aminah",
    "Salmah",
    "Aina",
    "Hidayah",
}
EN_COUNTRIES = ["gb", "us", "au", "ca"]


def ordinary_person(culture: str, rng: random.Random) -> tuple[str, str]:
    first, last = PEOPLE[culture]
    f, surname = rng.choice(first), rng.choice(last)
    if culture == "ph":
        if rng.random() < 0.4:
            return f"{f} {rng.choice(last)} {surname}", "given, middle (mother's surname), surname"
        return f"{f} {surname}", "given, surname"
    if culture == "vn":
        return f"{surname} {rng.choice(VN_MIDDLE)} {f}", "family, middle, given"
    if culture == "my":
        link = "binti" if f in FEMALE_MY else "bin"
        if rng.random() < 0.3:
            same = [x for x in first if (x in FEMALE_MY) == (f in FEMALE_MY) and x != f]
            return f"{f} {rng.choice(same)} {link} {surname}", f"given names {link} father's name"
        return f"{f} {link} {surname}", f"given {link} father's name"
    if culture == "cn":
        return f"{surname} {f}", "family, given (pinyin)"
    if culture == "id" and rng.random() < 0.15:
        single = f"{f}{rng.choice(['yanto', 'wati', 'man'])}" if f[-1] not in "aeiou" else f"{f}ni"
        return single, "single name"
    if culture == "th":
        return f"{f} {surname}", "given, surname"
    return f"{f} {surname}", "given, surname"


COMPANY = {
    "th": (
        [
            "Siam",
            "Thai",
            "Rattana",
            "Suvarna",
            "Chaiyo",
            "Sombat",
            "Mongkol",
            "Charoen",
            "Pattana",
            "Roong Rueang",
            "Thawee",
            "Srisawat",
            "Udom",
            "Prasit",
            "Kasem",
            "Chao Phraya",
            "Lanna",
            "Isan",
        ],
        [
            "Agro Industry",
            "Steel Works",
            "Seafood",
            "Rice Trading",
            "Logistics",
            "Plastics",
            "Rubber",
            "Textile",
            "Motor",
            "Electric",
            "Packaging",
            "Property",
            "Sugar",
            "Frozen Food",
            "Engineering",
            "Hardware",
            "Ceramics",
            "Printing",
        ],
        ["Company Limited", "Co., Ltd.", "Public Company Limited", "Limited Partnership"],
    ),
    "id": (
        [
            "Sinar",
            "Maju",
            "Jaya",
            "Abadi",
            "Sentosa",
            "Makmur",
            "Mulia",
            "Cahaya",
            "Bintang",
            "Karya",
            "Mitra",
            "Sumber",
            "Nusantara",
            "Sejahtera",
            "Gemilang",
            "Perkasa",
            "Utama",
            "Indah",
            "Lestari",
        ],
        [
            "Plastik",
            "Logistik",
            "Tekstil",
            "Kimia",
            "Agro",
            "Elektronik",
            "Perdagangan",
            "Pangan",
            "Farma",
            "Konstruksi",
            "Logam",
            "Sawit",
            "Perikanan",
            "Properti",
            "Transportasi",
        ],
        ["PT", "PT Tbk", "CV"],
    ),
    "ph": (
        [
            "Luzon",
            "Visayas",
            "Pacific",
            "Golden",
            "Bayani",
            "Tanglaw",
            "Bagong",
            "Liwayway",
            "Dalisay",
            "Marikit",
            "Sampaguita",
            "Bituin",
            "Kalayaan",
            "Silangan",
            "Taal",
            "Batangas",
            "Pampanga",
        ],
        [
            "Trading",
            "Food Products",
            "Realty",
            "Holdings",
            "Manpower Services",
            "Shipping",
            "Hardware",
            "Agri-Ventures",
            "Construction",
            "Pharmacy",
            "Marine Products",
            "Lending",
            "Motors",
        ],
        ["Inc.", "Corporation", "Corp.", "Co.", "Enterprises"],
    ),
    "my": (
        [
            "Harimau",
            "Seri",
            "Permata",
            "Cahaya",
            "Bunga Raya",
            "Mutiara",
            "Gemilang",
            "Setia",
            "Intan",
            "Wawasan",
            "Sinar",
            "Tanjung",
            "Kenanga",
            "Melur",
            "Delima",
        ],
        [
            "Trading",
            "Engineering",
            "Plantation",
            "Logistics",
            "Marine",
            "Resources",
            "Industries",
            "Builders",
            "Foods",
            "Hardware",
            "Textiles",
        ],
        ["Sdn. Bhd.", "Sdn Bhd", "Berhad", "Bhd"],
    ),
    "vn": (
        [
            "Thanh Cong",
            "Hoa Binh",
            "Phu Thinh",
            "An Phat",
            "Minh Long",
            "Hung Thinh",
            "Viet Tien",
            "Sao Mai",
            "Dai Phat",
            "Hong Ha",
            "Tan Loc",
            "Phuc An",
        ],
        [
            "Trading",
            "Seafood",
            "Garment",
            "Steel",
            "Logistics",
            "Construction",
            "Rice",
            "Coffee",
            "Plastic",
            "Furniture",
        ],
        ["Company Limited", "Joint Stock Company", "Co., Ltd", "JSC"],
    ),
    "sg": (
        [
            "Tianhe",
            "Huamei",
            "Jiali",
            "Yuanfeng",
            "Longsheng",
            "Hongyuan",
            "Ruixin",
            "Changfeng",
            "Shengtai",
            "Jinwei",
            "Fuyuan",
            "Kaixin",
        ],
        [
            "Trading",
            "Electronics",
            "Logistics",
            "Holdings",
            "Industrial",
            "Import & Export",
            "Engineering",
            "Textiles",
            "Resources",
        ],
        ["Pte. Ltd.", "Pte Ltd", "(Hong Kong) Limited", "Co., Ltd.", "Limited"],
    ),
    "en": (
        [
            "Harbour",
            "Summit",
            "Evergreen",
            "Bluewater",
            "Northstar",
            "Riverside",
            "Crestview",
            "Oakfield",
            "Silverline",
            "Brightway",
            "Cornerstone",
            "Meridian",
            "Keystone",
            "Pinnacle",
            "Greystone",
        ],
        [
            "Trading",
            "Capital",
            "Logistics",
            "Consulting",
            "Foods",
            "Engineering",
            "Packaging",
            "Software",
            "Marine",
            "Healthcare",
        ],
        ["Limited", "Ltd", "LLC", "Inc.", "PLC"],
    ),
}
COMPANY_QUOTA = {"th": 65, "id": 65, "ph": 65, "my": 50, "vn": 40, "sg": 35, "en": 30}
COMPANY_COUNTRY = {"th": "th", "id": "id", "ph": "ph", "my": "my", "vn": "vn", "en": "gb"}
REAL_COMBOS = {("Siam", "Steel Works"), ("Thai", "Rubber"), ("Siam", "Motor"), ("Thai", "Sugar")}
LEGAL_WORDS = {
    "co",
    "company",
    "corp",
    "corporation",
    "ltd",
    "limited",
    "inc",
    "incorporated",
    "llc",
    "plc",
    "pte",
    "sdn",
    "bhd",
    "berhad",
    "pt",
    "tbk",
    "cv",
    "jsc",
    "joint",
    "stock",
    "public",
    "partnership",
    "enterprises",
    "group",
    "jv",
    "and",
    "the",
    "of",
    "&",
}


def org_tokens(name: str) -> frozenset[str]:
    toks = re.split(r"[^a-z0-9&]+", name.lower())
    return frozenset(t for t in toks if t and t not in LEGAL_WORDS)


def ordinary_company(culture: str, rng: random.Random) -> str:
    names, sectors, forms = COMPANY[culture]
    for _ in range(100):
        n, s, f = rng.choice(names), rng.choice(sectors), rng.choice(forms)
        if (n, s) in REAL_COMBOS:
            continue
        if culture == "id":
            n2 = rng.choice([x for x in names if x != n])
            if f == "PT Tbk":
                return f"PT {n} {n2} {s} Tbk"
            return f"{f} {n} {n2} {s}"
        if culture == "vn" and rng.random() < 0.3:
            return f"Cong Ty TNHH {s if s != 'Trading' else 'Thuong Mai'} {n}"
        return f"{n} {s} {f}"
    raise SystemExit("no company name")


def build_hard_negatives(
    un: dict[str, UNParty], ofac: dict[str, dict[str, list[str]]], positives: set[str]
) -> list[dict[str, str]]:
    listed = listed_person_index(un, ofac)
    rng = random.Random(f"{SEED}:korean_namesake")
    rows = korean_namesakes(un, listed, rng, 1000, positives)
    # ordinary people
    rng = random.Random(f"{SEED}:ordinary_person")
    seen: set[str] = set()
    for culture, quota in PERSON_QUOTA.items():
        made = 0
        while made < quota:
            name, form = ordinary_person(culture, rng)
            toks = name_tokens(name)
            if name in seen or listed.collides(toks, name) or query_key(name) in positives:
                continue
            seen.add(name)
            dob = random_dob(rng, [], 1950, 2004)
            country = rng.choice(EN_COUNTRIES) if culture == "en" else culture
            reason = (
                f"Generated ordinary {CULTURE[culture]} person name ({form}) from our word lists; "
                "not a DPRK-listed name: folded tokens match no UN/OFAC DPRK individual name or alias "
                "and are not a subset of one"
            )
            rows.append(case("", name, "Person", "", "ordinary_person", reason, dob, country))
            made += 1
    # ordinary companies
    entity_names: list[tuple[frozenset[str], str]] = []
    for p in un.values():
        if p.kind == "ENTITY":
            entity_names += [(org_tokens(n), f"un:{p.ref}") for n in [p.name, *p.aliases]]
    for uid, attrs in ofac.items():
        if attrs.get("party_type", [""])[0] != "Individual":
            names = attrs.get("name", []) + attrs.get("alias", [])
            entity_names += [(org_tokens(n), f"ofac:{uid}") for n in names]
    rng = random.Random(f"{SEED}:ordinary_company")
    for culture, quota in COMPANY_QUOTA.items():
        made = 0
        while made < quota:
            name = ordinary_company(culture, rng)
            mine = org_tokens(name)
            if (
                name in seen
                or query_key(name) in positives
                or any(mine <= t or (len(t) > 1 and t <= mine) for t, _ in entity_names if t)
            ):
                continue
            seen.add(name)
            country = COMPANY_COUNTRY.get(culture) or rng.choice(["sg", "hk"])
            reason = (
                "Generated ordinary company name from our word lists (brand word, sector, legal form "
                f"of {country.upper()}); not a real company to our knowledge; its distinctive words "
                "are not a subset or superset of any UN/OFAC DPRK entity name or alias"
            )
            rows.append(case("", name, "Organization", "", "ordinary_company", reason, "", country))
            made += 1
    for i, row in enumerate(rows, start=1):
        row["case_id"] = f"HN{i:04d}"
    return rows


# ---------------------------------------------------------------------------------------------------------
# 4. variants.csv
# ---------------------------------------------------------------------------------------------------------


def typo(text: str, rng: random.Random) -> tuple[str, str]:
    letters = "abcdefghijklmnopqrstuvwxyz"
    for _ in range(100):
        op = rng.choice(["insertion", "deletion", "substitution", "transposition"])
        pos = rng.randrange(1, len(text))
        if not text[pos].isalpha():
            continue
        upper = text[pos].isupper()
        c = rng.choice(letters)
        c = c.upper() if upper else c
        if op == "insertion":
            out = text[:pos] + c + text[pos:]
        elif op == "deletion":
            out = text[:pos] + text[pos + 1 :]
        elif op == "substitution":
            out = text[:pos] + c + text[pos + 1 :]
        else:
            if pos + 1 >= len(text) or not text[pos + 1].isalpha():
                continue
            out = text[:pos] + text[pos + 1] + text[pos] + text[pos + 2 :]
        if out != text and out.lower() != text.lower():
            return out, f"{op} at position {pos + 1}"
    raise SystemExit(f"no typo for {text}")


LEGAL_ABBREV = [("CORPORATION", "CORP."), ("COMPANY", "CO."), ("LIMITED", "LTD")]
LEGAL_EXPAND = [("CORP", "CORPORATION"), ("CO", "COMPANY"), ("LTD", "LIMITED")]
LEGAL_FORM_TAIL = re.compile(
    r"(,?\s+(CORPORATION|CORP\.?|COMPANY|CO\.?|LIMITED|LTD\.?|CO\.?,?\s+LTD\.?|"
    r"COMPANY,\s+LIMITED|PTE\s+LTD))+\s*$",
    re.I,
)


def split_acronym(name: str) -> tuple[str, str | None]:
    m = re.match(r"^(.*?)\s*\(([A-Z]{2,7})\)\s*$", name)
    if m:
        return m.group(1), m.group(2)
    return name, None


def entity_variants(p: UNParty, rng: random.Random) -> list[tuple[str, str, str]]:
    out: list[tuple[str, str, str]] = []
    base, paren = split_acronym(p.name)
    words = base.split()
    # legal_form
    abbreviated = base
    for long, short in LEGAL_ABBREV:
        abbreviated = re.sub(rf"\b{long}\b", short, abbreviated)
    if abbreviated != base:
        out.append(
            (
                abbreviated,
                "legal_form",
                "legal form abbreviated (Corporation->Corp., Company->Co., Limited->Ltd)",
            )
        )
    expanded = base
    for short, long in LEGAL_EXPAND:
        expanded = re.sub(rf"\b{short}\b\.?", long, expanded)
    if expanded != base:
        out.append(
            (
                expanded,
                "legal_form",
                "abbreviated legal form written out (Corp->Corporation, Co->Company, Ltd->Limited)",
            )
        )
    stripped = LEGAL_FORM_TAIL.sub("", base).strip(" ,")
    if stripped != base and stripped:
        out.append((stripped, "legal_form", "legal form removed"))
    # acronym
    acronyms = [paren] if paren else []
    for alias in p.aliases:
        a = alias.strip('" ')
        if re.fullmatch(r"[A-Z]{2,6}", a):
            acronyms.append(a)
        _, inner = split_acronym(alias)
        if inner:
            acronyms.append(inner)
    for acr in dict.fromkeys(acronyms):
        source = "in parentheses in the listed name" if acr == paren else "listed as an alias"
        out.append((acr, "acronym", f"acronym alone ({source})"))
    # korea_variant
    first = words[0].upper() if words else ""
    rest = " ".join(words[1:])
    if first in ("KOREA", "KOREAN") and rest:
        swap = "KOREAN" if first == "KOREA" else "KOREA"
        for repl in (swap, "DPRK", "CHOSON"):
            out.append((f"{repl} {rest}", "korea_variant", f"leading {first} written as {repl}"))
    # case_punct
    lowered = re.sub(r"\s+", "  ", p.name.lower())
    out.append((lowered, "case_punct", "lower case, doubled spaces"))
    nopunct = re.sub(f"[{APOSTROPHES}]", "", p.name)
    nopunct = re.sub(r"\s+", " ", re.sub(r"[^\w\s]", " ", nopunct)).strip()
    if nopunct != p.name:
        out.append((nopunct, "case_punct", "punctuation removed (apostrophes, commas, parentheses, periods)"))
    # typo
    t, how = typo(p.name, rng)
    out.append((t, "typo", f"one random edit: {how}"))
    return out


def person_variants(
    p: UNParty, rng: random.Random, dev_hangul: dict[str, set[str]]
) -> list[tuple[str, str, str]]:
    out: list[tuple[str, str, str]] = []
    surname, given, sep = person_syllables(p)
    given_str = " ".join(p.parts[1:])
    korean = p.ref != "KPi.080"
    # reordered
    out.append((f"{given_str} {surname}", "reordered", "given names first, surname last"))
    if len(given) >= 2:
        joined = "".join(given) if p.name.isupper() else given[0] + "".join(g.lower() for g in given[1:])
        out.append((f"{surname} {joined}", "joined", "given-name syllables written as one word"))
        if sep == " ":
            out.append((f"{surname} {'-'.join(given)}", "hyphenated", "given-name syllables hyphenated"))
        else:
            out.append(
                (
                    f"{surname} {' '.join(given)}",
                    "spaced",
                    "hyphen between given-name syllables replaced by a space",
                )
            )
    if korean:
        guess = guess_hangul(p)
        if guess:
            hangul = guess.syllables[0] + "".join(guess.syllables[1:])
            rr = [to_rr(s) for s in guess.syllables]
            rr_name = f"{title(rr[0])} " + (
                sep.join(title(x) for x in rr[1:])
                if sep == " "
                else "-".join([title(rr[1]), *[x.lower() for x in rr[2:]]])
            )
            how = "our MR->Hangul->RR table"
            if guess.resolved_by:
                how += "; reading narrowed by listed alias(es) " + " / ".join(guess.resolved_by)
            check = ""
            if p.ref in dev_hangul:
                agree = hangul in dev_hangul[p.ref]
                check = (
                    f"; dev-set Hangul {'/'.join(sorted(dev_hangul[p.ref]))} "
                    f"{'agrees' if agree else 'differs (the sources disagree on the reading)'}"
                )
            if guess.ambiguous:
                amb = (
                    f"; ambiguous syllable(s) {', '.join(guess.ambiguous)} read as the preferred reading, "
                    f"so the Hangul {hangul} is an assumption"
                )
            else:
                amb = ""
            if rr_name.replace("-", " ").lower() != p.name.replace("-", " ").lower():
                out.append(
                    (
                        rr_name,
                        "rr",
                        f"Revised Romanization of Hangul {hangul} via {how}{amb}{check}; "
                        "caveat: our own transliteration, not a source spelling",
                    )
                )
            if not guess.ambiguous:
                out.append(
                    (
                        hangul,
                        "hangul",
                        f"Hangul via {how}, every syllable unambiguous in our table"
                        f"{check}; caveat: our own transliteration, not a source "
                        "spelling",
                    )
                )
        # dprk_nr
        su = norm_apostrophes(surname.upper())
        for alt in DPRK_NR.get(su, []):
            out.append(
                (
                    f"{like(alt, surname)} {given_str}",
                    "dprk_nr",
                    f"North/South initial r/n: surname {surname} -> {alt}",
                )
            )
        g0 = norm_apostrophes(given[0].upper()) if given else ""
        for alt in DPRK_NR.get(g0, []):
            new_given = given_str.replace(given[0], like(alt, given[0]), 1)
            out.append(
                (
                    f"{surname} {new_given}",
                    "dprk_nr",
                    f"North/South initial r/n: first given syllable {given[0]} -> {alt}",
                )
            )
        # popular
        pops = POPULAR_SURNAME.get(su, [])
        for alt in pops:
            out.append(
                (
                    f"{like(alt, surname)} {given_str}",
                    "popular",
                    f"popular spelling of surname {surname} -> {alt}",
                )
            )
        new_given = [POPULAR_GIVEN.get(norm_apostrophes(g.upper())) for g in given]
        if any(new_given):
            giv = [
                n if n else title(g.replace("'", "").replace("’", ""))
                for n, g in zip(new_given, given, strict=True)
            ]
            sur = pops[0] if pops else title(surname)
            gsep = "-" if sep == "-" else " "
            full = f"{sur} " + (
                gsep.join(giv) if gsep == " " else "-".join([giv[0], *[x.lower() for x in giv[1:]]])
            )
            changed = [f"{g}->{n}" for n, g in zip(new_given, given, strict=True) if n]
            if pops:
                changed.insert(0, f"surname {surname}->{sur}")
            out.append((full, "popular", f"popular South Korean spelling: {', '.join(changed)}"))
    # case_punct
    out.append((re.sub(r"\s+", "  ", p.name.lower()), "case_punct", "lower case, doubled spaces"))
    if any(c in APOSTROPHES for c in p.name):
        out.append((re.sub(f"[{APOSTROPHES}]", "", p.name), "case_punct", "apostrophes removed"))
        if "’" in p.name:
            out.append((p.name.replace("’", "'"), "case_punct", "typographic apostrophe as ASCII apostrophe"))
    else:
        out.append((f"{surname}, {given_str}", "case_punct", "SURNAME, Given form with a comma"))
    # typo
    t, how = typo(p.name, rng)
    out.append((t, "typo", f"one random edit: {how}"))
    return out


def build_variants(shared: Path, un: dict[str, UNParty]) -> tuple[list[dict[str, str]], list[str]]:
    dev_hangul: dict[str, set[str]] = defaultdict(set)
    with open(shared / DEV_CSV, encoding="utf-8", newline="") as fh:
        for r in csv.DictReader(fh):
            if r["script"] == "Hangul" and r["party_type"] == "person" and r["expected_un_ref"]:
                dev_hangul[r["expected_un_ref"]].add(r["query_name"].replace(" ", ""))
    rows: list[dict[str, str]] = []
    notes: list[str] = []
    for p in sorted(un.values(), key=lambda p: (p.kind != "INDIVIDUAL", p.ref)):
        rng = random.Random(f"{SEED}:variants:{p.ref}")
        if p.kind == "INDIVIDUAL":
            variants = person_variants(p, rng, dev_hangul)
            schema, dob = "Person", (p.dobs[0] if p.dobs else "")
        else:
            variants = entity_variants(p, rng)
            schema, dob = "Organization", ""
        seen = {p.name}
        for query, kind, how in variants:
            if query in seen:
                continue
            seen.add(query)
            reason = (
                f"{kind} variant of the UN primary name '{p.name}' of {p.ref} (UN list 2026-02-27): {how}"
            )
            rows.append(case(f"VA{len(rows) + 1:04d}", query, schema, f"un:{p.ref}", kind, reason, dob))
            if "differs (the sources" in how:
                notes.append(f"{p.ref}: {query} {how}")
    return rows, notes


# ---------------------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    here = Path(__file__).resolve().parent
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=here.parent.parent / "shared" / "data")
    parser.add_argument("--out", type=Path, default=here / "sets")
    args = parser.parse_args(argv)
    shared: Path = args.shared
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)

    un = read_un(shared)
    ofac = read_ofac(shared)
    kinds = Counter(p.kind for p in un.values())
    if kinds != Counter({"INDIVIDUAL": 80, "ENTITY": 75}):
        raise SystemExit(f"unexpected UN DPRK counts {kinds}")

    variants, notes = build_variants(shared, un)
    sets = {
        "cross_list.csv": build_cross_list(shared, un),
        "korean_script.csv": build_korean_script(shared, un, ofac),
        "variants.csv": variants,
    }
    positives = {query_key(r["query"]) for rows in sets.values() for r in rows}
    positives.discard("")
    sets["hard_negatives.csv"] = build_hard_negatives(un, ofac, positives)
    latin = sum(1 for r in sets["cross_list.csv"] if r["category"] != "non_latin")
    if latin != 495:
        raise SystemExit(f"cross_list: expected 495 UK name rows, got {latin}")
    for name, rows in sets.items():
        write_csv(out / name, rows)
        per = Counter(r["category"] for r in rows)
        print(f"{name}: {len(rows)} rows; " + ", ".join(f"{k} {v}" for k, v in sorted(per.items())))
    for note in notes:
        print("note:", note, file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
