"""HM Treasury OFSI Consolidated List of financial sanctions targets (``ConList.xlsx`` / ``ConList.csv``).

The sheet has one row per *name variant*; the rows of one target share a Group ID.
A group becomes one :class:`~vigil.model.Party` with id ``uk_ofsi_conlist:<Group ID>``.

Where the columns go:

- ``Name 1``..``Name 5`` are given names, ``Name 6`` the surname (or the whole name of an
  entity/ship): ``Name.full`` is Name1..5 + Name6, the parts are kept in that order.
- ``Alias Type``: ``Primary name`` -> ``primary``; ``AKA``/``Alias`` -> ``aka``; ``FKA`` -> ``fka``;
  ``Primary name variation`` -> ``aka`` with ``note="primary name variation"`` (the model
  has one primary kind; a variation is another spelling of it, not a second primary).
- ``Alias Quality`` ``Good quality``/``Low quality`` -> ``good``/``low``.
- ``Name Non-Latin Script`` -> a second Name of the same row with ``original_script=True``;
  the ISO 15924 code is read from the characters themselves (the source's "script type"
  is missing or misspelt on many rows), ``lang`` is an ISO 639-1 code when known.
- ``Other Information`` is both ``Designation.remarks`` (verbatim) and a carrier of
  labelled fields ``(Label):value``: ``(UK Sanctions List Ref)`` -> Designation.reference,
  ``(UN Ref)`` -> ``Party.cross_refs`` ``un:<ref>``, ``(UK Statement of Reasons)`` ->
  ``Designation.narrative``, ``(Gender)``, phone/e-mail/website/business registration ->
  identifiers, parent company/subsidiaries -> relations, and on ships ``(IMO number)``,
  ``(Flag of ship)``, ``(Type of ship)``... -> :class:`VesselInfo`.
- A ship cites its owner ("Listed as asset of X (OFSI ID: 13635, UN Reference Number:
  UN Ref KPe.064)"). That is the *owner's* UN reference, so it becomes
  ``Relation(kind="owned_or_controlled_by", target_ref="KPe.064")`` on the ship (read:
  the ship is owned or controlled by KPe.064), never a cross-ref of the ship itself.
  ``target`` is the owner's party id when its OFSI group is in the same file.
- ``Listed On`` -> ``Designation.listed_on``; ``UK Sanctions List Date Designated`` has no
  model field and is kept in ``Party.raw`` (ISO dates).
- Anything else without a model field is kept in ``Party.raw`` as text.

Every distinct value met on any row of a group is kept (identical values once).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vigil.errors import ListCountError, ListFormatError
from vigil.model import (
    Address,
    DateValue,
    Designation,
    Identifier,
    Name,
    Party,
    Place,
    Relation,
    VesselInfo,
)
from vigil.names.countries import country_code
from vigil.sources.base import ListFile, ParsedList, Source
from vigil.sources.safe_io import check_zip_archive, read_text

__all__ = [
    "CSV_URL",
    "SOURCE",
    "XLSX_URL",
    "dedupe_append",
    "detect_script",
    "language_code",
    "normalise_un_ref",
    "parse",
    "parse_uk_date",
    "parse_uk_day",
    "split_numbered",
]

XLSX_URL = "https://ofsistorage.blob.core.windows.net/publishlive/2022format/ConList.xlsx"
CSV_URL = "https://ofsistorage.blob.core.windows.net/publishlive/2022format/ConList.csv"
SOURCE_KEY = "uk_ofsi_conlist"
SHEET = "Data"
LIST_NAME = "HM Treasury OFSI Consolidated List"
_HEADER_SCAN_ROWS = 10

_SCHEMAS = {"individual": "Person", "entity": "Organization", "ship": "Vessel"}
_TYPE_KEYS = {"Person": "Individual", "Organization": "Entity", "Vessel": "Ship"}

# ---------------------------------------------------------------------------
# Helpers shared with vigil.sources.uk_fcdo (same authority, same conventions)
# ---------------------------------------------------------------------------

_UN_REF = re.compile(r"\b([A-Za-z]{2})([iIeE])\.\s?(\d{2,4})\b")


def normalise_un_ref(text: str) -> str | None:
    """``KPi.033`` from ``kpi.033``/``QDE.091``: the UN's own spelling, so cross-refs join."""
    match = _UN_REF.search(text)
    if match is None:
        return None
    return f"{match.group(1).upper()}{match.group(2).lower()}.{match.group(3)}"


def split_numbered(text: str | None) -> list[str]:
    """Split the UK's ``(1) a (2) b`` lists; text without ``(1)`` is one item.

    Only the markers ``(1)``, ``(2)``... in sequence split, so ``+7 (727) 228`` survives.
    """
    if text is None:
        return []
    value = text.strip()
    if not value:
        return []
    if not value.startswith("(1)"):
        return [value]
    items: list[str] = []
    start = 3
    number = 2
    while True:
        nxt = value.find(f"({number})", start)
        if nxt < 0:
            items.append(value[start:])
            break
        items.append(value[start:nxt])
        start = nxt + len(f"({number})")
        number += 1
    return [item.strip(" .;,\n\t") for item in items if item.strip(" .;,\n\t")]


