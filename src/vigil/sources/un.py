"""UN Security Council Consolidated List (XML).

The file is one ``CONSOLIDATED_LIST`` root with ``INDIVIDUALS/INDIVIDUAL`` and
``ENTITIES/ENTITY`` records, in no namespace. Mapping decisions:

- ``Party.id`` is ``un_sc:<REFERENCE_NUMBER>`` (``un_sc:KPi.033``); the reference
  number is the UN's stable key (DATAID changes when a record is re-issued).
- INDIVIDUAL becomes schema ``Person``; ENTITY becomes ``Organization``, because UN
  entities are companies, banks, state bodies and armed groups alike and the list
  does not say which.
- FIRST_NAME..FOURTH_NAME are kept as ``Name.parts`` in that order and joined into
  ``Name.full``. ``first``/``last`` are left empty: the UN does not order name parts
  consistently (DPRK entries put the family name in FIRST_NAME).
- NAME_ORIGINAL_SCRIPT is a second ``primary`` name with ``original_script=True``.
- Documents without a NUMBER (the number is only inside the NOTE prose) become
  ``Party.notes`` lines rather than identifiers with a sentence as value.
- Anything the model has no field for is kept as text in ``Party.raw`` under its
  tag name (``SORT_KEY``, all LAST_DAY_UPDATED values, LISTED_ON with a time zone);
  tags this parser does not know are kept the same way and reported as warnings.
- Reference numbers of other entries cited in COMMENTS1 become relations (kind from
  a few phrase patterns, else ``linked_to``); one cited inside an alias name is kept
  in the alias as written, noted on the name, and recorded as an ``other`` relation.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from pathlib import Path

from lxml import etree

from vigil.errors import ListFormatError
from vigil.model import Address, DateValue, Designation, Identifier, Name, Party, Place, Relation
from vigil.names.countries import country_code
from vigil.sources.base import ListFile, ParsedList, Source, check_counts
from vigil.sources.safe_io import iterparse_xml

__all__ = ["SOURCE", "detect_script", "normalize_un_ref", "parse"]

log = logging.getLogger(__name__)

SOURCE_KEY = "un_sc"
URL = "https://scsanctions.un.org/resources/xml/en/consolidated.xml"
ROOT_TAG = "CONSOLIDATED_LIST"

#: Record element -> schema of the party it becomes.
RECORD_SCHEMAS: dict[str, str] = {"INDIVIDUAL": "Person", "ENTITY": "Organization"}

NAME_TAGS = ("FIRST_NAME", "SECOND_NAME", "THIRD_NAME", "FOURTH_NAME")

#: UN alias QUALITY -> (Name.kind, Name.quality). The UN puts either a grade
#: (Good/Low, on individuals) or the alias type (a.k.a./f.k.a., on entities) here.
ALIAS_QUALITY: dict[str, tuple[str, str | None]] = {
    "": ("aka", None),
    "good": ("aka", "good"),
    "low": ("aka", "low"),
    "a.k.a.": ("aka", None),
    "f.k.a.": ("fka", None),
    "n.k.a.": ("nka", None),
}

#: TYPE_OF_DATE values the parser understands (others are kept in the date's note).
DATE_TYPES = frozenset({"", "EXACT", "APPROXIMATELY", "BETWEEN"})

#: TYPE_OF_DOCUMENT (lower case, whitespace collapsed) -> Identifier.kind.
DOCUMENT_KINDS: dict[str, str] = {
    "passport": "passport",
    "numéro de passeport": "passport",
    "número de pasaporte": "passport",
    "national identification number": "national_id",
}

#: TYPE_OF_DOCUMENT2 is free text refining the type; the first keyword found wins.
DOCUMENT2_KEYWORDS: tuple[tuple[str, str], ...] = (
    ("passport", "passport"),
    ("fiscal code", "tax_id"),
    ("birth certificate", "other"),
    ("ration card", "other"),
    ("driver", "other"),
    ("voter", "other"),
    ("student", "other"),
    ("other id", "other"),
    ("certificate of", "other"),
    ("residential card", "other"),
    ("military", "other"),
    ("serviceman", "other"),
    ("fardc", "other"),
)

GENDERS: dict[str, str] = {"male": "male", "female": "female"}

#: Phrases in the sentence that cites another entry -> relation kind. Checked in order.
RELATION_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (
        re.compile(r"\b(owned|controlled)\b|\bsubsidiary of\b|\bfront company\b", re.I),
        "owned_or_controlled_by",
    ),
    (re.compile(r"\bon behalf of\b|\bacting for\b|\bat the direction of\b", re.I), "acting_for"),
    (
        re.compile(
            r"\b(brother|sister|son|daughter|father|mother|wife|husband|cousin|nephew|uncle|"
            r"brother-in-law|son-in-law|father-in-law)\b",
            re.I,
        ),
        "family",
    ),
    (re.compile(r"\b(leader|head|chief|amir|emir|commander|founder)\s+of\b", re.I), "leader_of"),
)

MONTHS = {
    m: i + 1
    for i, names in enumerate(
        (
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        )
    )
    for m in names
}

_WS = re.compile(r"\s+")
_ISO_DATE = re.compile(r"(\d{4}-\d{2}-\d{2})(.*)")
_UN_REF = re.compile(r"\b([A-Z]{2})([IE])\.(\d{3})\b", re.I)
_MONTH_YEAR = re.compile(r"([A-Za-z]+)\.?\s+(\d{4})")
_DAY_MONTH_YEAR = re.compile(r"(\d{1,2})\s+([A-Za-z]+)\.?\s+(\d{4})")
_MONTH_DAY_YEAR = re.compile(r"([A-Za-z]+)\.?\s+(\d{1,2}),?\s+(\d{4})")
_EXPIRY = re.compile(r"expir\w*(?:\s+on|\s+date:?)?\s+(.+?)\s*$", re.I)
_NUMBER_WITH_NOTE = re.compile(r"(\S.*?)\s*\((.+)\)")
_SCRIPT_IN_NOTE = re.compile(r"(?:original script|in [A-Za-z]+(?: script)?)\s*:\s*(.+)$", re.I | re.S)
_SENTENCE_END = re.compile(r"(?<=[.;])\s+")

# Unicode blocks -> ISO 15924 code. Ordered by how often they occur on sanctions lists.
_SCRIPT_RANGES: tuple[tuple[int, int, str], ...] = (
    (0x0041, 0x005A, "Latn"),
    (0x0061, 0x007A, "Latn"),
    (0x00C0, 0x024F, "Latn"),
    (0x1E00, 0x1EFF, "Latn"),
    (0x0600, 0x06FF, "Arab"),
    (0x0750, 0x077F, "Arab"),
    (0x08A0, 0x08FF, "Arab"),
    (0xFB50, 0xFDFF, "Arab"),
    (0xFE70, 0xFEFF, "Arab"),
    (0x0400, 0x052F, "Cyrl"),
    (0x1100, 0x11FF, "Hang"),
    (0x3130, 0x318F, "Hang"),
    (0xAC00, 0xD7AF, "Hang"),
    (0x3400, 0x4DBF, "Hani"),
    (0x4E00, 0x9FFF, "Hani"),
    (0xF900, 0xFAFF, "Hani"),
    (0x3040, 0x309F, "Hira"),
    (0x30A0, 0x30FF, "Kana"),
    (0x0370, 0x03FF, "Grek"),
    (0x0590, 0x05FF, "Hebr"),
    (0x0E00, 0x0E7F, "Thai"),
    (0x0900, 0x097F, "Deva"),
    (0x0530, 0x058F, "Armn"),
    (0x10A0, 0x10FF, "Geor"),
)


def detect_script(text: str | None) -> str | None:
    """The ISO 15924 code of the script most letters of ``text`` are written in.

    Hangul mixed with Han is ``Kore``; Han mixed with kana is ``Jpan``. Returns
    None when the text has no letters of a known script.
    """
    if not text:
        return None
    counts: dict[str, int] = {}
    for char in text:
        if not char.isalpha():
            continue
        point = ord(char)
        for low, high, code in _SCRIPT_RANGES:
            if low <= point <= high:
                counts[code] = counts.get(code, 0) + 1
                break
    if not counts:
        return None
    if "Hang" in counts and "Hani" in counts:
        return "Kore"
    if "Hani" in counts and ("Hira" in counts or "Kana" in counts):
        return "Jpan"
    if "Hira" in counts and "Kana" in counts:
        return "Jpan"
    return max(counts, key=lambda code: counts[code])


def normalize_un_ref(text: str) -> str | None:
    """A UN reference number in its canonical case (``KPE.018`` -> ``KPe.018``), or None."""
    match = _UN_REF.fullmatch(text.strip())
    if match is None:
        return None
    return f"{match.group(1).upper()}{match.group(2).lower()}.{match.group(3)}"


def _clean(text: str | None) -> str | None:
    if text is None:
        return None
    value = _WS.sub(" ", text).strip()
    return value or None


def _child_text(element: etree._Element) -> str | None:
    return _clean(element.text)


def _join(parts: Iterable[str | None], sep: str = ", ") -> str:
    return sep.join(p for p in parts if p)


def _iso(text: str | None) -> tuple[str | None, bool]:
    """An ISO date prefix of ``text`` and whether the text had more (a time zone)."""
    if text is None:
        return None, False
    match = _ISO_DATE.fullmatch(text)
    if match is None:
        return None, False
    return match.group(1), bool(match.group(2))


class _Record:
    """Collects one record's fields into a Party and records what it could not map."""

    def __init__(self, party: Party, path: str, warnings: list[str], unknown: set[str]) -> None:
        self.party = party
        self.path = path
        self.warnings = warnings
        self.unknown = unknown
        self.name_parts: dict[str, str] = {}
        self.last_updated: list[str] = []
        self.list_types: list[str] = []

    def keep_raw(self, key: str, value: str) -> None:
        old = self.party.raw.get(key)
        self.party.raw[key] = value if old is None else f"{old} | {value}"

    def unknown_tag(self, key: str, value: str | None) -> None:
        if key not in self.unknown:
            self.unknown.add(key)
            message = f"{self.path}: unknown UN element {key} kept in Party.raw"
            log.warning(message)
            self.warnings.append(message)
        if value is not None:
            self.keep_raw(key, value)


