"""OFAC's legacy CSV files: the SDN list (SDN.CSV + ADD/ALT/SDN_COMMENTS) and the
Consolidated (non-SDN) list (cons_prim/cons_add/cons_alt/cons_comments).

The files have no header and no date. Columns:

- primary: ent_num, SDN_Name, SDN_Type, Program, Title, Call_Sign, Vess_type, Tonnage,
  GRT, Vess_flag, Vess_owner, Remarks
- add: ent_num, add_num, address, city/state/postal, country, add_remarks
- alt: ent_num, alt_num, alt_type, alt_name, alt_remarks
- comments: ent_num, remarks_extended

``-0-`` (with stray spaces) means "no value". Files are cp1252 and end with a 0x1A
(DOS EOF) byte. SDN.CSV cuts remarks at 1,000 characters; the rest is in the comments
file and is joined back before parsing, so identifiers in the overflow (crypto
addresses above all) are found. Remarks are parsed by :mod:`vigil.sources.ofac_remarks`.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from vigil.errors import ListCountError, ListFormatError
from vigil.model import Address, Designation, Identifier, Name, Party, VesselInfo
from vigil.names.countries import country_code
from vigil.sources.base import ListFile, ParsedList, Source
from vigil.sources.ofac_remarks import apply_to_party, parse_remarks, set_vessel_flag
from vigil.sources.safe_io import open_list_file, read_text

__all__ = [
    "CONS_CSV",
    "SDN_CSV",
    "SDN_CSV_PRIMARY_ONLY",
    "parse_ofac_csv",
    "split_programs",
]

_EXPORTS = "https://sanctionslistservice.ofac.treas.gov/api/PublicationPreview/exports"

#: Column count of each file role.
COLUMNS: dict[str, int] = {"sdn": 12, "add": 6, "alt": 5, "comments": 2}

#: SDN_Type (lower case; None is ``-0-``, OFAC's "entity") -> FollowTheMoney schema.
SDN_TYPES: dict[str | None, str] = {
    "individual": "Person",
    None: "Organization",
    "entity": "Organization",
    "vessel": "Vessel",
    "aircraft": "Airplane",
}

#: alt_type -> Name.kind.
ALT_TYPES: dict[str, str] = {
    "aka": "aka",
    "fka": "fka",
    "nka": "nka",
    "a.k.a.": "aka",
    "f.k.a.": "fka",
    "n.k.a.": "nka",
}

#: OFAC cuts SDN.CSV remarks at this many characters.
REMARKS_LIMIT = 1000

_NULL = re.compile(r"^-\s*0\s*-$")


@dataclass(slots=True)
class _Row:
    line: int
    cells: list[str]


@dataclass(slots=True)
class _Entry:
    party: Party
    line: int
    remarks: str | None
    comments: list[str] = field(default_factory=list)


def _value(cell: str) -> str | None:
    text = cell.strip()
    if not text or _NULL.match(text):
        return None
    return text


def split_programs(text: str | None) -> list[str]:
    """``"DPRK3] [DPRK4"`` (or ``"[DPRK3] [DPRK4]"``) -> ``["DPRK3", "DPRK4"]``."""
    if not text:
        return []
    inner = text.strip().strip("[]").strip()
    return [part.strip() for part in re.split(r"\]\s*\[", inner) if part.strip()]


def _sniff(path: Path) -> None:
    """Refuse a file that is obviously not CSV, with a message saying what it is."""
    with open_list_file(path) as handle:
        head = handle.read(512)
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"PK\x03\x04"):
        raise ListFormatError(
            str(path), "is a ZIP archive (XLSX/ODS?), not an OFAC legacy CSV file", location="byte 0"
        )
    if stripped.startswith(b"<"):
        raise ListFormatError(str(path), "is XML/HTML, not an OFAC legacy CSV file", location="line 1")
    if b"\x00" in head:
        raise ListFormatError(str(path), "is binary (contains NUL bytes), not an OFAC legacy CSV file")


def _read_rows(path: Path, role: str) -> list[_Row]:
    """The data rows of one file, each checked for its column count and ent_num."""
    _sniff(path)
    text = read_text(path)
    # OFAC ends its files with a DOS EOF byte (0x1A); copies may or may not keep it.
    text = text.rstrip().rstrip("\x1a").rstrip()
    if not text:
        raise ListFormatError(str(path), "file is empty")
    expected = COLUMNS[role]
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows: list[_Row] = []
    start = 1
    try:
        for cells in reader:
            line, start = start, reader.line_num + 1
            if not cells or (len(cells) == 1 and not cells[0].strip()):
                continue
            if not rows and cells[0].strip().lower() == "ent_num":
                continue  # a header row some mirrors add
            if len(cells) != expected:
                raise ListFormatError(
                    str(path),
                    f"expected {expected} columns in the {role} file, found {len(cells)}",
                    location=f"line {line}",
                )
            if not cells[0].strip().isdigit():
                raise ListFormatError(
                    str(path),
                    f"ent_num must be a number, found {cells[0].strip()[:40]!r}",
                    location=f"line {line}",
                )
            rows.append(_Row(line=line, cells=cells))
    except csv.Error as exc:
        raise ListFormatError(str(path), f"malformed CSV: {exc}", location=f"line {reader.line_num}") from exc
    if not rows:
        raise ListFormatError(str(path), "file has no data rows")
    return rows


def _split_person_name(full: str) -> tuple[str | None, str | None]:
    """OFAC writes individuals ``LAST, First``: split on the first comma."""
    if "," not in full:
        return None, None
    last, first = (part.strip() for part in full.split(",", 1))
    return (first or None), (last or None)


def _primary_party(row: _Row, source_key: str, list_name: str, warnings: list[str], path: Path) -> _Entry:
    cells = [_value(cell) for cell in row.cells]
    ent_num, name, sdn_type, program, title, call_sign, vess_type, tonnage, grt, flag, owner, remarks = cells
    assert ent_num is not None  # checked in _read_rows
    type_key = sdn_type.lower() if sdn_type else None
    schema = SDN_TYPES.get(type_key)
    if schema is None:
        warnings.append(f"{path.name} line {row.line}: unknown SDN_Type {sdn_type!r}; kept as LegalEntity")
        schema = "LegalEntity"
    party = Party(id=f"{source_key}:{ent_num}", source=source_key, schema=schema)
    if name is None:
        raise ListFormatError(str(path), "SDN_Name is empty", location=f"line {row.line}")
    primary = Name(full=name, kind="primary")
    if schema == "Person":
        primary.first, primary.last = _split_person_name(name)
    party.names.append(primary)
    if title:
        party.titles.append(title)
    party.designations.append(
        Designation(
            authority="ofac",
            reference=ent_num,
            programmes=split_programs(program),
            list_name=list_name,
        )
    )
    if any((call_sign, vess_type, grt, flag, owner)):
        vessel = VesselInfo(call_sign=call_sign, vessel_type=vess_type, gross_tonnage=grt, owner=owner)
        if flag:
            set_vessel_flag(vessel, flag)
        party.vessel = vessel
    if call_sign:
        party.identifiers.append(Identifier(kind="call_sign", value=call_sign, type_text="Call Sign"))
    if tonnage:
        # VesselInfo has no plain "tonnage" (OFAC does not say which tonnage it is).
        party.raw["vessel_tonnage"] = tonnage
    if sdn_type:
        party.raw["sdn_type"] = sdn_type
    # The raw cell, not the stripped value: a space at the 1,000-character cut matters
    # when the comments row is glued back on.
    return _Entry(party=party, line=row.line, remarks=row.cells[11] if remarks is not None else None)


def _apply_remarks(entry: _Entry, warnings: list[str], path_name: str) -> None:
    party = entry.party
    parts = [entry.remarks or "", *entry.comments]
    text = "".join(parts).strip() or None
    designation = party.designations[0]
    designation.remarks = text
    if text is None:
        return
    # A remarks cell at the limit with no continuation row was cut off by OFAC.
    truncated = not entry.comments and entry.remarks is not None and len(entry.remarks) >= REMARKS_LIMIT
    parsed = parse_remarks(text, truncated=truncated)
    apply_to_party(party, parsed)
    if parsed.truncated_tail is not None:
        party.raw["remarks_truncated_tail"] = parsed.truncated_tail
        warnings.append(
            f"{path_name} line {entry.line}: remarks of ent_num {designation.reference} are cut at "
            f"{REMARKS_LIMIT} characters and no comments row continues them; last segment not parsed"
        )


def _address(row: _Row) -> Address | None:
    _, _, street, city_line, country, remarks = (_value(cell) for cell in row.cells)
    if not any((street, city_line, country, remarks)):
        return None
    full = ", ".join(part for part in (street, city_line, country) if part)
    code = country_code(country) if country else None
    # "city/state/postal" is one column ("London EC3N 1DY"): it stays whole in ``full``;
    # splitting city from postal code would be a guess.
    return Address(
        full=full or (remarks or ""),
        street=street,
        country=code or country,
        country_text=country,
        note=remarks,
    )


def _alias(row: _Row, schema: str) -> Name | None:
    _, _, alt_type, alt_name, alt_remarks = (_value(cell) for cell in row.cells)
    if not alt_name:
        return None
    name = Name(full=alt_name, kind=ALT_TYPES.get((alt_type or "aka").lower(), "aka"), note=alt_remarks)
    if schema == "Person":
        name.first, name.last = _split_person_name(alt_name)
    return name


def _orphans_warning(path: Path, orphans: dict[str, list[int]]) -> str:
    shown = ", ".join(
        f"{ent} (line {', '.join(map(str, lines[:3]))})" for ent, lines in list(orphans.items())[:20]
    )
    more = f" and {len(orphans) - 20} more" if len(orphans) > 20 else ""
    rows = sum(len(lines) for lines in orphans.values())
    return (
        f"{path.name}: {rows} rows refer to {len(orphans)} ent_num not in the primary file "
        f"(kept out of the parties): {shown}{more}"
    )


def _resolve_relations(parties: list[Party]) -> None:
    """Point "Linked To" relations at the party of the same list when the name matches."""
    by_name: dict[str, str] = {}
    for party in parties:
        for name in party.names:
            by_name.setdefault(name.full.upper(), party.id)
    for party in parties:
        for relation in party.relations:
            if relation.target_name is None:
                continue
            key = relation.target_name.upper()
            # The sentence period was stripped or kept by a guess: try both.
            for candidate in (key, f"{key}.", key.rstrip(".")):
                target = by_name.get(candidate)
                if target is not None and target != party.id:
                    relation.target = target
                    break


def parse_ofac_csv(
    files: dict[str, Path],
    *,
    source_key: str,
    list_name: str,
    required: tuple[str, ...] = ("sdn", "add", "alt"),
) -> ParsedList:
    """Parse one version of an OFAC legacy CSV list (roles ``sdn``, ``add``, ``alt``, ``comments``)."""
    for role in required:
        if role not in files:
            raise ListFormatError(f"<{source_key}>", f"the {role!r} file is missing from this version")
    warnings: list[str] = []
    primary_path = files["sdn"]
    primary_rows = _read_rows(primary_path, "sdn")
    entries: dict[str, _Entry] = {}
    for row in primary_rows:
        ent_num = row.cells[0].strip()
        if ent_num in entries:
            warnings.append(
                f"{primary_path.name} line {row.line}: duplicate ent_num {ent_num} "
                f"(first at line {entries[ent_num].line}); dropped"
            )
            continue
        entries[ent_num] = _primary_party(row, source_key, list_name, warnings, primary_path)

    if "comments" in files:
        orphans: dict[str, list[int]] = {}
        for row in _read_rows(files["comments"], "comments"):
            ent_num = row.cells[0].strip()
            entry = entries.get(ent_num)
            if entry is None:
                orphans.setdefault(ent_num, []).append(row.line)
                continue
            # The continuation is raw text glued to the cut: no separator, no null marker.
            entry.comments.append(row.cells[1])
        if orphans:
            warnings.append(_orphans_warning(files["comments"], orphans))

    for entry in entries.values():
        _apply_remarks(entry, warnings, primary_path.name)

    if "add" in files:
        orphans = {}
        for row in _read_rows(files["add"], "add"):
            entry = entries.get(row.cells[0].strip())
            if entry is None:
                orphans.setdefault(row.cells[0].strip(), []).append(row.line)
                continue
            address = _address(row)
            if address is not None:
                entry.party.addresses.append(address)
        if orphans:
            warnings.append(_orphans_warning(files["add"], orphans))

    if "alt" in files:
        orphans = {}
        for row in _read_rows(files["alt"], "alt"):
            entry = entries.get(row.cells[0].strip())
            if entry is None:
                orphans.setdefault(row.cells[0].strip(), []).append(row.line)
                continue
            name = _alias(row, entry.party.schema)
            if name is not None:
                entry.party.names.append(name)
        if orphans:
            warnings.append(_orphans_warning(files["alt"], orphans))

    parties = [entry.party for entry in entries.values()]
    _resolve_relations(parties)
    declared = {"records": len(primary_rows)}
    parsed: dict[str, int] = {"records": len(parties)}
    parsed.update(Counter(party.schema for party in parties))
    if parsed["records"] < declared["records"]:
        raise ListCountError(
            str(primary_path),
            f"parsed {parsed['records']} records but the file has {declared['records']} data rows",
        )
    return ParsedList(
        source=source_key,
        published=None,
        parties=parties,
        declared=declared,
        parsed=parsed,
        warnings=warnings,
    )


SDN_CSV = Source(
    key="ofac_sdn_csv",
    authority="ofac",
    title="OFAC Specially Designated Nationals (SDN) List, legacy CSV",
    publisher="U.S. Department of the Treasury, Office of Foreign Assets Control",
    format="csv",
    files=(
        ListFile(role="sdn", url=f"{_EXPORTS}/SDN.CSV", filename="SDN.CSV"),
        ListFile(role="add", url=f"{_EXPORTS}/ADD.CSV", filename="ADD.CSV"),
        ListFile(role="alt", url=f"{_EXPORTS}/ALT.CSV", filename="ALT.CSV"),
        ListFile(
            role="comments", url=f"{_EXPORTS}/SDN_COMMENTS.CSV", filename="SDN_COMMENTS.CSV", optional=True
        ),
    ),
    parse=partial(parse_ofac_csv, source_key="ofac_sdn_csv", list_name="SDN List"),
    homepage="https://ofac.treasury.gov/specially-designated-nationals-and-blocked-persons-list-sdn-human-readable-lists",
    min_counts={"records": 5000},
    notes=(
        "No publication date inside the files. Remarks are cut at 1,000 characters; SDN_COMMENTS.CSV "
        "continues them. The advanced XML (ofac_sdn_advanced) is the richer source of the same list."
    ),
)

#: The SDN list from SDN.CSV alone (archived snapshots often keep only the primary file):
#: same ids as :data:`SDN_CSV`, without addresses or strong aliases. Not for production use.
SDN_CSV_PRIMARY_ONLY = Source(
    key="ofac_sdn_csv",
    authority="ofac",
    title="OFAC SDN List, legacy CSV (primary file only)",
    publisher=SDN_CSV.publisher,
    format="csv",
    files=tuple(
        ListFile(role=f.role, url=f.url, filename=f.filename, optional=f.role != "sdn") for f in SDN_CSV.files
    ),
    parse=partial(parse_ofac_csv, source_key="ofac_sdn_csv", list_name="SDN List", required=("sdn",)),
    homepage=SDN_CSV.homepage,
    min_counts=SDN_CSV.min_counts,
    notes="Variant of ofac_sdn_csv where ADD/ALT/SDN_COMMENTS are optional.",
)

CONS_CSV = Source(
    key="ofac_cons_csv",
    authority="ofac",
    title="OFAC Consolidated Sanctions List (non-SDN), legacy CSV",
    publisher="U.S. Department of the Treasury, Office of Foreign Assets Control",
    format="csv",
    files=(
        ListFile(role="sdn", url=f"{_EXPORTS}/CONS_PRIM.CSV", filename="cons_prim.csv"),
        ListFile(role="add", url=f"{_EXPORTS}/CONS_ADD.CSV", filename="cons_add.csv"),
        ListFile(role="alt", url=f"{_EXPORTS}/CONS_ALT.CSV", filename="cons_alt.csv"),
        ListFile(
            role="comments", url=f"{_EXPORTS}/CONS_COMMENTS.CSV", filename="cons_comments.csv", optional=True
        ),
    ),
    parse=partial(parse_ofac_csv, source_key="ofac_cons_csv", list_name="Consolidated (non-SDN) List"),
    homepage="https://ofac.treasury.gov/other-ofac-sanctions-lists",
    min_counts={"records": 100},
    notes="Same legacy format as SDN.CSV; no publication date inside the files.",
)
