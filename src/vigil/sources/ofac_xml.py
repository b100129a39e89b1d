"""OFAC's classic XML schema: ``SDN.XML`` and ``CONSOLIDATED.XML`` (root ``sdnList``).

Not the "advanced" schema (``SDN_ADVANCED.XML``): this is the older flat one, with a
``publshInformation`` header (sic) holding ``Publish_Date`` (MM/DD/YYYY) and
``Record_Count``, then one ``sdnEntry`` per record. Typed values the schema has no
element for (secondary-sanctions statements, crypto addresses, gender, vessel
build year...) come as ``idList/id`` items with an ``idType`` label; those labels are
OFAC's remarks vocabulary, so they are read with :mod:`vigil.sources.ofac_remarks`.

The namespace has changed over the years (``http://tempuri.org/sdnList.xsd``, then the
Sanctions List Service export URL), so elements are matched by local name; an unknown
namespace is reported as a warning, a root other than ``sdnList`` is refused.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from functools import partial
from pathlib import Path

from lxml import etree

from vigil.errors import ListCountError, ListFormatError
from vigil.model import Address, Designation, Identifier, Name, Party, VesselInfo
from vigil.names.countries import country_code
from vigil.sources.base import ListFile, ParsedList, Source
from vigil.sources.ofac_remarks import (
    ParsedRemarks,
    apply_to_party,
    parse_date_value,
    parse_labelled,
    parse_place,
    parse_remarks,
    set_vessel_flag,
)
from vigil.sources.safe_io import iterparse_xml

__all__ = ["CONS_XML", "KNOWN_NAMESPACES", "SDN_XML", "parse_ofac_xml"]

_EXPORTS = "https://sanctionslistservice.ofac.treas.gov/api/PublicationPreview/exports"

#: Namespaces OFAC has used for sdnList files ("" is a file without one).
KNOWN_NAMESPACES = frozenset(
    {
        "",
        "http://tempuri.org/sdnList.xsd",
        "https://sanctionslistservice.ofac.treas.gov/api/PublicationPreview/exports/XML",
        "https://sanctionslistservice.ofac.treas.gov/api/PublicationPreview/exports/CONSOLIDATED.XML",
        "https://sanctionslistservice.ofac.treas.gov/api/PublicationPreview/exports/SDN.XML",
    }
)

#: sdnType -> FollowTheMoney schema.
SDN_TYPES: dict[str, str] = {
    "individual": "Person",
    "entity": "Organization",
    "vessel": "Vessel",
    "aircraft": "Airplane",
}

#: aka/type -> Name.kind; aka/category -> Name.quality.
AKA_TYPES: dict[str, str] = {"a.k.a.": "aka", "f.k.a.": "fka", "n.k.a.": "nka"}
AKA_CATEGORIES: dict[str, str] = {"strong": "good", "weak": "weak"}

#: vesselInfo child -> VesselInfo field (vesselFlag is handled apart: it is mapped to a code).
VESSEL_FIELDS: dict[str, str] = {
    "callSign": "call_sign",
    "vesselType": "vessel_type",
    "vesselOwner": "owner",
    "grossRegisteredTonnage": "gross_tonnage",
}

_PUBLISH_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")


def _local(tag: object) -> str:
    text = str(tag)
    return text.rsplit("}", 1)[-1]


def _namespace(tag: object) -> str:
    text = str(tag)
    return text[1:].split("}", 1)[0] if text.startswith("{") else ""


class _Reader:
    """Child lookups by local name within one namespace."""

    def __init__(self, namespace: str) -> None:
        self.prefix = f"{{{namespace}}}" if namespace else ""

    def text(self, element: etree._Element, name: str) -> str | None:
        value = element.findtext(f"{self.prefix}{name}")
        if value is None:
            return None
        value = value.strip()
        return value or None

    def children(self, element: etree._Element, path: str) -> list[etree._Element]:
        parts = "/".join(f"{self.prefix}{part}" for part in path.split("/"))
        return list(element.iterfind(parts))


def _publish_date(text: str | None) -> str | None:
    """``01/08/2026`` (MM/DD/YYYY) -> ``2026-01-08``."""
    if not text:
        return None
    match = _PUBLISH_DATE.match(text.strip())
    if match is None:
        return None
    month, day, year = match.groups()
    return f"{year}-{int(month):02d}-{int(day):02d}"


def _full_name(first: str | None, last: str | None) -> str:
    # OFAC's own display order ("KIM, Jong Un"), the same as SDN.CSV writes it.
    if first and last:
        return f"{last}, {first}"
    return last or first or ""


def _entry_party(
    entry: etree._Element, r: _Reader, source_key: str, list_name: str, path: str, warnings: list[str]
) -> Party:
    line = entry.sourceline
    uid = r.text(entry, "uid")
    if uid is None:
        raise ListFormatError(path, "sdnEntry without uid", location=f"line {line}")
    sdn_type = r.text(entry, "sdnType")
    schema = SDN_TYPES.get((sdn_type or "").lower())
    if schema is None:
        warnings.append(f"line {line}: uid {uid} has unknown sdnType {sdn_type!r}; kept as LegalEntity")
        schema = "LegalEntity"
    party = Party(id=f"{source_key}:{uid}", source=source_key, schema=schema)
    first, last = r.text(entry, "firstName"), r.text(entry, "lastName")
    full = _full_name(first, last)
    if not full:
        raise ListFormatError(path, f"sdnEntry uid {uid} has no name", location=f"line {line}")
    party.names.append(Name(full=full, kind="primary", first=first, last=last))
    title = r.text(entry, "title")
    if title:
        party.titles.append(title)
    if sdn_type:
        party.raw["sdn_type"] = sdn_type

    designation = Designation(
        authority="ofac",
        reference=uid,
        programmes=[
            p.text.strip() for p in r.children(entry, "programList/program") if p.text and p.text.strip()
        ],
        list_name=list_name,
    )
    party.designations.append(designation)

    for aka in r.children(entry, "akaList/aka"):
        a_first, a_last = r.text(aka, "firstName"), r.text(aka, "lastName")
        if schema == "Person" and a_first is None and a_last and "," in a_last:
            # Weak akas of individuals come whole in lastName ("ZAHAR, Mahmoud").
            a_last, a_first = (part.strip() or None for part in a_last.split(",", 1))
        a_full = _full_name(a_first, a_last)
        if not a_full:
            continue
        party.names.append(
            Name(
                full=a_full,
                kind=AKA_TYPES.get((r.text(aka, "type") or "").lower(), "aka"),
                quality=AKA_CATEGORIES.get((r.text(aka, "category") or "").lower()),
                first=a_first,
                last=a_last,
            )
        )

    for item in r.children(entry, "addressList/address"):
        address = _address(item, r)
        if address is not None:
            party.addresses.append(address)

    for path_, target in (
        ("nationalityList/nationality", party.nationalities),
        ("citizenshipList/citizenship", party.citizenships),
    ):
        for item in r.children(entry, path_):
            text = r.text(item, "country")
            if text:
                value = country_code(text) or text
                if value not in target:
                    target.append(value)

    for item in r.children(entry, "dateOfBirthList/dateOfBirthItem"):
        text = r.text(item, "dateOfBirth")
        if text:
            party.birth_dates.append(parse_date_value(text))
    for item in r.children(entry, "placeOfBirthList/placeOfBirthItem"):
        text = r.text(item, "placeOfBirth")
        if text:
            party.birth_places.append(parse_place(text))

    vessel_items = r.children(entry, "vesselInfo")
    if vessel_items:
        party.vessel = _vessel(vessel_items[0], r, party)

    # idList items and the free remarks are read with the remarks vocabulary.
    found = ParsedRemarks()
    for item in r.children(entry, "idList/id"):
        label, number = r.text(item, "idType"), r.text(item, "idNumber")
        if not label or not number:
            continue
        parse_labelled(
            label,
            number,
            found,
            country=r.text(item, "idCountry"),
            issued=r.text(item, "issueDate"),
            expires=r.text(item, "expirationDate"),
        )
    remarks = r.text(entry, "remarks")
    designation.remarks = remarks
    from_remarks = parse_remarks(remarks)
    apply_to_party(party, found, unparsed_key="ids_unparsed")
    apply_to_party(party, from_remarks)
    return party


def _address(item: etree._Element, r: _Reader) -> Address | None:
    lines = [r.text(item, name) for name in ("address1", "address2", "address3")]
    street = ", ".join(line for line in lines if line) or None
    city, region, postal = r.text(item, "city"), r.text(item, "stateOrProvince"), r.text(item, "postalCode")
    country = r.text(item, "country")
    parts = [part for part in (street, city, region, postal, country) if part]
    if not parts:
        return None
    return Address(
        full=", ".join(parts),
        street=street,
        city=city,
        region=region,
        postal_code=postal,
        country=(country_code(country) or country) if country else None,
        country_text=country,
    )


def _vessel(item: etree._Element, r: _Reader, party: Party) -> VesselInfo:
    vessel = VesselInfo()
    for element, field_name in VESSEL_FIELDS.items():
        setattr(vessel, field_name, r.text(item, element))
    flag = r.text(item, "vesselFlag")
    if flag:
        set_vessel_flag(vessel, flag)
    if vessel.call_sign:
        party.identifiers.append(Identifier(kind="call_sign", value=vessel.call_sign, type_text="Call Sign"))
    tonnage = r.text(item, "tonnage")
    if tonnage:
        # VesselInfo has no plain "tonnage" (OFAC does not say which tonnage it is).
        party.raw["vessel_tonnage"] = tonnage
    return vessel


def _elements(path: Path) -> Iterator[etree._Element]:
    """The root, header and entries of an sdnList file.

    The root is among the tags so that safe_io's DOCTYPE check runs at the root's start
    event. safe_io reports "no XML elements found" when none of the tags occur, which
    here means a well-formed XML file of another kind: said so plainly.
    """
    try:
        yield from iterparse_xml(path, tags=("{*}sdnList", "{*}sdnEntry", "{*}publshInformation"))
    except ListFormatError as exc:
        if str(exc).endswith(" found") and ": no " in str(exc):
            raise ListFormatError(str(path), "no sdnList root element: not an OFAC sdnList XML file") from exc
        raise


def parse_ofac_xml(
    files: dict[str, Path], *, source_key: str, list_name: str, role: str = "xml"
) -> ParsedList:
    """Parse one OFAC sdnList XML file (SDN.XML or CONSOLIDATED.XML)."""
    if role not in files:
        raise ListFormatError(f"<{source_key}>", f"the {role!r} file is missing from this version")
    path = files[role]
    name = str(path)
    warnings: list[str] = []
    parties: list[Party] = []
    seen: dict[str, int] = {}
    published: str | None = None
    record_count: int | None = None
    header_seen = False
    root_checked = False
    namespace = ""
    reader = _Reader(namespace)
    for element in _elements(path):
        if not root_checked:
            root = element.getroottree().getroot()
            if _local(root.tag) != "sdnList":
                raise ListFormatError(
                    name, f"root element is {_local(root.tag)!r}, not an OFAC sdnList", location="line 1"
                )
            namespace = _namespace(root.tag)
            if namespace not in KNOWN_NAMESPACES:
                warnings.append(f"unknown sdnList namespace {namespace!r}; parsed by element names")
            reader = _Reader(namespace)
            root_checked = True
        if _namespace(element.tag) != namespace or _local(element.tag) == "sdnList":
            continue
        if _local(element.tag) == "publshInformation":
            header_seen = True
            raw_date = reader.text(element, "Publish_Date")
            published = _publish_date(raw_date)
            if raw_date and published is None:
                warnings.append(f"Publish_Date {raw_date!r} is not MM/DD/YYYY")
            count_text = reader.text(element, "Record_Count")
            if count_text is not None:
                if not count_text.isdigit():
                    raise ListFormatError(
                        name,
                        f"Record_Count {count_text!r} is not a number",
                        location=f"line {element.sourceline}",
                    )
                record_count = int(count_text)
            element.clear()
            continue
        party = _entry_party(element, reader, source_key, list_name, name, warnings)
        uid = party.designations[0].reference or ""
        if uid in seen:
            warnings.append(
                f"line {element.sourceline}: duplicate uid {uid} (first at line {seen[uid]}); dropped"
            )
        else:
            # lxml-stubs types sourceline oddly; it is an int or None.
            seen[uid] = getattr(element, "sourceline", None) or 0
            parties.append(party)
        # Free what was read: the file can be tens of megabytes.
        element.clear()
        parent = element.getparent()
        if parent is not None:
            while element.getprevious() is not None:
                del parent[0]
    if not root_checked:
        raise ListFormatError(name, "no sdnEntry or publshInformation element: not an OFAC sdnList XML file")
    if not header_seen:
        warnings.append("no publshInformation header: publication date and record count unknown")
    declared = {"records": record_count} if record_count is not None else {}
    parsed: dict[str, int] = {"records": len(parties)}
    parsed.update(Counter(party.schema for party in parties))
    if record_count is not None and len(parties) < record_count:
        raise ListCountError(
            name, f"parsed {len(parties)} sdnEntry records but Record_Count is {record_count}"
        )
    if record_count is not None and len(parties) > record_count:
        warnings.append(f"parsed {len(parties)} records, more than Record_Count {record_count}")
    return ParsedList(
        source=source_key,
        published=published,
        parties=parties,
        declared=declared,
        parsed=parsed,
        warnings=warnings,
    )


SDN_XML = Source(
    key="ofac_sdn_xml",
    authority="ofac",
    title="OFAC Specially Designated Nationals (SDN) List, XML",
    publisher="U.S. Department of the Treasury, Office of Foreign Assets Control",
    format="xml",
    files=(ListFile(role="xml", url=f"{_EXPORTS}/SDN.XML", filename="SDN.XML"),),
    parse=partial(parse_ofac_xml, source_key="ofac_sdn_xml", list_name="SDN List"),
    homepage="https://ofac.treasury.gov/specially-designated-nationals-and-blocked-persons-list-sdn-human-readable-lists",
    min_counts={"records": 5000},
    notes=(
        "Classic sdnList schema. The advanced schema (ofac_sdn_advanced) carries the same list "
        "with relationships."
    ),
)

CONS_XML = Source(
    key="ofac_cons_xml",
    authority="ofac",
    title="OFAC Consolidated Sanctions List (non-SDN), XML",
    publisher="U.S. Department of the Treasury, Office of Foreign Assets Control",
    format="xml",
    files=(ListFile(role="xml", url=f"{_EXPORTS}/CONSOLIDATED.XML", filename="CONSOLIDATED.XML"),),
    parse=partial(parse_ofac_xml, source_key="ofac_cons_xml", list_name="Consolidated (non-SDN) List"),
    homepage="https://ofac.treasury.gov/other-ofac-sanctions-lists",
    min_counts={"records": 100},
    notes="Classic sdnList schema, the non-SDN lists (SSI, NS-MBS, CMIC, NS-PLC...).",
)