def _flatten(element: etree._Element) -> str | None:
    """All text under an element, as ``TAG: text; ...`` for composites."""
    if len(element) == 0:
        return _child_text(element)
    parts = []
    for child in element:
        value = _flatten(child)
        if value is not None:
            parts.append(f"{child.tag}: {value}")
    return "; ".join(parts) or None


def _values(element: etree._Element, record: _Record) -> list[str]:
    out = []
    for child in element:
        if child.tag != "VALUE":
            record.unknown_tag(f"{element.tag}/{child.tag}", _flatten(child))
            continue
        value = _child_text(child)
        if value is not None:
            out.append(value)
    return out


def _fields(element: etree._Element, record: _Record, known: frozenset[str]) -> dict[str, str]:
    """The leaf texts of a composite element by tag; unknown tags go to raw."""
    out: dict[str, str] = {}
    for child in element:
        if not isinstance(child.tag, str):
            continue  # comments and processing instructions
        value = _flatten(child)
        if child.tag not in known:
            record.unknown_tag(f"{element.tag}/{child.tag}", value)
            continue
        if value is None:
            continue
        out[child.tag] = f"{out[child.tag]} | {value}" if child.tag in out else value
    return out


_ALIAS_TAGS = frozenset(
    {"QUALITY", "ALIAS_NAME", "NOTE", "DATE_OF_BIRTH", "CITY_OF_BIRTH", "COUNTRY_OF_BIRTH"}
)
_ADDRESS_TAGS = frozenset({"STREET", "CITY", "STATE_PROVINCE", "ZIP_CODE", "COUNTRY", "NOTE"})
_POB_TAGS = frozenset({"STREET", "CITY", "STATE_PROVINCE", "COUNTRY", "NOTE"})
_DOB_TAGS = frozenset({"TYPE_OF_DATE", "DATE", "YEAR", "FROM_YEAR", "TO_YEAR", "NOTE"})
_DOC_TAGS = frozenset(
    {
        "TYPE_OF_DOCUMENT",
        "TYPE_OF_DOCUMENT2",
        "NUMBER",
        "ISSUING_COUNTRY",
        "DATE_OF_ISSUE",
        "CITY_OF_ISSUE",
        "COUNTRY_OF_ISSUE",
        "NOTE",
    }
)


