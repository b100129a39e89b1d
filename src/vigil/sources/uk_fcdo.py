"""FCDO UK Sanctions List: the summary spreadsheet (ODS) and the full XML.

Two sources of the same list, each keyed by the designation's Unique ID (``DPR0270``):

- :data:`ODS_SOURCE` (``uk_fcdo_ods``): the summary spreadsheet, one row per designation with
  Unique ID, OFSI Group ID, Name, Regime Name, Type, Designation source, Date Designated
  and Sanctions Imposed. It has no aliases or identifiers. The file states no date; the
  FCDO puts one in the file name (``FCDO_SL_Mon_Aug 11 2025.ods``), which is used as
  ``published`` when present (else None).
- :data:`XML_SOURCE` (``uk_fcdo_xml``): ``UK_Sanctions_List.xml`` (root ``Designations`` with
  ``DateGenerated`` and ``Designation`` records). ``UNReferenceNumber`` -> cross-ref
  ``un:<ref>``; every leaf element without a model field is kept in ``Party.raw`` under
  its element path, so a new FCDO element is never silently dropped.

Both keep the UN/UK "designation source" in ``Party.raw["designation_source"]`` (the model
has no field for it) and the OFSI Group ID as ``Designation.other_refs`` ``ofsi_group:<id>``.

The ODS is read by streaming its ``content.xml`` with lxml (no DTD, no entities, no
network, through a byte budget) after :func:`check_zip_archive`: odfpy builds the whole
DOM, including the 16,384-column and million-row "repeated" filler, and is far slower.
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from lxml import etree

from vigil.errors import ListCountError, ListFormatError
from vigil.model import (
    Address,
    Designation,
    Identifier,
    Name,
    Party,
    Place,
    Relation,
    VesselInfo,
)
from vigil.names.countries import country_code
from vigil.settings import DEFAULT_MAX_LIST_BYTES
from vigil.sources.base import ListFile, ParsedList, Source
from vigil.sources.safe_io import BudgetReader, check_zip_archive, iterparse_xml
from vigil.sources.uk_ofsi import (
    add_imo,
    add_name,
    add_owner_relations,
    build_name,
    country_or_text,
    dedupe_append,
    detect_script,
    language_code,
    name_kind,
    name_quality,
    normalise_un_ref,
    order_names,
    parse_uk_date,
    parse_uk_day,
    set_flag,
    split_numbered,
)

__all__ = ["ODS_SOURCE", "ODS_URL", "XML_SOURCE", "XML_URL", "parse_ods", "parse_xml"]

ODS_KEY = "uk_fcdo_ods"
XML_KEY = "uk_fcdo_xml"
LIST_NAME = "FCDO UK Sanctions List"
# The gov.uk publication page links the current files; copies on
# assets.publishing.service.gov.uk/media/<hash>/ change address with each upload, so the
# stable FCDO host is the default (override with VIGIL_LIST_URL_UK_FCDO_XML / _ODS).
HOMEPAGE = "https://www.gov.uk/government/publications/the-uk-sanctions-list"
XML_URL = "https://sanctionslist.fcdo.gov.uk/docs/UK-Sanctions-List.xml"
ODS_URL = "https://sanctionslist.fcdo.gov.uk/docs/UK-Sanctions-List.ods"

_SCHEMAS = {"individual": "Person", "entity": "Organization", "ship": "Vessel"}
_TYPE_KEYS = {"Person": "Individual", "Organization": "Entity", "Vessel": "Ship"}
_HEADER_SCAN_ROWS = 10
_MAX_COLUMNS = 256  # the summary has 8; repeated filler cells beyond this are not expanded


def _schema(type_text: str | None) -> str:
    return _SCHEMAS.get((type_text or "").strip().casefold(), "LegalEntity")


def _count(parties: list[Party]) -> dict[str, int]:
    counts: dict[str, int] = {"rows": len(parties)}
    for party in parties:
        key = _TYPE_KEYS.get(party.schema, party.schema)
        counts[key] = counts.get(key, 0) + 1
    return counts


def _measures(text: str | None) -> list[str]:
    """``Asset freeze, Travel Ban`` (ODS) or ``Asset freeze|Travel Ban`` (XML) as a list."""
    out: list[str] = []
    for item in re.split(r"[|,;\n]", text or ""):
        item = item.strip()
        if re.search(r"\w", item):  # "-" stands for "none" in the summary
            dedupe_append(out, item)
    return out


# ---------------------------------------------------------------------------
# ODS: stream content.xml
# ---------------------------------------------------------------------------

_TABLE_NS = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_TEXT_NS = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
_OFFICE_NS = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
_T_TABLE = f"{{{_TABLE_NS}}}table"
_T_ROW = f"{{{_TABLE_NS}}}table-row"
_T_CELL = f"{{{_TABLE_NS}}}table-cell"
_T_COVERED = f"{{{_TABLE_NS}}}covered-table-cell"
_T_NAME = f"{{{_TABLE_NS}}}name"
_T_COLS_REPEATED = f"{{{_TABLE_NS}}}number-columns-repeated"
_T_ROWS_REPEATED = f"{{{_TABLE_NS}}}number-rows-repeated"
_X_P = f"{{{_TEXT_NS}}}p"
_X_S = f"{{{_TEXT_NS}}}s"
_X_C = f"{{{_TEXT_NS}}}c"
_X_TAB = f"{{{_TEXT_NS}}}tab"
_X_BREAK = f"{{{_TEXT_NS}}}line-break"
_O_TYPE = f"{{{_OFFICE_NS}}}value-type"
_O_DATE = f"{{{_OFFICE_NS}}}date-value"
_O_VALUE = f"{{{_OFFICE_NS}}}value"


def _safe_parser_options() -> dict[str, Any]:
    # The same hardening as safe_io.iterparse_xml, which only reads files, not zip members.
    return {
        "resolve_entities": False,
        "no_network": True,
        "load_dtd": False,
        "dtd_validation": False,
        "huge_tree": True,
        "recover": False,
    }


def _paragraph_text(element: etree._Element) -> str:
    """Text of a ``text:p``: ``text:s`` is N spaces, ``text:tab``/``line-break`` whitespace."""
    pieces: list[str] = [element.text or ""]
    for child in element:
        tag = child.tag
        if tag == _X_S:
            pieces.append(" " * int(child.get(_X_C) or "1"))
        elif tag == _X_TAB:
            pieces.append("\t")
        elif tag == _X_BREAK:
            pieces.append("\n")
        elif isinstance(tag, str):
            pieces.append(_paragraph_text(child))
        pieces.append(child.tail or "")
    return "".join(pieces)


def _cell_value(cell: etree._Element) -> str | None:
    value_type = cell.get(_O_TYPE)
    if value_type == "date":
        date_value = cell.get(_O_DATE)
        if date_value:
            return date_value[:10]
    paragraphs = [_paragraph_text(p) for p in cell.iter(_X_P)]
    text = "\n".join(paragraphs).strip()
    if not text and value_type in ("float", "percentage", "currency"):
        text = (cell.get(_O_VALUE) or "").strip()
    return text or None


def _row_values(row: etree._Element) -> list[str | None]:
    values: list[str | None] = []
    pending_empty = 0
    for cell in row:
        if cell.tag not in (_T_CELL, _T_COVERED):
            continue
        repeat = int(cell.get(_T_COLS_REPEATED) or "1")
        value = _cell_value(cell)
        if value is None:
            # Empty filler (often 16,000+ columns) is only materialised if a value follows.
            pending_empty += repeat
            continue
        if pending_empty:
            values.extend([None] * min(pending_empty, _MAX_COLUMNS - len(values)))
            pending_empty = 0
        values.extend([value] * max(0, min(repeat, _MAX_COLUMNS - len(values))))
        if len(values) >= _MAX_COLUMNS:
            break
    return values


def _ods_rows(path: Path, warnings: list[str]) -> Iterator[tuple[int, list[str | None], str]]:
    """(row number, cell values, table name) of the first table of an ODS file, streamed."""
    name = str(path)
    check_zip_archive(path)
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile as exc:
        raise ListFormatError(name, f"not a valid ODS (zip) file: {exc}") from exc
    with archive:
        try:
            info = archive.getinfo("content.xml")
        except KeyError:
            raise ListFormatError(name, "no content.xml member: not an ODS spreadsheet") from None
        try:
            member = archive.open(info)
        except (zipfile.BadZipFile, NotImplementedError, RuntimeError, OSError) as exc:  # damaged/encrypted
            raise ListFormatError(name, f"cannot read content.xml: {exc}") from exc
        stream = io.BufferedReader(BudgetReader(member, f"{name}!content.xml", DEFAULT_MAX_LIST_BYTES))
        row_number = 0
        table_name = "?"
        tables_seen = 0
        try:
            context = etree.iterparse(
                stream, events=("start", "end"), tag=(_T_TABLE, _T_ROW), **_safe_parser_options()
            )
            root_checked = False
            for event, element in context:
                if not root_checked:
                    docinfo = element.getroottree().docinfo
                    if docinfo.internalDTD is not None or docinfo.doctype:
                        raise ListFormatError(
                            name, "content.xml with a DOCTYPE/entity declarations is refused"
                        )
                    root_checked = True
                if element.tag == _T_TABLE:
                    if event == "start":
                        tables_seen += 1
                        table_name = element.get(_T_NAME) or f"table {tables_seen}"
                    elif tables_seen == 1:
                        return  # only the first table is the list
                    continue
                if event != "end" or tables_seen != 1:
                    continue
                repeat = int(element.get(_T_ROWS_REPEATED) or "1")
                values = _row_values(element)
                row_number += 1
                if any(values):
                    if repeat > 1:
                        warnings.append(
                            f"table {table_name}, row {row_number}: row repeated {repeat} times; read once"
                        )
                    yield row_number, values, table_name
                row_number += repeat - 1
                # keep memory flat: drop rows already read
                element.clear()
                parent = element.getparent()
                while parent is not None and element.getprevious() is not None:
                    del parent[0]
            if not root_checked:
                raise ListFormatError(name, "content.xml has no table")
        except etree.XMLSyntaxError as exc:
            raise ListFormatError(
                name,
                f"malformed content.xml: {exc.msg or exc}",
                location=f"content.xml line {exc.lineno or '?'}",
            ) from exc
        except (OSError, EOFError, zipfile.BadZipFile, zlib.error) as exc:
            raise ListFormatError(name, f"cannot read content.xml: {exc}") from exc
        finally:
            stream.close()


_MONTHS = {
    m: i
    for i, m in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1
    )
}
_NAME_DATE_TEXT = re.compile(r"(?<![A-Za-z])([A-Za-z]{3})[a-z]*[\s_\-]+(\d{1,2})[\s_,\-]+(\d{4})")
_NAME_DATE_ISO = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_NAME_DATE_DMY = re.compile(r"(?<!\d)(\d{2})[-_.](\d{2})[-_.](\d{4})(?!\d)")


def date_from_filename(filename: str) -> str | None:
    """``FCDO_SL_Mon_Aug 11 2025.ods`` -> ``2025-08-11`` (also ISO and dd-mm-yyyy names)."""
    for match in _NAME_DATE_TEXT.finditer(filename):
        month = _MONTHS.get(match.group(1).casefold())
        if month:
            day = parse_uk_day(f"{int(match.group(2)):02d}/{month:02d}/{match.group(3)}")
            if day:
                return day
    iso = _NAME_DATE_ISO.search(filename)
    if iso:
        return parse_uk_day(iso.group(0))
    dmy = _NAME_DATE_DMY.search(filename)
    if dmy:
        return parse_uk_day(f"{dmy.group(1)}/{dmy.group(2)}/{dmy.group(3)}")
    return None


_ODS_COLUMNS = {
    "unique id": "Unique ID",
    "ofsi group id": "OFSI Group ID",
    "name": "Name",
    "regime name": "Regime Name",
    "type": "Type",
    "designation source": "Designation source",
    "date designated": "Date Designated",
    "sanctions imposed": "Sanctions Imposed",
}


def _pick(files: dict[str, Path]) -> Path:
    # "main" is the role of every single-file source; any lone file is taken as well.
    if "main" in files:
        return files["main"]
    if len(files) == 1:
        return next(iter(files.values()))
    raise ListFormatError(", ".join(sorted(files)), "expected one file with role 'main'")


def parse_ods(files: dict[str, Path]) -> ParsedList:
    """Parse the FCDO summary spreadsheet: one Party per row (Unique ID)."""
    path = _pick(files)
    name = str(path)
    warnings: list[str] = []
    rows = _ods_rows(path, warnings)
    header: list[str] | None = None
    table = "?"
    for number, cells, table_name in rows:
        table = table_name
        keys = [" ".join((c or "").split()).casefold() for c in cells]
        if "unique id" in keys and "name" in keys:
            header = [_ODS_COLUMNS.get(k, (c or "").strip()) for k, c in zip(keys, cells, strict=True)]
            break
        if number >= _HEADER_SCAN_ROWS:
            break
    if header is None:
        raise ListFormatError(
            name,
            "no header row with 'Unique ID' and 'Name' found",
            location=f"table {table}, rows 1-{_HEADER_SCAN_ROWS}",
        )

    parties: dict[str, Party] = {}
    data_rows = 0
    for number, cells, table in rows:
        data_rows += 1
        row = {header[i]: value for i, value in enumerate(cells) if value and i < len(header) and header[i]}
        unique_id = row.get("Unique ID")
        if not unique_id:
            warnings.append(f"table {table}, row {number}: no Unique ID; row skipped")
            continue
        party = _ods_party(unique_id, row)
        if not party.names:
            # Kept: the designation and its OFSI group still link it to the fuller lists.
            warnings.append(f"table {table}, row {number}: {unique_id} has an empty Name")
        if unique_id in parties:
            warnings.append(f"table {table}, row {number}: Unique ID {unique_id} repeated; merged")
            _merge(parties[unique_id], party)
            continue
        parties[unique_id] = party
    if data_rows == 0:
        raise ListFormatError(name, "header found but no data rows", location=f"table {table}")

    result = list(parties.values())
    parsed = _count(result)
    parsed["rows"] = data_rows - sum(1 for w in warnings if w.endswith("no Unique ID; row skipped"))
    declared = {"rows": data_rows}
    if parsed["rows"] < declared["rows"]:
        raise ListCountError(
            name,
            f"parsed {parsed['rows']} of {data_rows} rows; first problem: {warnings[0] if warnings else '?'}",
        )
    published = date_from_filename(path.name)
    if published is None:
        warnings.append(f"no date in the file name {path.name!r}; published is unknown")
    return ParsedList(
        source=ODS_KEY,
        published=published,
        parties=result,
        declared=declared,
        parsed=parsed,
        warnings=warnings,
    )


def _ods_party(unique_id: str, row: dict[str, str]) -> Party:
    party = Party(id=f"{ODS_KEY}:{unique_id}", source=ODS_KEY, schema=_schema(row.get("Type")))
    if party.schema == "Vessel":
        party.vessel = VesselInfo()
    full = row.get("Name")
    if full:
        party.names.append(Name(full=full, kind="primary", script=detect_script(full)))
    group_id = row.get("OFSI Group ID")
    listed = row.get("Date Designated")
    party.designations.append(
        Designation(
            authority="uk",
            reference=unique_id,
            regime=row.get("Regime Name"),
            listed_on=parse_uk_day(listed) if listed else None,
            other_refs=[f"ofsi_group:{group_id}"] if group_id else [],
            measures=_measures(row.get("Sanctions Imposed")),
            list_name=LIST_NAME,
        )
    )
    if row.get("Designation source"):
        party.raw["designation_source"] = row["Designation source"]
    if listed and parse_uk_day(listed) is None:
        party.raw["Date Designated"] = listed
    for column, value in row.items():
        if column not in _ODS_COLUMNS.values():
            party.raw[column] = value
    return party


def _merge(into: Party, other: Party) -> None:
    for name in other.names:
        dedupe_append(into.names, name)
    for designation in other.designations:
        dedupe_append(into.designations, designation)


# ---------------------------------------------------------------------------
# XML: UK_Sanctions_List.xml
# ---------------------------------------------------------------------------


def _local(element: etree._Element) -> str:
    tag = element.tag
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def _path(steps: str) -> str:
    # "{*}" matches any or no namespace: the FCDO file has none today.
    return "/".join(f"{{*}}{step}" for step in steps.split("/"))


def _texts(element: etree._Element, steps: str) -> list[str]:
    out: list[str] = []
    for found in element.iterfind(_path(steps)):
        text = "".join(str(piece) for piece in found.itertext()).strip()
        if text:
            dedupe_append(out, text)
    return out


def _text(element: etree._Element, steps: str) -> str | None:
    values = _texts(element, steps)
    return values[0] if values else None


# Leaf paths read into model fields; every other leaf goes to Party.raw by its path.
_XML_HANDLED = {
    "LastUpdated",
    "DateDesignated",
    "UniqueID",
    "OFSIGroupID",
    "UNReferenceNumber",
    "RegimeName",
    "IndividualEntityShip",
    "DesignationSource",
    "SanctionsImposed",
    "OtherInformation",
    "UKStatementofReasons",
    *(f"Names/Name/Name{i}" for i in range(1, 7)),
    "Names/Name/NameType",
    "Names/Name/AliasStrength",
    "NonLatinNames/NonLatinName/NameNonLatinScript",
    "NonLatinNames/NonLatinName/NonLatinScriptType",
    "NonLatinNames/NonLatinName/NonLatinScriptLanguage",
    "Titles/Title",
    *(f"Addresses/Address/AddressLine{i}" for i in range(1, 7)),
    "Addresses/Address/AddressPostalCode",
    "Addresses/Address/AddressCountry",
    "PhoneNumbers/PhoneNumber",
    "EmailAddresses/EmailAddress",
    "Websites/Website",
    "IndividualDetails/Individual/DOBs/DOB",
    "IndividualDetails/Individual/Nationalities/Nationality",
    "IndividualDetails/Individual/Positions/Position",
    "IndividualDetails/Individual/Genders/Gender",
    "IndividualDetails/Individual/BirthDetails/Location/TownOfBirth",
    "IndividualDetails/Individual/BirthDetails/Location/CountryOfBirth",
    "IndividualDetails/Individual/PassportDetails/Passport/PassportNumber",
    "IndividualDetails/Individual/PassportDetails/Passport/PassportAdditionalInformation",
    "IndividualDetails/Individual/NationalIdentifierDetails/NationalIdentifier/NationalIdentifierNumber",
    "IndividualDetails/Individual/NationalIdentifierDetails/NationalIdentifier/NationalIdentifierAdditionalInformation",
    "EntityDetails/Entity/BusinessRegistrationNumbers/BusinessRegistrationNumber",
    "EntityDetails/Entity/ParentCompanies/ParentCompany",
    "EntityDetails/Entity/Subsidiaries/Subsidiary",
    "ShipDetails/Ship/IMONumbers/IMONumber",
    "ShipDetails/Ship/CurrentOwnerOperators/CurrentOwnerOperator",
    "ShipDetails/Ship/CurrentBelievedFlagOfShips/CurrentBelievedFlagOfShip",
    "ShipDetails/Ship/PreviousFlags/PreviousFlag",
    "ShipDetails/Ship/TypeOfShipDetails/TypeOfShip",
    "ShipDetails/Ship/TonnageOfShipDetails/TonnageOfShip",
    "ShipDetails/Ship/YearsBuilt/YearBuilt",
}


def _leaves(element: etree._Element, prefix: str = "") -> Iterator[tuple[str, str]]:
    for child in element:
        name = _local(child)
        if not name:
            continue
        path = f"{prefix}/{name}" if prefix else name
        if len(child):
            yield from _leaves(child, path)
        else:
            text = (child.text or "").strip()
            if text:
                yield path, text


def _xml_party(record: etree._Element, unique_id: str) -> Party:
    party = Party(
        id=f"{XML_KEY}:{unique_id}", source=XML_KEY, schema=_schema(_text(record, "IndividualEntityShip"))
    )
    person = party.schema == "Person"
    if party.schema == "Vessel":
        party.vessel = VesselInfo()

    names: list[Name] = []
    for element in record.iterfind(_path("Names/Name")):
        kind, note = name_kind(_text(element, "NameType"))
        add_name(
            names,
            build_name(
                (_text(element, f"Name{i}") for i in range(1, 7)),
                kind=kind,
                note=note,
                quality=name_quality(_text(element, "AliasStrength")),
                person=person,
            ),
        )
    for element in record.iterfind(_path("NonLatinNames/NonLatinName")):
        original = _text(element, "NameNonLatinScript")
        if not original:
            continue
        script_type, language = _text(element, "NonLatinScriptType"), _text(element, "NonLatinScriptLanguage")
        # The XML does not say which Latin name this renders, so it is an alias in original script.
        add_name(
            names,
            Name(
                full=original,
                kind="aka",
                script=detect_script(original, script_type or language),
                lang=language_code(language),
                original_script=True,
                note=" / ".join(x for x in (script_type, language) if x) or None,
            ),
        )
    party.names = order_names(names)
    for title in _texts(record, "Titles/Title"):
        for item in split_numbered(title):
            dedupe_append(party.titles, item)

    for element in record.iterfind(_path("Addresses/Address")):
        lines = [_text(element, f"AddressLine{i}") for i in range(1, 7)]
        postcode, country = _text(element, "AddressPostalCode"), _text(element, "AddressCountry")
        pieces = [x for x in (*lines, postcode, country) if x]
        if pieces:
            dedupe_append(
                party.addresses,
                Address(
                    full=", ".join(pieces),
                    street=", ".join(x for x in lines if x) or None,
                    postal_code=postcode,
                    country=country_code(country),
                    country_text=country,
                ),
            )
    for kind, steps in (
        ("phone", "PhoneNumbers/PhoneNumber"),
        ("email", "EmailAddresses/EmailAddress"),
        ("website", "Websites/Website"),
    ):
        for value in _texts(record, steps):
            dedupe_append(
                party.identifiers, Identifier(kind=kind, value=value, type_text=steps.split("/")[-1])
            )

    individual = "IndividualDetails/Individual"
    for value in _texts(record, f"{individual}/DOBs/DOB"):
        dedupe_append(party.birth_dates, parse_uk_date(value))
    for value in _texts(record, f"{individual}/Nationalities/Nationality"):
        dedupe_append(party.nationalities, country_or_text(value))
    for value in _texts(record, f"{individual}/Positions/Position"):
        dedupe_append(party.positions, value)
    for value in _texts(record, f"{individual}/Genders/Gender"):
        if value.casefold() in ("male", "female"):
            party.gender = party.gender or value.casefold()
        else:
            party.raw["Gender"] = value
    for element in record.iterfind(_path(f"{individual}/BirthDetails/Location")):
        town, country = _text(element, "TownOfBirth"), _text(element, "CountryOfBirth")
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
    for kind, steps, number_tag, info_tag in (
        ("passport", "PassportDetails/Passport", "PassportNumber", "PassportAdditionalInformation"),
        (
            "national_id",
            "NationalIdentifierDetails/NationalIdentifier",
            "NationalIdentifierNumber",
            "NationalIdentifierAdditionalInformation",
        ),
    ):
        for element in record.iterfind(_path(f"{individual}/{steps}")):
            number = _text(element, number_tag)
            if number:
                dedupe_append(
                    party.identifiers, Identifier(kind=kind, value=number, note=_text(element, info_tag))
                )

    entity = "EntityDetails/Entity"
    for value in _texts(record, f"{entity}/BusinessRegistrationNumbers/BusinessRegistrationNumber"):
        dedupe_append(
            party.identifiers,
            Identifier(kind="registration", value=value, type_text="BusinessRegistrationNumber"),
        )
    for value in _texts(record, f"{entity}/ParentCompanies/ParentCompany"):
        dedupe_append(
            party.relations,
            Relation(kind="owned_or_controlled_by", target_name=value, text=f"Parent company: {value}"),
        )
    for value in _texts(record, f"{entity}/Subsidiaries/Subsidiary"):
        dedupe_append(
            party.relations, Relation(kind="owner_of", target_name=value, text=f"Subsidiary: {value}")
        )

    ship = "ShipDetails/Ship"
    for value in _texts(record, f"{ship}/IMONumbers/IMONumber"):
        add_imo(party, value, "IMONumber")
    for value in _texts(record, f"{ship}/CurrentBelievedFlagOfShips/CurrentBelievedFlagOfShip"):
        set_flag(party, value)
    if party.vessel is not None or record.find(_path(ship)) is not None:
        vessel = party.vessel or VesselInfo()
        party.vessel = vessel
        for value in _texts(record, f"{ship}/PreviousFlags/PreviousFlag"):
            dedupe_append(vessel.former_flags, country_or_text(value))
        owners = _texts(record, f"{ship}/CurrentOwnerOperators/CurrentOwnerOperator")
        vessel.owner = "; ".join(owners) or None
        vessel.vessel_type = "; ".join(_texts(record, f"{ship}/TypeOfShipDetails/TypeOfShip")) or None
        # The FCDO does not say which tonnage; gross tonnage is what the 1718 list reports.
        vessel.gross_tonnage = "; ".join(_texts(record, f"{ship}/TonnageOfShipDetails/TonnageOfShip")) or None
        vessel.year_built = "; ".join(_texts(record, f"{ship}/YearsBuilt/YearBuilt")) or None

    # A UN reference of the record itself (not a ship owner's, which sits in the text).
    for value in _texts(record, "UNReferenceNumber"):
        ref = normalise_un_ref(value)
        dedupe_append(party.cross_refs, f"un:{ref}" if ref else f"un:{value}")
    other = _text(record, "OtherInformation")
    if party.schema == "Vessel" and other:
        add_owner_relations(party, other)

    group_id = _text(record, "OFSIGroupID")
    party.designations.append(
        Designation(
            authority="uk",
            reference=unique_id,
            regime=_text(record, "RegimeName"),
            listed_on=parse_uk_day(_text(record, "DateDesignated")),
            last_updated=parse_uk_day(_text(record, "LastUpdated")),
            other_refs=[f"ofsi_group:{group_id}"] if group_id else [],
            remarks=other,
            narrative=_text(record, "UKStatementofReasons"),
            measures=_measures(_text(record, "SanctionsImposed")) or _indicator_measures(record),
            list_name=LIST_NAME,
        )
    )
    source = _text(record, "DesignationSource")
    if source:
        party.raw["designation_source"] = source
    for path, value in _leaves(record):
        if path in _XML_HANDLED or path.startswith("SanctionsImposedIndicators/"):
            continue
        current = party.raw.get(path)
        if current is None:
            party.raw[path] = value
        elif value not in current.split(" | "):
            party.raw[path] = f"{current} | {value}"
    return party


def _indicator_measures(record: etree._Element) -> list[str]:
    """Measures from ``SanctionsImposedIndicators`` flags (``<TravelBan>true</TravelBan>``)."""
    out: list[str] = []
    for indicators in record.iterfind(_path("SanctionsImposedIndicators")):
        for flag in indicators:
            if (flag.text or "").strip().casefold() == "true":
                words = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", _local(flag))
                dedupe_append(out, words[:1] + words[1:].lower())
    return out


def parse_xml(files: dict[str, Path]) -> ParsedList:
    """Parse ``UK_Sanctions_List.xml``: one Party per ``Designation`` (Unique ID)."""
    path = _pick(files)
    name = str(path)
    published: str | None = None
    parties: dict[str, Party] = {}
    warnings: list[str] = []
    seen = 0
    for element in iterparse_xml(path, ("{*}Designation", "{*}DateGenerated")):
        if _local(element) == "DateGenerated":
            published = parse_uk_day((element.text or "").strip())
            continue
        seen += 1
        unique_id = _text(element, "UniqueID")
        if not unique_id:
            warnings.append(f"Designation #{seen}: no UniqueID; skipped")
        else:
            party = _xml_party(element, unique_id)
            if unique_id in parties:
                warnings.append(f"Designation #{seen}: UniqueID {unique_id} repeated; merged")
                _merge(parties[unique_id], party)
            else:
                parties[unique_id] = party
        # keep memory flat on the 20 MB file
        element.clear()
        parent = element.getparent()
        while parent is not None and element.getprevious() is not None:
            del parent[0]
    if seen == 0:
        raise ListFormatError(name, "no Designation elements: not a UK Sanctions List XML")
    result = list(parties.values())
    parsed = _count(result)
    parsed["designations"] = parsed.pop("rows")
    declared = {"designations": seen}
    skipped = sum(1 for w in warnings if w.endswith("no UniqueID; skipped"))
    if seen - skipped < seen:
        raise ListCountError(
            name, f"parsed {seen - skipped} of {seen} designations; first problem: {warnings[0]}"
        )
    if published is None:
        warnings.append("no DateGenerated in the file")
    return ParsedList(
        source=XML_KEY,
        published=published,
        parties=result,
        declared=declared,
        parsed=parsed,
        warnings=warnings,
    )


ODS_SOURCE = Source(
    key=ODS_KEY,
    authority="uk",
    title="UK Sanctions List (FCDO summary spreadsheet)",
    publisher="Foreign, Commonwealth & Development Office (FCDO)",
    format="ods",
    files=(ListFile(role="main", url=ODS_URL, filename="UK_Sanctions_List.ods"),),
    parse=parse_ods,
    homepage=HOMEPAGE,
    min_counts={"rows": 3000},
    notes=(
        "Summary only (no aliases or identifiers). published is read from the file name "
        "(e.g. 'FCDO_SL_Mon_Aug 11 2025.ods'), None if it carries no date. The ODS URL on "
        "the FCDO host is unverified; gov.uk asset copies change address with each upload."
    ),
)

XML_SOURCE = Source(
    key=XML_KEY,
    authority="uk",
    title="UK Sanctions List (FCDO, XML)",
    publisher="Foreign, Commonwealth & Development Office (FCDO)",
    format="xml",
    files=(ListFile(role="main", url=XML_URL, filename="UK_Sanctions_List.xml"),),
    parse=parse_xml,
    homepage=HOMEPAGE,
    min_counts={"designations": 3000},
    notes=(
        "Root Designations/DateGenerated + Designation records keyed by UniqueID. Unmapped "
        "elements are kept in Party.raw by path."
    ),
)