def dedupe_append(target: list[Any], item: Any) -> None:
    """Append unless an equal value is already there (rows repeat values per name variant)."""
    if item is not None and item not in target:
        target.append(item)


_DMY = re.compile(r"^(\d{1,2}|dd|DD)[/.\-](\d{1,2}|mm|MM)[/.\-](\d{4})$")
_MY = re.compile(r"^(\d{1,2})[/.\-](\d{4})$")
_Y = re.compile(r"^(\d{4})$")
_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[T ].*)?$")


def _valid(year: int, month: int, day: int) -> bool:
    try:
        dt.date(year, month, day)
    except ValueError:
        return False
    return True


def parse_uk_date(text: str | None) -> DateValue | None:
    """A UK date of birth: ``dd/mm/yyyy`` with ``00`` (or ``dd``/``mm``) for unknown parts.

    ``00/00/1964`` -> ``1964``; ``00/07/1964`` -> ``1964-07``; ``17/07/1964`` -> ``1964-07-17``;
    ``07/1964`` and ``1964`` likewise. Anything else (or an impossible date) is kept as text.
    """
    if text is None:
        return None
    value = text.strip()
    if not value:
        return None
    match = _DMY.match(value)
    if match:
        day_s, month_s, year_s = match.groups()
        day = int(day_s) if day_s.isdigit() else 0
        month = int(month_s) if month_s.isdigit() else 0
        year = int(year_s)
        if year == 0:
            return DateValue(kind="text", text=value)
        if month == 0:
            # a known day in an unknown month says nothing usable: year precision
            return DateValue(kind="exact", start=f"{year:04d}")
        if not 1 <= month <= 12:
            return DateValue(kind="text", text=value)
        if day == 0:
            return DateValue(kind="exact", start=f"{year:04d}-{month:02d}")
        if not _valid(year, month, day):
            return DateValue(kind="text", text=value)
        return DateValue(kind="exact", start=f"{year:04d}-{month:02d}-{day:02d}")
    match = _MY.match(value)
    if match:
        month, year = int(match.group(1)), int(match.group(2))
        if month == 0:
            return DateValue(kind="exact", start=f"{year:04d}")
        if 1 <= month <= 12:
            return DateValue(kind="exact", start=f"{year:04d}-{month:02d}")
        return DateValue(kind="text", text=value)
    match = _Y.match(value)
    if match:
        return DateValue(kind="exact", start=value)
    match = _ISO.match(value)
    if match:
        year, month, day = (int(g) for g in match.groups())
        if _valid(year, month, day):
            return DateValue(kind="exact", start=f"{year:04d}-{month:02d}-{day:02d}")
    return DateValue(kind="text", text=value)


def parse_uk_day(text: str | None) -> str | None:
    """A full administrative date (``dd/mm/yyyy``, ``dd-mm-yyyy`` or ISO) as ISO, else None."""
    parsed = parse_uk_date(text)
    if parsed is None or parsed.kind != "exact" or parsed.start is None or len(parsed.start) != 10:
        return None
    return parsed.start


# Unicode block prefixes of character names -> ISO 15924.
_SCRIPT_PREFIXES = (
    ("CYRILLIC", "Cyrl"),
    ("ARABIC", "Arab"),
    ("HANGUL", "Hang"),
    ("CJK", "Hani"),
    ("HIRAGANA", "Kana"),
    ("KATAKANA", "Kana"),
    ("HEBREW", "Hebr"),
    ("GEORGIAN", "Geor"),
    ("ARMENIAN", "Armn"),
    ("GREEK", "Grek"),
    ("THAI", "Thai"),
    ("MYANMAR", "Mymr"),
    ("DEVANAGARI", "Deva"),
    ("LATIN", "Latn"),
)

# The source's own "script type" words (with the misspellings met in real files), used
# only when the characters say nothing.
_SCRIPT_WORDS = {
    "cyrillic": "Cyrl",
    "cryillic": "Cyrl",
    "cyrilic": "Cyrl",
    "russian": "Cyrl",
    "arabic": "Arab",
    "persian": "Arab",
    "farsi": "Arab",
    "chinese": "Hani",
    "hangul": "Hang",
    "korean": "Hang",
    "hebrew": "Hebr",
    "georgian": "Geor",
    "greek": "Grek",
    "thai": "Thai",
    "burmese": "Mymr",
    "japanese": "Jpan",
}