def _alias(element: etree._Element, record: _Record) -> None:
    data = _fields(element, record, _ALIAS_TAGS)
    full = data.get("ALIAS_NAME")
    if full is None:
        if len(data) > (1 if "QUALITY" in data else 0):
            record.keep_raw(element.tag, _join((f"{k}: {v}" for k, v in data.items()), "; "))
        return
    quality_text = data.get("QUALITY", "")
    kind, quality = ALIAS_QUALITY.get(quality_text.lower(), ("aka", None))
    notes = []
    if quality_text.lower() not in ALIAS_QUALITY:
        notes.append(f"quality: {quality_text}")
        record.warnings.append(f"{record.path}: unknown alias QUALITY {quality_text!r}")
    if "NOTE" in data:
        notes.append(data["NOTE"])
    cited = {normalize_un_ref(m.group(0)) for m in _UN_REF.finditer(full)}
    for ref in sorted(r for r in cited if r is not None and r != record.party.designations[0].reference):
        notes.append(f"cites UN reference {ref} of another entry")
        record.party.relations.append(
            Relation(kind="other", target_ref=ref, text=f"alias as written: {full}")
        )
    dob, pob_city, pob_country = (
        data.get("DATE_OF_BIRTH"),
        data.get("CITY_OF_BIRTH"),
        data.get("COUNTRY_OF_BIRTH"),
    )
    if dob is not None:
        notes.append(f"date of birth: {dob}")
        start, _ = _iso(dob)
        record.party.birth_dates.append(
            DateValue(kind="exact", start=start, note=f"given for alias {full}")
            if start is not None
            else DateValue(kind="text", text=dob, note=f"given for alias {full}")
        )
    if pob_city is not None or pob_country is not None:
        notes.append(f"place of birth: {_join((pob_city, pob_country))}")
        record.party.birth_places.append(
            Place(
                text=_join((pob_city, pob_country)),
                city=pob_city,
                country=country_code(pob_country),
                country_text=pob_country,
            )
        )
    record.party.names.append(
        Name(full=full, kind=kind, quality=quality, script=detect_script(full), note="; ".join(notes) or None)
    )
    # A note such as "original script: Абу Банат" or "In Arabic: ..." carries another
    # form of the alias that screening should be able to match.
    note = data.get("NOTE")
    if note is not None:
        match = _SCRIPT_IN_NOTE.search(note)
        if match is not None:
            other = match.group(1).strip()
            script = detect_script(other)
            if other and script not in (None, "Latn"):
                record.party.names.append(
                    Name(
                        full=other,
                        kind=kind,
                        script=script,
                        original_script=True,
                        note=f"from alias note of {full}",
                    )
                )


def _address(element: etree._Element, record: _Record) -> None:
    data = _fields(element, record, _ADDRESS_TAGS)
    if not data:
        return
    country = data.get("COUNTRY")
    full = _join(
        (data.get("STREET"), data.get("CITY"), data.get("STATE_PROVINCE"), data.get("ZIP_CODE"), country)
    )
    record.party.addresses.append(
        Address(
            full=full or data.get("NOTE", ""),
            street=data.get("STREET"),
            city=data.get("CITY"),
            region=data.get("STATE_PROVINCE"),
            postal_code=data.get("ZIP_CODE"),
            country=country_code(country),
            country_text=country,
            note=data.get("NOTE"),
        )
    )


def _place_of_birth(element: etree._Element, record: _Record) -> None:
    data = _fields(element, record, _POB_TAGS)
    if not data:
        return
    country = data.get("COUNTRY")
    text = _join((data.get("STREET"), data.get("CITY"), data.get("STATE_PROVINCE"), country))
    note = data.get("NOTE")
    # Place has no note field; the note is part of the place's wording, so it joins the text.
    if note is not None:
        text = f"{text} ({note})" if text else note
    record.party.birth_places.append(
        Place(
            text=text,
            city=data.get("CITY"),
            region=data.get("STATE_PROVINCE"),
            country=country_code(country),
            country_text=country,
        )
    )