def detect_script(text: str, hint: str | None = None) -> str | None:
    """The ISO 15924 code of ``text``'s letters; ``Kore``/``Jpan`` for mixed Korean/Japanese."""
    counts: dict[str, int] = {}
    for char in text:
        if not char.isalpha():
            continue
        try:
            char_name = unicodedata.name(char)
        except ValueError:
            continue
        for prefix, code in _SCRIPT_PREFIXES:
            if char_name.startswith(prefix):
                counts[code] = counts.get(code, 0) + 1
                break
    if counts:
        if "Hang" in counts and "Hani" in counts:
            return "Kore"
        if "Kana" in counts and "Hani" in counts:
            return "Jpan"
        non_latin = {k: v for k, v in counts.items() if k != "Latn"}
        pool = non_latin or counts
        return max(pool, key=lambda key: pool[key])
    if hint:
        return _SCRIPT_WORDS.get(hint.strip().casefold())
    return None


_LANGUAGES = {
    "russian": "ru",
    "russia": "ru",
    "persian": "fa",
    "farsi": "fa",
    "persian/farsi": "fa",
    "arabic": "ar",
    "belarusian": "be",
    "ukrainian": "uk",
    "ukraine": "uk",
    "chinese": "zh",
    "georgian": "ka",
    "hebrew": "he",
    "korean": "ko",
    "bulgarian": "bg",
    "turkish": "tr",
    "kazakh": "kk",
    "serbian": "sr",
    "spanish": "es",
    "thai": "th",
    "greek": "el",
    "bosnian": "bs",
    "japanese": "ja",
    "burmese": "my",
    "romanian": "ro",
    "kyrgyz": "ky",
    "uzbek": "uz",
    "tajik": "tg",
    "armenian": "hy",
    "azerbaijani": "az",
}


def language_code(text: str | None) -> str | None:
    """ISO 639-1 code of a language name as the UK writes it, or None if unknown."""
    if not text:
        return None
    return _LANGUAGES.get(text.strip().casefold())


def country_or_text(text: str | None) -> str | None:
    """ISO alpha-2 code when known, else the source text (the model's convention)."""
    if text is None or not text.strip():
        return None
    return country_code(text) or text.strip()


# ---------------------------------------------------------------------------
# "Other Information": labelled fields inside free text
# ---------------------------------------------------------------------------

_OI_LABELS = (
    "UK Sanctions List Ref",
    "UN Ref",
    "UK Statement of Reasons",
    "Gender",
    "Phone number",
    "Fax",
    "Tel",
    "Email address",
    "Website",
    "Type of entity",
    "Parent company",
    "Subsidiaries",
    "Business Reg No",
    "IMO number",
    "Current owners",
    "Current owner/operator(s)",
    "Previous owner/operator(s)",
    "Flag of ship",
    "Current believed flag of ship",
    "Previous flags",
    "Type of ship",
    "Tonnage of ship",
    "Length of ship",
    "Year built",
    "Hull identification number",
    "List of persons named in relation to financial and investment restrictions Group ID",
)
_OI_LABEL_RE = re.compile(
    r"\((" + "|".join(re.escape(label) for label in _OI_LABELS) + r")\)\s*:", re.IGNORECASE
)
_CANONICAL_LABEL = {label.casefold(): label for label in _OI_LABELS}
_UK_REF = re.compile(r"^\s*([A-Za-z]{2,4}\d{3,5})")
_UK_REF_LABELLED = re.compile(r"\(UK Sanctions List Ref\)\s*:\s*([A-Za-z]{2,4}\d{3,5})", re.IGNORECASE)
_EMAIL = re.compile(r"[^\s@,;()<>]+@[^\s@,;()<>]+\.[A-Za-z]{2,}")
_OWNER_UN_REF = re.compile(r"(?<!\()UN Ref\s*:?\s*([A-Za-z]{2}[eE]\.\s?\d{2,4})")
_OWNER_OFSI_ID = re.compile(r"OFSI ID:?\s*(\d+)")
_OWNER_NAME = re.compile(r"Listed as (?:an? )?asset of\s+(.+?)\s*(?:\(OFSI ID|[,\-]\s*OFSI ID|\(UN Ref|$)")


def parse_other_information(text: str) -> dict[str, list[str]]:
    """Labelled values of an Other Information text, by canonical label.

    Each label's value runs to the next known label. Free text before the first label
    is under ``""``. Unknown parenthesised words stay part of the value they sit in.
    """
    out: dict[str, list[str]] = {}
    matches = list(_OI_LABEL_RE.finditer(text))
    head = text[: matches[0].start()] if matches else text
    if head.strip():
        out.setdefault("", []).append(head.strip())
    for index, match in enumerate(matches):
        end = matches[index + 1].start() if index + 1 < len(matches) else len(text)
        label = _CANONICAL_LABEL[match.group(1).casefold()]
        value = text[match.end() : end].strip()
        if value:
            out.setdefault(label, []).append(value)
    return out


def _split_list(value: str, pattern: str) -> list[str]:
    items: list[str] = []
    for item in split_numbered(value):
        for piece in re.split(pattern, item):
            piece = piece.strip(" .;,\n\t")
            if piece:
                items.append(piece)
    return items


# ---------------------------------------------------------------------------
# Reading the rows (xlsx via openpyxl, or CSV)
# ---------------------------------------------------------------------------