def _month_year(text: str) -> str | None:
    match = _MONTH_YEAR.fullmatch(text)
    if match is None:
        return None
    month = MONTHS.get(match.group(1).lower())
    return None if month is None else f"{match.group(2)}-{month:02d}"


def _date_of_birth(element: etree._Element, record: _Record) -> None:
    data = _fields(element, record, _DOB_TAGS)
    date_type = data.get("TYPE_OF_DATE", "").upper()
    note = data.get("NOTE")
    if date_type not in DATE_TYPES:
        note = _join((f"TYPE_OF_DATE {data['TYPE_OF_DATE']}", note), "; ")
        record.warnings.append(f"{record.path}: unknown TYPE_OF_DATE {data['TYPE_OF_DATE']!r}")
    kind = "circa" if date_type == "APPROXIMATELY" else "exact"
    start_year, end_year = data.get("FROM_YEAR"), data.get("TO_YEAR")
    if start_year is not None or end_year is not None:
        record.party.birth_dates.append(DateValue(kind="range", start=start_year, end=end_year, note=note))
        return
    date, year = data.get("DATE"), data.get("YEAR")
    if date is not None:
        start, _ = _iso(date)
        if year is not None and (start is None or not start.startswith(year)):
            note = _join((f"YEAR {year}", note), "; ")
        if start is None:
            record.party.birth_dates.append(DateValue(kind="text", text=date, note=note))
        else:
            record.party.birth_dates.append(DateValue(kind=kind, start=start, note=note))
        return
    if year is not None:
        record.party.birth_dates.append(DateValue(kind=kind, start=year, note=note))
        return
    if note is not None:
        # Only prose such as "Nov. 1973" or "30-35 years old": keep it, with the month when it parses.
        start = _month_year(note)
        if start is None:
            record.party.birth_dates.append(DateValue(kind="text", text=note))
        else:
            record.party.birth_dates.append(DateValue(kind=kind, start=start, text=note))


def _document_kind(type1: str | None, type2: str | None) -> str:
    kind = DOCUMENT_KINDS.get((type1 or "").lower(), "other")
    if type2 is not None:
        lowered = type2.lower()
        for keyword, refined in DOCUMENT2_KEYWORDS:
            if keyword in lowered:
                return refined
    return kind


def _document(element: etree._Element, record: _Record) -> None:
    data = _fields(element, record, _DOC_TAGS)
    if not data:
        return
    type1, type2 = data.get("TYPE_OF_DOCUMENT"), data.get("TYPE_OF_DOCUMENT2")
    type_text = _join((type1, type2 if type2 != type1 else None), " / ") or None
    issuing = data.get("ISSUING_COUNTRY")
    issued_in = data.get("COUNTRY_OF_ISSUE")
    country_text = issuing if issuing is not None else issued_in
    place = _join((data.get("CITY_OF_ISSUE"), issued_in if issued_in != country_text else None))
    notes = [data.get("NOTE"), f"issued in {place}" if place else None]
    date_text = data.get("DATE_OF_ISSUE")
    issued, _ = _iso(date_text)
    if date_text is not None and issued is None:
        notes.append(f"date of issue: {date_text}")
    number = data.get("NUMBER")
    if number is None:
        line = _join(
            (type_text or "Document", f"({country_text})" if country_text else None, "-", _join(notes, "; ")),
            " ",
        )
        record.party.notes.append(line)
        return
    # "381110042 (Expired 25 Jan. 2016)": the number is what precedes the parenthesis.
    trailing = _NUMBER_WITH_NOTE.fullmatch(number)
    if trailing is not None:
        number = trailing.group(1)
        notes.insert(0, trailing.group(2))
    expires = None
    for text in notes:
        match = _EXPIRY.search(text or "")
        if match is not None:
            expires = _prose_date(match.group(1))
            if expires is not None:
                break
    identifier = Identifier(
        kind=_document_kind(type1, type2),
        value=number,
        type_text=type_text,
        country=country_code(country_text),
        country_text=country_text,
        issued=issued,
        expires=expires,
        note=_join(notes, "; ") or None,
    )
    # The UN repeats some passports once per language of the type ("Numéro de passeport",
    # "Número de pasaporte", "Passport"); one identifier carries the other wordings in its note.
    for existing in record.party.identifiers:
        if (existing.kind, existing.value, existing.country, existing.issued) == (
            identifier.kind,
            identifier.value,
            identifier.country,
            identifier.issued,
        ):
            extra = [
                f"also listed as: {identifier.type_text}" if identifier.type_text else None,
                identifier.note,
            ]
            if existing.note is not None and identifier.note is not None and identifier.note in existing.note:
                extra[1] = None
            existing.note = _join([existing.note, *extra], "; ") or None
            if existing.expires is None:
                existing.expires = identifier.expires
            return
    record.party.identifiers.append(identifier)


def _prose_date(text: str) -> str | None:
    """An ISO date from "7 Dec. 2016", "October 19, 2020" or "2023-06-04", else None."""
    value = text.strip().rstrip(".").strip()
    iso, _ = _iso(value)
    if iso is not None:
        return iso
    match = _DAY_MONTH_YEAR.fullmatch(value)
    if match is not None:
        day, month_name, year = match.group(1), match.group(2), match.group(3)
    else:
        match = _MONTH_DAY_YEAR.fullmatch(value)
        if match is None:
            return None
        month_name, day, year = match.group(1), match.group(2), match.group(3)
    month = MONTHS.get(month_name.lower())
    if month is None or not 1 <= int(day) <= 31:
        return None
    return f"{year}-{month:02d}-{int(day):02d}"


def _cited_relations(party: Party, text: str) -> list[Relation]:
    own = party.designations[0].reference
    relations: list[Relation] = []
    seen: set[tuple[str, str]] = set()
    for sentence in _SENTENCE_END.split(text):
        for match in _UN_REF.finditer(sentence):
            ref = normalize_un_ref(match.group(0))
            if ref is None or ref == own:
                continue
            # The phrase has to come before the citation: "owned by X (KPe.001)".
            before = sentence[: match.start()]
            kind = next((k for pattern, k in RELATION_PATTERNS if pattern.search(before)), "linked_to")
            if (kind, ref) in seen:
                continue
            seen.add((kind, ref))
            relations.append(Relation(kind=kind, target_ref=ref, text=sentence.strip()))
    return relations


_LIST_FIELDS = frozenset({"TITLE", "DESIGNATION", "NATIONALITY", "LIST_TYPE", "LAST_DAY_UPDATED"})