def _cell_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = str(value).strip()
    return text or None


def _looks_like_zip(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            return handle.read(4) == b"PK\x03\x04"
    except OSError as exc:
        raise ListFormatError(str(path), f"cannot open: {exc}") from exc


def _xlsx_rows(path: Path) -> tuple[str, Iterator[tuple[int, list[str | None]]]]:
    # The zip is vetted (size, ratio) before openpyxl decompresses anything.
    check_zip_archive(path)
    import openpyxl  # deferred: heavy import, only needed for this format

    name = str(path)
    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many unrelated types on a broken package
        raise ListFormatError(name, f"not a readable XLSX workbook: {exc}") from exc
    if SHEET not in workbook.sheetnames:
        workbook.close()
        raise ListFormatError(
            name, f"sheet {SHEET!r} not found (sheets: {', '.join(workbook.sheetnames) or 'none'})"
        )
    sheet = workbook[SHEET]

    def rows() -> Iterator[tuple[int, list[str | None]]]:
        number = 0
        try:
            for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
                yield number, [_cell_text(value) for value in values]
        except ListFormatError:
            raise
        except Exception as exc:  # malformed sheet XML surfaces from deep inside openpyxl
            raise ListFormatError(
                name, f"unreadable sheet data: {exc}", location=f"sheet {SHEET}, row {number + 1}"
            ) from exc
        finally:
            workbook.close()

    return f"sheet {SHEET}", rows()


def _csv_rows(path: Path) -> tuple[str, Iterator[tuple[int, list[str | None]]]]:
    text = read_text(path)
    if "\x00" in text:
        # UTF-16 (or binary) read as a single-byte code page: every other char is NUL.
        raise ListFormatError(str(path), "not UTF-8/cp1252 text (NUL characters; UTF-16?)", location="CSV")
    reader = csv.reader(io.StringIO(text, newline=""))

    def rows() -> Iterator[tuple[int, list[str | None]]]:
        try:
            for values in reader:
                yield reader.line_num, [_cell_text(value) for value in values]
        except csv.Error as exc:
            raise ListFormatError(
                str(path), f"malformed CSV: {exc}", location=f"line {reader.line_num}"
            ) from exc

    return "CSV", rows()


def _norm_header(text: str | None) -> str:
    return " ".join((text or "").split()).casefold()


# ---------------------------------------------------------------------------
# Building parties
# ---------------------------------------------------------------------------

_NAME_COLUMNS = ("Name 1", "Name 2", "Name 3", "Name 4", "Name 5", "Name 6")
_ADDRESS_COLUMNS = ("Address 1", "Address 2", "Address 3", "Address 4", "Address 5", "Address 6")
# Columns read into model fields; any other column goes to Party.raw.
_MAPPED = {
    *_NAME_COLUMNS,
    *_ADDRESS_COLUMNS,
    "Title",
    "Name Non-Latin Script",
    "Non-Latin Script Type",
    "Non-Latin Script Language",
    "DOB",
    "Town of Birth",
    "Country of Birth",
    "Nationality",
    "Passport Number",
    "Passport Details",
    "National Identification Number",
    "National Identification Details",
    "Position",
    "Post/Zip Code",
    "Country",
    "Other Information",
    "Group Type",
    "Alias Type",
    "Alias Quality",
    "Regime",
    "Listed On",
    "UK Sanctions List Date Designated",
    "Last Updated",
    "Group ID",
    # ship columns of older/other layouts of the same list
    "IMO number",
    "Current owner/operator(s)",
    "Previous owner/operator(s)",
    "Current believed flag of ship",
    "Previous flags",
    "Type of ship",
    "Tonnage of ship",
    "Length of ship",
    "Year Built",
    "Hull identification number",
}
_MAPPED_KEYS = {_norm_header(column): column for column in _MAPPED}

_KINDS = {
    "primary name": ("primary", None),
    "aka": ("aka", None),
    "alias": ("aka", None),
    "fka": ("fka", None),
    "nka": ("nka", None),
    "primary name variation": ("aka", "primary name variation"),
}
_QUALITIES = {"good quality": "good", "low quality": "low", "good": "good", "low": "low"}


def name_kind(alias_type: str | None) -> tuple[str, str | None]:
    """Model kind and note of a UK alias type (``Primary name``, ``AKA``, ``Alias``...)."""
    if not alias_type:
        return "aka", None
    key = " ".join(alias_type.split()).casefold()
    return _KINDS.get(key, ("aka", alias_type))


def name_quality(text: str | None) -> str | None:
    """``good``/``low`` of ``Good quality``, ``Low quality a.k.a``... else None."""
    if not text:
        return None
    key = " ".join(text.replace("a.k.a", "").split()).casefold()
    return _QUALITIES.get(key)


def build_name(
    parts_in: Iterable[str | None],
    *,
    kind: str,
    note: str | None,
    quality: str | None,
    person: bool,
    title: str | None = None,
) -> Name | None:
    """A Name from Name1..Name6 (Name6 last): parts kept, first/last set for persons."""
    values = [p.strip() if p else None for p in parts_in]
    given = [p for p in values[:5] if p]
    last = values[5] if len(values) > 5 else None
    parts = [*given, last] if last else given
    if not parts:
        return None
    return Name(
        full=" ".join(parts),
        kind=kind,
        quality=quality,
        script=detect_script(" ".join(parts)),
        first=(given[0] if given else None) if person else None,
        middle=(" ".join(given[1:]) or None) if person else None,
        last=last if person else None,
        parts=parts,
        title=title,
        note=note,
    )


def add_name(names: list[Name], name: Name | None) -> None:
    """Add a name; an original-script form met again on another row is kept once (the
    primary reading wins)."""
    if name is None:
        return
    if name.original_script:
        for index, existing in enumerate(names):
            if existing.original_script and existing.full == name.full:
                if name.kind == "primary" and existing.kind != "primary":
                    names[index] = name
                return
    dedupe_append(names, name)


def order_names(names: list[Name]) -> list[Name]:
    """Primary names first (stable), so ``Party.primary_name`` is the Latin primary."""
    return sorted(names, key=lambda n: (n.kind != "primary", n.original_script))


@dataclass
class _Group:
    group_id: str
    first_row: int
    rows: list[dict[str, str]] = field(default_factory=list)


def _join_raw(raw: dict[str, str], key: str, value: str | None) -> None:
    if value is None or not value.strip():
        return
    value = value.strip()
    current = raw.get(key)
    if current is None:
        raw[key] = value
    elif value not in current.split(" | "):
        raw[key] = f"{current} | {value}"


def _apply_other_information(
    party: Party, text: str, fields: dict[str, list[str]], groups: Mapping[str, str]
) -> tuple[list[str], str | None]:
    """Map the labelled fields of Other Information; returns (UK refs, statement of reasons)."""
    uk_refs: list[str] = []
    for value in fields.get("UK Sanctions List Ref", []):
        match = _UK_REF.match(value)
        if match:
            dedupe_append(uk_refs, match.group(1).upper())
    for value in fields.get("UN Ref", []):
        ref = normalise_un_ref(value[:20])
        if ref:
            dedupe_append(party.cross_refs, f"un:{ref}")
    reasons = "\n\n".join(fields.get("UK Statement of Reasons", [])) or None
    for value in fields.get("Gender", []):
        word = value.split()[0].strip(" .;,").casefold() if value.split() else ""
        if word in ("male", "female"):
            party.gender = party.gender or word
        else:
            _join_raw(party.raw, "Gender", value)
    for label in ("Phone number", "Tel", "Fax"):
        for value in fields.get(label, []):
            for item in _split_list(value, r"\s*[;]\s*|\.\s+(?=[+(\d])"):
                dedupe_append(party.identifiers, Identifier(kind="phone", value=item, type_text=label))
    for value in fields.get("Email address", []):
        for item in _EMAIL.findall(value):
            dedupe_append(
                party.identifiers, Identifier(kind="email", value=item.rstrip("."), type_text="Email address")
            )
    for value in fields.get("Website", []):
        for item in _split_list(value, r"\s+"):
            dedupe_append(party.identifiers, Identifier(kind="website", value=item, type_text="Website"))
    for value in fields.get("Business Reg No", []):
        for item in split_numbered(value):
            kind = "tax_id" if re.search(r"\b(TIN|INN|tax)\b", item, re.IGNORECASE) else "registration"
            dedupe_append(party.identifiers, Identifier(kind=kind, value=item, type_text="Business Reg No"))
    for value in fields.get("Parent company", []):
        for item in split_numbered(value):
            dedupe_append(
                party.relations,
                Relation(kind="owned_or_controlled_by", target_name=item, text=f"Parent company: {item}"),
            )
    for value in fields.get("Subsidiaries", []):
        for item in split_numbered(value):
            dedupe_append(
                party.relations, Relation(kind="owner_of", target_name=item, text=f"Subsidiary: {item}")
            )
    for label in ("Type of entity", _OI_LABELS[-1]):
        for value in fields.get(label, []):
            _join_raw(party.raw, label, value)
    if party.schema == "Vessel":
        _apply_ship_fields(party, text, fields, groups)
    return uk_refs, reasons


def _vessel(party: Party) -> VesselInfo:
    if party.vessel is None:
        party.vessel = VesselInfo()
    return party.vessel


def add_imo(party: Party, value: str, type_text: str) -> None:
    """An IMO number: Identifier (verbatim) plus ``VesselInfo.imo`` (the 7 digits)."""
    dedupe_append(party.identifiers, Identifier(kind="imo", value=value, type_text=type_text))
    digits = re.search(r"\d{7}", value)
    vessel = _vessel(party)
    if digits and vessel.imo is None:
        vessel.imo = digits.group(0)
    elif digits and vessel.imo != digits.group(0):
        _join_raw(party.raw, "IMO number (other)", digits.group(0))


def set_flag(party: Party, value: str) -> None:
    vessel = _vessel(party)
    if vessel.flag is None:
        vessel.flag = country_or_text(value)
        vessel.flag_text = value
    elif vessel.flag_text != value:
        _join_raw(party.raw, "Flag of ship (other)", value)


def _first_or_raw(party: Party, attr: str, value: str, raw_key: str) -> None:
    vessel = _vessel(party)
    current = getattr(vessel, attr)
    if current is None:
        setattr(vessel, attr, value)
    elif current != value:
        _join_raw(party.raw, raw_key, value)


def _apply_ship_fields(
    party: Party, text: str, fields: dict[str, list[str]], groups: Mapping[str, str] | None = None
) -> None:
    vessel = _vessel(party)
    for value in fields.get("IMO number", []):
        add_imo(party, value.strip(" ."), "IMO number")
    for label in ("Flag of ship", "Current believed flag of ship"):
        for value in fields.get(label, []):
            set_flag(party, value.strip(" ."))
    for value in fields.get("Previous flags", []):
        for item in _split_list(value, r"\s*[;,]\s*|\.\s+"):
            dedupe_append(vessel.former_flags, country_or_text(item))
    for label in ("Current owners", "Current owner/operator(s)"):
        for value in fields.get(label, []):
            _first_or_raw(party, "owner", value.strip(" ."), "Current owners (other)")
    for value in fields.get("Type of ship", []):
        _first_or_raw(party, "vessel_type", value.strip(" ."), "Type of ship (other)")
    # The UK does not say which tonnage; gross tonnage is what the 1718 list reports.
    for value in fields.get("Tonnage of ship", []):
        _first_or_raw(party, "gross_tonnage", value.strip(" ."), "Tonnage of ship (other)")
    for value in fields.get("Year built", []):
        _first_or_raw(party, "year_built", value.strip(" ."), "Year built (other)")
    for label in ("Length of ship", "Previous owner/operator(s)", "Hull identification number"):
        for value in fields.get(label, []):
            _join_raw(party.raw, label, value.strip(" ."))
    add_owner_relations(party, text, groups)


def add_owner_relations(party: Party, text: str, groups: Mapping[str, str] | None = None) -> None:
    """The owner a ship is "listed as asset of", as a relation to the owner's UN ref.

    ``groups`` maps OFSI Group IDs to party ids of the same list, to resolve ``target``.
    """
    for match in _OWNER_UN_REF.finditer(text):
        ref = normalise_un_ref(match.group(1))
        if ref is None:
            continue
        # the sentence that carries the ref names the owner and its OFSI group
        sentence_start = text.rfind("Listed as", 0, match.start())
        sentence = text[sentence_start : match.end() + 1] if sentence_start >= 0 else text[: match.end()]
        owner = _OWNER_NAME.search(sentence)
        ofsi = _OWNER_OFSI_ID.search(sentence)
        relation = Relation(
            kind="owned_or_controlled_by",
            target=groups.get(ofsi.group(1)) if (ofsi and groups) else None,
            target_ref=ref,
            target_name=owner.group(1).strip(" ,.") if owner else None,
            text=sentence.strip(" ,.(") if sentence_start >= 0 else None,
        )
        if not any(r.kind == relation.kind and r.target_ref == ref for r in party.relations):
            party.relations.append(relation)


_REGIME_DATES = (
    ("listed", "Listed On"),
    ("updated", "Last Updated"),
    ("designated", "UK Sanctions List Date Designated"),
)


def _build_party(group: _Group, groups: Mapping[str, str], warnings: list[str]) -> Party:
    rows = group.rows
    types = [row["Group Type"] for row in rows if row.get("Group Type")]
    schema = _SCHEMAS.get(types[0].casefold(), "LegalEntity") if types else "LegalEntity"
    if types and types[0].casefold() not in _SCHEMAS:
        warnings.append(f"group {group.group_id}: unknown Group Type {types[0]!r}, read as LegalEntity")
    if len(set(types)) > 1:
        warnings.append(f"group {group.group_id}: rows disagree on Group Type {sorted(set(types))}")
    party = Party(id=f"{SOURCE_KEY}:{group.group_id}", source=SOURCE_KEY, schema=schema)
    if schema == "Vessel":
        party.vessel = VesselInfo()
    person = schema == "Person"
    names: list[Name] = []
    # per regime: UK refs, listing dates, update dates
    regimes: dict[str, dict[str, list[str]]] = {}
    other_texts: list[str] = []
    reasons_all: list[str] = []
    uk_refs_all: list[str] = []

    for row in rows:
        get = row.get
        kind, note = name_kind(get("Alias Type"))
        quality = name_quality(get("Alias Quality"))
        title = get("Title")
        add_name(
            names,
            build_name(
                (get(column) for column in _NAME_COLUMNS),
                kind=kind,
                note=note,
                quality=quality,
                person=person,
                title=title,
            ),
        )
        for item in split_numbered(title):
            dedupe_append(party.titles, item)
        original = get("Name Non-Latin Script")
        if original:
            script_type, language = get("Non-Latin Script Type"), get("Non-Latin Script Language")
            described = " / ".join(x for x in (script_type, language) if x) or None
            add_name(
                names,
                Name(
                    full=original,
                    kind=kind,
                    quality=quality,
                    script=detect_script(original, script_type or language),
                    lang=language_code(language),
                    original_script=True,
                    note=described,
                ),
            )
        for value in split_numbered(get("DOB")):
            dedupe_append(party.birth_dates, parse_uk_date(value))
        town, country = get("Town of Birth"), get("Country of Birth")
        if town or country:
            dedupe_append(
                party.birth_places,
                Place(
                    text=", ".join(x for x in (town, country) if x),
                    city=town,
                    country=country_code(country),
                    country_text=country,
                ),
            )
        for value in split_numbered(get("Nationality")):
            dedupe_append(party.nationalities, country_or_text(value))
        _add_documents(party, "passport", get("Passport Number"), get("Passport Details"))
        _add_documents(
            party,
            "national_id",
            get("National Identification Number"),
            get("National Identification Details"),
        )
        for value in split_numbered(get("Position")):
            dedupe_append(party.positions, value)
        lines = [get(column) for column in _ADDRESS_COLUMNS]
        postcode, addr_country = get("Post/Zip Code"), get("Country")
        pieces = [x for x in (*lines, postcode, addr_country) if x]
        if pieces:
            dedupe_append(
                party.addresses,
                Address(
                    full=", ".join(pieces),
                    street=", ".join(x for x in lines if x) or None,
                    postal_code=postcode,
                    country=country_code(addr_country),
                    country_text=addr_country,
                ),
            )
        _apply_ship_columns(party, row)
        other = get("Other Information")
        refs: list[str] = []
        if other and other not in other_texts:
            other_texts.append(other)
            refs, reasons = _apply_other_information(party, other, parse_other_information(other), groups)
            for ref in refs:
                dedupe_append(uk_refs_all, ref)
            if reasons:
                dedupe_append(reasons_all, reasons)
        elif other:
            refs = [m.group(1).upper() for m in _UK_REF_LABELLED.finditer(other)]
        regime = get("Regime") or ""
        slot = regimes.setdefault(regime, {"refs": [], "listed": [], "updated": [], "designated": []})
        for ref in refs:
            dedupe_append(slot["refs"], ref)
        for key, column in _REGIME_DATES:
            day = get(column)
            if day:
                dedupe_append(slot[key], parse_uk_day(day) or day)
        for column, value in row.items():
            if column not in _MAPPED:
                _join_raw(party.raw, column, value)

    party.names = order_names(names)
    remarks = "\n\n".join(other_texts) or None
    narrative = "\n\n".join(reasons_all) or None
    for regime, slot in regimes.items():
        refs = slot["refs"] or uk_refs_all
        listed = sorted(slot["listed"])
        updated = sorted(slot["updated"])
        other_refs = [f"ofsi_group:{group.group_id}", *refs[1:]]
        party.designations.append(
            Designation(
                authority="uk",
                reference=refs[0] if refs else None,
                regime=regime or None,
                listed_on=listed[0] if listed else None,
                last_updated=updated[-1] if updated else None,
                other_refs=other_refs,
                remarks=remarks,
                narrative=narrative,
                list_name=LIST_NAME,
            )
        )
        if len(listed) > 1:
            _join_raw(party.raw, f"Listed On ({regime})", " | ".join(listed))
        for value in slot["designated"]:
            _join_raw(party.raw, "UK Sanctions List Date Designated", value)
    return party


def _add_documents(party: Party, kind: str, numbers: str | None, details: str | None) -> None:
    """Pair ``(1) n1 (2) n2`` numbers with ``(1) d1 (2) d2`` details; unpaired details go
    whole onto each number."""
    values = split_numbered(numbers)
    notes = split_numbered(details)
    paired = len(values) == len(notes)
    for index, value in enumerate(values):
        note = notes[index] if paired else (details.strip() if details else None)
        dedupe_append(party.identifiers, Identifier(kind=kind, value=value, note=note))
    if not values and details:
        _join_raw(
            party.raw,
            "Passport Details" if kind == "passport" else "National Identification Details",
            details,
        )


def _apply_ship_columns(party: Party, row: dict[str, str]) -> None:
    """Ship columns, in layouts that have them as columns rather than in Other Information."""
    if not any(row.get(c) for c in ("IMO number", "Current believed flag of ship", "Type of ship")):
        return
    fields: dict[str, list[str]] = {}
    for column, label in (
        ("IMO number", "IMO number"),
        ("Current owner/operator(s)", "Current owner/operator(s)"),
        ("Previous owner/operator(s)", "Previous owner/operator(s)"),
        ("Current believed flag of ship", "Current believed flag of ship"),
        ("Previous flags", "Previous flags"),
        ("Type of ship", "Type of ship"),
        ("Tonnage of ship", "Tonnage of ship"),
        ("Length of ship", "Length of ship"),
        ("Year Built", "Year built"),
        ("Hull identification number", "Hull identification number"),
    ):
        value = row.get(column)
        if value:
            fields[label] = [value]
    if party.schema == "Vessel":
        _apply_ship_fields(party, "", fields)


# ---------------------------------------------------------------------------
# The parser
# ---------------------------------------------------------------------------

_LAST_UPDATED = re.compile(r"last\s+updated\s*:?\s*(.*)$", re.IGNORECASE)


def _find_published(cells: list[str | None]) -> str | None:
    for index, cell in enumerate(cells):
        if cell is None:
            continue
        match = _LAST_UPDATED.match(cell)
        if match:
            rest = match.group(1).strip() or next((c for c in cells[index + 1 :] if c), "")
            return parse_uk_day(rest)
    return None


def _pick_file(files: dict[str, Path]) -> Path:
    # "main" is the role of every single-file source; any lone file is taken as well.
    if "main" in files:
        return files["main"]
    if len(files) == 1:
        return next(iter(files.values()))
    raise ListFormatError(", ".join(sorted(files)), "expected one file with role 'main'")


def parse(files: dict[str, Path]) -> ParsedList:
    """Parse ConList.xlsx (sheet ``Data``) or ConList.csv into one Party per Group ID."""
    path = _pick_file(files)
    name = str(path)
    # Content first: a download saved under the wrong name is still read as what it is.
    if _looks_like_zip(path) or path.suffix.lower() in (".xlsx", ".xlsm"):
        where, rows = _xlsx_rows(path)
    else:
        where, rows = _csv_rows(path)

    published: str | None = None
    header: list[str] | None = None
    header_row = 0
    for number, cells in rows:
        if published is None:
            published = _find_published(cells)
        keys = {_norm_header(c) for c in cells}
        if "group id" in keys and "name 6" in keys:
            header = [_MAPPED_KEYS.get(_norm_header(c), (c or "").strip()) for c in cells]
            header_row = number
            break
        if number >= _HEADER_SCAN_ROWS:
            break
    if header is None:
        raise ListFormatError(
            name,
            "no header row with 'Group ID' and 'Name 6' found",
            location=f"{where}, rows 1-{_HEADER_SCAN_ROWS}",
        )

    group_col = header.index("Group ID")
    groups: dict[str, _Group] = {}
    warnings: list[str] = []
    data_rows = 0
    grouped_rows = 0
    for number, cells in rows:
        if not any(cells):
            continue
        data_rows += 1
        group_id = cells[group_col] if group_col < len(cells) else None
        if not group_id:
            warnings.append(f"{where}, row {number}: no Group ID; row skipped")
            continue
        group = groups.get(group_id)
        if group is None:
            group = groups[group_id] = _Group(group_id=group_id, first_row=number)
        group.rows.append(
            {header[i]: value for i, value in enumerate(cells) if value and i < len(header) and header[i]}
        )
        grouped_rows += 1
    if data_rows == 0:
        raise ListFormatError(name, "header found but no data rows", location=f"{where}, row {header_row}")
    if published is None:
        warnings.append("no 'Last Updated' date above the header row")

    party_ids = {group_id: f"{SOURCE_KEY}:{group_id}" for group_id in groups}
    parties: list[Party] = []
    for group in groups.values():
        party = _build_party(group, party_ids, warnings)
        if not party.names:
            warnings.append(
                f"group {group.group_id} (row {group.first_row}): no name on any row; not yielded"
            )
            continue
        parties.append(party)

    declared = {"groups": len(groups), "rows": data_rows}
    parsed: dict[str, int] = {"groups": len(parties), "rows": grouped_rows}
    for party in parties:
        key = _TYPE_KEYS.get(party.schema, party.schema)
        parsed[key] = parsed.get(key, 0) + 1
    if parsed["groups"] < declared["groups"] or grouped_rows < data_rows:
        raise ListCountError(
            name,
            f"parsed {parsed['groups']} of {declared['groups']} groups and {grouped_rows} of {data_rows} rows"
            + (f"; first problem: {warnings[0]}" if warnings else ""),
        )
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
    authority="uk",
    title="UK Consolidated List of Financial Sanctions Targets",
    publisher="HM Treasury, Office of Financial Sanctions Implementation (OFSI)",
    format="xlsx",
    files=(ListFile(role="main", url=XLSX_URL, filename="ConList.xlsx"),),
    parse=parse,
    homepage="https://www.gov.uk/government/publications/financial-sanctions-consolidated-list-of-targets",
    min_counts={"groups": 3000, "rows": 10000},
    notes=(
        "One row per name variant, grouped by Group ID. The same list is published as CSV "
        f"({CSV_URL}); parse() accepts either (by content, else by suffix). Ship owners' UN "
        "refs are relations (owned_or_controlled_by), not cross-refs."
    ),
)