def _record(element: etree._Element, path: str, warnings: list[str], unknown: set[str]) -> Party | None:
    tag = str(element.tag)
    reference_text = _clean(element.findtext("REFERENCE_NUMBER"))
    line = f"line {element.sourceline}"
    if reference_text is None:
        message = f"{path} ({line}): {tag} without REFERENCE_NUMBER skipped"
        log.warning(message)
        warnings.append(message)
        return None
    reference = normalize_un_ref(reference_text) or reference_text
    designation = Designation(authority="un", reference=reference)
    party = Party(
        id=f"{SOURCE_KEY}:{reference}",
        source=SOURCE_KEY,
        schema=RECORD_SCHEMAS[tag],
        designations=[designation],
    )
    if reference != reference_text:
        party.raw["REFERENCE_NUMBER"] = reference_text
    record = _Record(party, f"{path} ({line}, {reference})", warnings, unknown)
    original_names: list[str] = []
    for child in element:
        if not isinstance(child.tag, str):
            continue
        name = child.tag
        if name in _LIST_FIELDS:
            values = _values(child, record)
            if name == "TITLE":
                party.titles.extend(values)
            elif name == "DESIGNATION":
                party.positions.extend(values)
            elif name == "NATIONALITY":
                party.nationalities.extend(country_code(v) or v for v in values)
            elif name == "LIST_TYPE":
                record.list_types.extend(values)
            else:
                record.last_updated.extend(values)
            continue
        if name in ("INDIVIDUAL_ALIAS", "ENTITY_ALIAS"):
            _alias(child, record)
            continue
        if name in ("INDIVIDUAL_ADDRESS", "ENTITY_ADDRESS"):
            _address(child, record)
            continue
        if name == "INDIVIDUAL_DATE_OF_BIRTH":
            _date_of_birth(child, record)
            continue
        if name == "INDIVIDUAL_PLACE_OF_BIRTH":
            _place_of_birth(child, record)
            continue
        if name == "INDIVIDUAL_DOCUMENT":
            _document(child, record)
            continue
        value = _flatten(child)
        if name == "REFERENCE_NUMBER":
            continue
        if value is None:
            continue
        if name in NAME_TAGS:
            record.name_parts[name] = value
        elif name == "NAME_ORIGINAL_SCRIPT":
            original_names.append(value)
        elif name == "DATAID":
            designation.other_refs.append(f"dataid:{value}")
        elif name == "VERSIONNUM":
            designation.other_refs.append(f"versionnum:{value}")
        elif name == "UN_LIST_TYPE":
            designation.programmes.append(value)
            designation.regime = value
        elif name == "LISTED_ON":
            listed, extra = _iso(value)
            designation.listed_on = listed or value
            if extra or listed is None:
                record.keep_raw("LISTED_ON", value)
        elif name == "COMMENTS1":
            # Narrative keeps the UN's own line breaks; only the ends are trimmed.
            designation.narrative = (child.text or "").strip()
        elif name == "GENDER":
            gender = GENDERS.get(value.lower())
            if gender is None:
                record.keep_raw("GENDER", value)
            else:
                party.gender = gender
        elif name in ("SORT_KEY", "SORT_KEY_LAST_MOD"):
            record.keep_raw(name, value)
        else:
            record.unknown_tag(name, value)

    parts = [record.name_parts[t] for t in NAME_TAGS if t in record.name_parts]
    if parts:
        full = " ".join(parts)
        primary = Name(full=full, script=detect_script(full), parts=parts if len(parts) > 1 else [])
        party.names.insert(0, primary)
    for position, text in enumerate(original_names, start=1 if parts else 0):
        party.names.insert(position, Name(full=text, script=detect_script(text), original_script=True))
    if not party.names:
        warnings.append(f"{record.path}: record has no name")

    if record.list_types:
        designation.list_name = "; ".join(record.list_types)
    dates = [d for d in (_iso(v)[0] for v in record.last_updated) if d is not None]
    if dates:
        designation.last_updated = max(dates)
    if len(record.last_updated) > 1 or len(dates) != len(record.last_updated):
        record.keep_raw("LAST_DAY_UPDATED", "; ".join(record.last_updated))
    if designation.narrative:
        party.relations.extend(_cited_relations(party, designation.narrative))
    return party


def _check_root(element: etree._Element, path: str) -> etree._Element:
    root = element.getroottree().getroot()
    if root.tag != ROOT_TAG:
        raise ListFormatError(
            path,
            f"not a UN consolidated list: root element is <{root.tag}>, expected <{ROOT_TAG}>",
            location="line 1",
        )
    return root


def parse(files: dict[str, Path]) -> ParsedList:
    """Parse one version of the UN Security Council Consolidated List.

    ``files["main"]`` is the consolidated XML. Returns every INDIVIDUAL and ENTITY
    as a Party; ``published`` is the root's ``dateGenerated``. Raises
    :class:`ListFormatError` for a file that is malformed, hostile or not this list
    (naming the file and line), and :class:`ListCountError` if fewer parties were
    produced than the file holds records.
    """
    path = files.get("main")
    if path is None:
        raise ListFormatError("<un_sc>", "no file with role 'main' given")
    name = str(path)
    declared = {tag: 0 for tag in RECORD_SCHEMAS}
    parsed = {tag: 0 for tag in RECORD_SCHEMAS}
    parties: list[Party] = []
    warnings: list[str] = []
    unknown: set[str] = set()
    seen: dict[str, int] = {}
    published: str | None = None
    root: etree._Element | None = None
    events = iterparse_xml(path)
    try:
        for element in events:
            if root is None:
                root = _check_root(element, name)
                published = root.get("dateGenerated")
            tag = element.tag
            if tag not in RECORD_SCHEMAS:
                continue
            declared[str(tag)] += 1
            line = element.sourceline if isinstance(element.sourceline, int) else 0
            party = _record(element, name, warnings, unknown)
            if party is not None:
                if party.id in seen:
                    raise ListFormatError(
                        name,
                        f"duplicate REFERENCE_NUMBER {party.id} (first at line {seen[party.id]})",
                        location=f"line {line}",
                    )
                seen[party.id] = line
                parties.append(party)
                parsed[str(tag)] += 1
            # Drop the finished record and its predecessors so memory stays flat.
            element.clear()
            parent = element.getparent()
            if parent is not None:
                while element.getprevious() is not None:
                    del parent[0]
    finally:
        # Close the stream now, not whenever the generator is collected, when a check raises.
        close = getattr(events, "close", None)
        if close is not None:
            close()
    if root is None:
        raise ListFormatError(name, "no XML elements found")

    ids = set(seen)
    for party in parties:
        for relation in party.relations:
            target = f"{SOURCE_KEY}:{relation.target_ref}"
            if target in ids:
                relation.target = target

    check_counts(name, declared, parsed)
    log.info("parsed %s: %s", name, parsed)
    return ParsedList(
        source=SOURCE_KEY,
        published=published,
        parties=parties,
        declared=declared,
        parsed=parsed,
        warnings=warnings,
    )


SOURCE = Source(
    key=SOURCE_KEY,
    authority="un",
    title="UN Security Council Consolidated List",
    publisher="United Nations Security Council",
    format="xml",
    files=(ListFile(role="main", url=URL, filename="consolidated.xml"),),
    parse=parse,
    homepage="https://main.un.org/securitycouncil/en/content/un-sc-consolidated-list",
    # A real full list has held 700+ individuals and 250+ entities for years.
    min_counts={"INDIVIDUAL": 500, "ENTITY": 150},
    notes=(
        "All UN Security Council sanctions regimes in one XML; DPRK entries are the 1718 "
        "Committee's (references KPi.* and KPe.*). Designated vessels are not in this file."
    ),
)
