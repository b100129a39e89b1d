"""EU Financial Sanctions Files (FSF), consolidated XML export, schema 1.1.

The file is one ``export`` root (namespace ``http://eu.europa.ec/fpi/fsd/export``)
holding ``sanctionEntity`` records whose fields are mostly attributes of child
elements: ``regulation``, ``subjectType``, ``nameAlias``, ``citizenship``,
``birthdate``, ``identification``, ``address``, ``remark``. Mapping decisions:

- ``Party.id`` is ``eu_fsf:<logicalId>``; the EU keeps logicalId stable per record.
- subjectType ``person`` becomes ``Person``, ``enterprise`` becomes ``Organization``
  (the EU uses "enterprise" for companies, bodies and groups alike); any other code
  becomes ``LegalEntity`` with a warning.
- The first nameAlias is the primary name; ``strong="false"`` aliases have quality
  ``weak``, strong ones ``good``.
- ``Designation.listed_on`` is the entity's ``designationDate`` when the export has
  it, else the publication date of the earliest regulation; ``last_updated`` is the
  latest regulation's publication date.
- ``unitedNationId`` becomes a cross reference ``un:<ref>`` (``un:KPi.033``).
- ``regulationLanguage``, ``regulationSummary`` (the act that introduced each
  sub-record) and the logicalIds of sub-records are bookkeeping of the EU database
  and are not kept; every other attribute the model has no field for goes to
  ``Party.raw``.

The official download is
``https://webgate.ec.europa.eu/fsd/fsf/public/files/xmlFullSanctionsList_1_1/content?token=dG9rZW4tMjAxNw``.
The token is not a secret: it is the fixed public token the EU publishes on the
FSF page for anonymous downloads (base64 of ``token-2017``).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from pathlib import Path

from lxml import etree

from vigil.errors import ListFormatError
from vigil.model import Address, DateValue, Designation, Identifier, Name, Party, Place
from vigil.names.countries import country_code
from vigil.sources.base import ListFile, ParsedList, Source, check_counts
from vigil.sources.safe_io import iterparse_xml
from vigil.sources.un import detect_script, normalize_un_ref

__all__ = ["NAMESPACE", "SOURCE", "parse"]

log = logging.getLogger(__name__)

SOURCE_KEY = "eu_fsf"
NAMESPACE = "http://eu.europa.ec/fpi/fsd/export"
URL = (
    "https://webgate.ec.europa.eu/fsd/fsf/public/files/xmlFullSanctionsList_1_1/content?token=dG9rZW4tMjAxNw"
)

#: subjectType code -> schema.
SUBJECT_SCHEMAS: dict[str, str] = {"person": "Person", "enterprise": "Organization"}

#: identificationTypeCode -> Identifier.kind. Codes not listed become ``other``.
ID_KINDS: dict[str, str] = {
    "passport": "passport",
    "id": "national_id",
    "ssn": "national_id",
    "fiscalcode": "tax_id",
    "tin": "tax_id",
    "regnumber": "registration",
    "swiftbic": "bic",
    "imo": "imo",
    "other": "other",
}

#: contactInfo key (lower case) -> Identifier.kind; other keys go to the address note.
CONTACT_KINDS: dict[str, str] = {"phone": "phone", "fax": "phone", "email": "email", "web": "website"}

GENDERS: dict[str, str] = {"m": "male", "f": "female"}

#: The EU writes "00"/"UNKNOWN" where it does not know the country.
UNKNOWN_COUNTRY = frozenset({"", "00"})

#: Identification flags that change what a document is worth; kept in its note when true.
ID_FLAGS = ("diplomatic", "knownExpired", "knownFalse", "reportedLost", "revokedByIssuer")

# EU database bookkeeping, deliberately not kept (see the module docstring).
_IGNORED = frozenset({"regulationLanguage", "logicalId"})

_ENTITY_ATTRS = frozenset(
    {
        "logicalId",
        "designationDetails",
        "unitedNationId",
        "euReferenceNumber",
        "designationDate",
        "delistingDate",
    }
)
_REGULATION_ATTRS = frozenset(
    {
        "regulationType",
        "organisationType",
        "publicationDate",
        "entryIntoForceDate",
        "numberTitle",
        "programme",
    }
)
_NAME_ATTRS = frozenset(
    {
        "firstName",
        "middleName",
        "lastName",
        "wholeName",
        "function",
        "gender",
        "title",
        "nameLanguage",
        "strong",
    }
)
_CITIZENSHIP_ATTRS = frozenset(
    {"region", "countryIso2Code", "countryDescription", "acquisitionDate", "disenfranchisementDate"}
)
_BIRTH_ATTRS = frozenset(
    {"circa", "calendarType", "city", "zipCode", "birthdate", "dayOfMonth", "monthOfYear", "year",
     "yearRangeFrom", "yearRangeTo", "region", "place", "countryIso2Code", "countryDescription"}
)  # fmt: skip
_ID_ATTRS = frozenset(
    {"diplomatic", "knownExpired", "knownFalse", "reportedLost", "revokedByIssuer", "issueDate", "issuedDate",
     "issuedBy", "latinNumber", "nameOnDocument", "number", "validFrom", "validTo", "region",
     "identificationTypeCode", "identificationTypeDescription", "countryIso2Code", "countryDescription"}
)  # fmt: skip
_ADDRESS_ATTRS = frozenset(
    {"city", "street", "poBox", "zipCode", "region", "place", "asAtListingTime", "countryIso2Code",
     "countryDescription", "contactInfo"}
)  # fmt: skip

_WS = re.compile(r"\s+")


def _local(tag: object) -> str:
    text = str(tag)
    return text.rsplit("}", 1)[-1] if text.startswith("{") else text


def _clean(text: str | None) -> str | None:
    if text is None:
        return None
    value = _WS.sub(" ", text).strip()
    return value or None


def _attr_text(element: etree._Element) -> str | None:
    return _clean(" ".join(f"{_local(k)}={v!s}" for k, v in element.attrib.items()))


def _join(parts: Iterable[str | None], sep: str = ", ") -> str:
    return sep.join(p for p in parts if p)


class _Entity:
    """One sanctionEntity being mapped: the party plus its raw and warning bookkeeping."""

    def __init__(self, party: Party, where: str, warnings: list[str]) -> None:
        self.party = party
        self.where = where
        self.warnings = warnings
        self.counters: dict[str, int] = {}

    def attrs(self, element: etree._Element, known: frozenset[str]) -> dict[str, str]:
        """The element's non-empty attributes; unknown ones are kept in raw."""
        tag = _local(element.tag)
        index = self.counters.get(tag, 0)
        out: dict[str, str] = {}
        for key, value in element.attrib.items():
            name = _local(key)
            text = _clean(str(value))
            if text is None or name in _IGNORED:
                continue
            if name in known:
                out[name] = text
            else:
                self.party.raw[f"{tag}[{index}]@{name}"] = text
        return out

    def children(self, element: etree._Element) -> tuple[list[str], dict[str, list[str]]]:
        """Remarks of a sub-record and its key/value children (contactInfo, additionalInformation)."""
        tag = _local(element.tag)
        index = self.counters.get(tag, 0)
        remarks: list[str] = []
        pairs: dict[str, list[str]] = {}
        for child in element:
            if not isinstance(child.tag, str):
                continue
            name = _local(child.tag)
            if name == "regulationSummary":
                continue
            if name == "remark":
                text = _clean(child.text)
                if text is not None:
                    remarks.append(text)
            elif name in ("contactInfo", "additionalInformation"):
                key, value = _clean(child.get("key")), _clean(child.get("value"))
                if value is not None:
                    pairs.setdefault(name, []).append(f"{key}: {value}" if key else value)
            elif name == "publicationUrl":
                text = _clean(child.text)
                if text is not None:
                    pairs.setdefault(name, []).append(text)
            else:
                text = _clean(child.text) or _attr_text(child)
                if text is not None:
                    self.party.raw[f"{tag}[{index}]/{name}"] = text
                    self.warnings.append(f"{self.where}: unknown EU element {tag}/{name} kept in Party.raw")
        return remarks, pairs

    def done(self, element: etree._Element) -> None:
        tag = _local(element.tag)
        self.counters[tag] = self.counters.get(tag, 0) + 1


def _country(attrs: dict[str, str]) -> tuple[str | None, str | None]:
    """(ISO code lower, description) of an element's country attributes."""
    iso = attrs.get("countryIso2Code", "")
    text = attrs.get("countryDescription")
    if iso in UNKNOWN_COUNTRY:
        iso = ""
    if text is not None and text.upper() == "UNKNOWN":
        text = None
    code = iso.lower() if iso else country_code(text)
    return code, text


def _name(element: etree._Element, entity: _Entity) -> None:
    attrs = entity.attrs(element, _NAME_ATTRS)
    remarks, pairs = entity.children(element)
    party = entity.party
    first, middle, last = attrs.get("firstName"), attrs.get("middleName"), attrs.get("lastName")
    full = attrs.get("wholeName") or _join((first, middle, last), " ")
    if not full:
        return
    strong = attrs.get("strong", "true").lower()
    kind = "primary" if not any(n.kind == "primary" for n in party.names) else "aka"
    language = attrs.get("nameLanguage")
    note = _join(remarks + [f"{k}: {'; '.join(v)}" for k, v in pairs.items()], "; ") or None
    party.names.append(
        Name(
            full=full,
            kind=kind,
            quality="weak" if strong == "false" else "good",
            script=detect_script(full),
            lang=language.lower() if language else None,
            first=first,
            middle=middle,
            last=last,
            parts=[p for p in (first, middle, last) if p],
            title=attrs.get("title"),
            note=note,
        )
    )
    if "title" in attrs and attrs["title"] not in party.titles:
        party.titles.append(attrs["title"])
    if "function" in attrs and attrs["function"] not in party.positions:
        party.positions.append(attrs["function"])
    gender = attrs.get("gender")
    if gender is not None:
        mapped = GENDERS.get(gender.lower())
        if mapped is None:
            party.raw["gender"] = gender
        elif party.gender is None:
            party.gender = mapped


def _citizenship(element: etree._Element, entity: _Entity) -> None:
    attrs = entity.attrs(element, _CITIZENSHIP_ATTRS)
    remarks, _ = entity.children(element)
    code, text = _country(attrs)
    value = code or text
    if value is not None and value not in entity.party.citizenships:
        entity.party.citizenships.append(value)
    extra = [attrs.get("region"), *remarks]
    for key in ("acquisitionDate", "disenfranchisementDate"):
        if key in attrs:
            extra.append(f"{key} {attrs[key]}")
    if any(extra):
        entity.party.notes.append(f"citizenship {value or ''}: {_join(extra, '; ')}".strip())


def _birth(element: etree._Element, entity: _Entity) -> None:
    attrs = entity.attrs(element, _BIRTH_ATTRS)
    remarks, _ = entity.children(element)
    party = entity.party
    notes = list(remarks)
    calendar = attrs.get("calendarType", "GREGORIAN")
    if calendar.upper() != "GREGORIAN":
        notes.append(f"calendar {calendar}")
    note = "; ".join(notes) or None
    circa = attrs.get("circa", "false").lower() == "true"
    kind = "circa" if circa else "exact"
    range_from, range_to = attrs.get("yearRangeFrom"), attrs.get("yearRangeTo")
    if range_from is not None or range_to is not None:
        party.birth_dates.append(DateValue(kind="range", start=range_from, end=range_to, note=note))
    elif "birthdate" in attrs:
        party.birth_dates.append(DateValue(kind=kind, start=attrs["birthdate"], note=note))
    elif "year" in attrs:
        start = attrs["year"]
        if "monthOfYear" in attrs:
            start += f"-{int(attrs['monthOfYear']):02d}" if attrs["monthOfYear"].isdigit() else ""
            if "dayOfMonth" in attrs and attrs["dayOfMonth"].isdigit():
                start += f"-{int(attrs['dayOfMonth']):02d}"
        party.birth_dates.append(DateValue(kind=kind, start=start, note=note))
    elif note is not None:
        party.birth_dates.append(DateValue(kind="text", text=note))
    code, country_text = _country(attrs)
    city, place, region = attrs.get("city"), attrs.get("place"), attrs.get("region")
    text = _join(
        (place, city, attrs.get("zipCode"), region, country_text or (code.upper() if code else None))
    )
    if text:
        party.birth_places.append(
            Place(text=text, city=city, region=region, country=code, country_text=country_text)
        )


def _identification(element: etree._Element, entity: _Entity) -> None:
    attrs = entity.attrs(element, _ID_ATTRS)
    remarks, _ = entity.children(element)
    party = entity.party
    number = attrs.get("number") or attrs.get("latinNumber")
    code_text = attrs.get("identificationTypeCode", "")
    type_text = attrs.get("identificationTypeDescription") or code_text or None
    code, country_text = _country(attrs)
    notes = list(remarks)
    if "latinNumber" in attrs and attrs["latinNumber"] != number:
        notes.append(f"latin number {attrs['latinNumber']}")
    notes.extend(flag for flag in ID_FLAGS if attrs.get(flag, "false").lower() == "true")
    labels = (("issuedBy", "issued by"), ("nameOnDocument", "name on document"), ("region", "region"),
              ("validFrom", "valid from"))  # fmt: skip
    for key, label in labels:
        if key in attrs:
            notes.append(f"{label} {attrs[key]}")
    note = "; ".join(notes) or None
    if number is None:
        party.notes.append(_join((type_text or "identification", country_text, note), ": "))
        return
    party.identifiers.append(
        Identifier(
            kind=ID_KINDS.get(code_text.lower(), "other"),
            value=number,
            type_text=type_text,
            country=code,
            country_text=country_text,
            issued=attrs.get("issueDate") or attrs.get("issuedDate") or attrs.get("validFrom"),
            expires=attrs.get("validTo"),
            note=note,
        )
    )


def _address(element: etree._Element, entity: _Entity) -> None:
    attrs = entity.attrs(element, _ADDRESS_ATTRS)
    remarks, pairs = entity.children(element)
    party = entity.party
    code, country_text = _country(attrs)
    notes = list(remarks)
    if "poBox" in attrs:
        notes.append(f"PO box {attrs['poBox']}")
    if "place" in attrs:
        notes.append(f"place {attrs['place']}")
    if attrs.get("asAtListingTime", "false").lower() == "true":
        notes.append("as at listing time")
    for item in pairs.get("contactInfo", []):
        key, _, value = item.partition(": ")
        kind = CONTACT_KINDS.get(key.lower()) if value else None
        if kind is None:
            notes.append(item)
        else:
            party.identifiers.append(Identifier(kind=kind, value=value, type_text=key))
    street, city, region, postal = (
        attrs.get("street"),
        attrs.get("city"),
        attrs.get("region"),
        attrs.get("zipCode"),
    )
    full = _join(
        (street, attrs.get("poBox"), postal, city, region, country_text or (code.upper() if code else None))
    )
    if not full and not notes:
        return
    party.addresses.append(
        Address(
            full=full or "; ".join(notes),
            street=street,
            city=city,
            region=region,
            postal_code=postal,
            country=code,
            country_text=country_text,
            note="; ".join(notes) or None,
        )
    )


def _entity(element: etree._Element, path: str, warnings: list[str]) -> tuple[str, Party | None]:
    """The subject code of a sanctionEntity and its party (None when it cannot be keyed)."""
    line = element.sourceline if isinstance(element.sourceline, int) else 0
    where = f"{path} (line {line})"
    subject = ""
    for child in element:
        if _local(child.tag) == "subjectType":
            subject = (child.get("code") or child.get("classificationCode") or "").strip().lower()
    subject = {"p": "person", "e": "enterprise"}.get(subject, subject)
    logical_id = _clean(element.get("logicalId"))
    if logical_id is None:
        message = f"{where}: sanctionEntity without logicalId skipped"
        log.warning(message)
        warnings.append(message)
        return subject, None
    schema = SUBJECT_SCHEMAS.get(subject)
    if schema is None:
        warnings.append(f"{where}: unknown subjectType {subject!r}, kept as LegalEntity")
        schema = "LegalEntity"
    designation = Designation(authority="eu", reference=logical_id, list_name="EU Financial Sanctions Files")
    party = Party(
        id=f"{SOURCE_KEY}:{logical_id}", source=SOURCE_KEY, schema=schema, designations=[designation]
    )
    entity = _Entity(party, f"{where}, logicalId {logical_id}", warnings)
    attrs = entity.attrs(element, _ENTITY_ATTRS)
    if "euReferenceNumber" in attrs:
        designation.other_refs.append(f"eu_ref:{attrs['euReferenceNumber']}")
    if "designationDetails" in attrs:
        designation.narrative = attrs["designationDetails"]
    if "delistingDate" in attrs:
        party.raw["delistingDate"] = attrs["delistingDate"]
    un_id = attrs.get("unitedNationId")
    if un_id is not None:
        for piece in re.split(r"[;,\s]+", un_id):
            if piece:
                party.cross_refs.append(f"un:{normalize_un_ref(piece) or piece}")

    remarks: list[str] = []
    published: list[str] = []
    for child in element:
        if not isinstance(child.tag, str):
            continue
        name = _local(child.tag)
        if name == "regulation":
            reg = entity.attrs(child, _REGULATION_ATTRS)
            reg_remarks, pairs = entity.children(child)
            programme = reg.get("programme")
            if programme is not None and programme not in designation.programmes:
                designation.programmes.append(programme)
            if "numberTitle" in reg and reg["numberTitle"] not in designation.legal_basis:
                designation.legal_basis.append(reg["numberTitle"])
            if "publicationDate" in reg:
                published.append(reg["publicationDate"])
            index = entity.counters.get("regulation", 0)
            for key in ("regulationType", "organisationType", "entryIntoForceDate"):
                if key in reg:
                    party.raw[f"regulation[{index}]@{key}"] = reg[key]
            for url in pairs.get("publicationUrl", []):
                party.raw[f"regulation[{index}]/publicationUrl"] = url
            remarks.extend(reg_remarks)
        elif name == "subjectType":
            pass
        elif name == "nameAlias":
            _name(child, entity)
        elif name == "citizenship":
            _citizenship(child, entity)
        elif name == "birthdate":
            _birth(child, entity)
        elif name == "identification":
            _identification(child, entity)
        elif name == "address":
            _address(child, entity)
        elif name == "remark":
            text = _clean(child.text)
            if text is not None:
                remarks.append(text)
        elif name == "additionalInformation":
            key, value = _clean(child.get("key")) or "", _clean(child.get("value"))
            if value is not None:
                party.raw[f"additionalInformation:{key}"] = value
        else:
            text = _clean(" ".join(str(t) for t in child.itertext())) or _attr_text(child)
            if text is not None:
                party.raw[name] = text
            warnings.append(f"{entity.where}: unknown EU element {name} kept in Party.raw")
        entity.done(child)

    designation.regime = designation.programmes[0] if designation.programmes else None
    designation.remarks = "\n".join(remarks) or None
    if published:
        designation.listed_on = attrs.get("designationDate") or min(published)
        if max(published) != designation.listed_on:
            designation.last_updated = max(published)
    elif "designationDate" in attrs:
        designation.listed_on = attrs["designationDate"]
    if not party.names:
        warnings.append(f"{entity.where}: record has no name")
    return subject, party


def parse(files: dict[str, Path]) -> ParsedList:
    """Parse one EU Financial Sanctions Files XML export (schema 1.1).

    ``files["main"]`` is the export. Every ``sanctionEntity`` becomes a Party;
    ``published`` is the root's ``generationDate``; declared and parsed counts are
    keyed by subjectType code (``person``, ``enterprise``). Raises
    :class:`ListFormatError` for malformed, hostile or foreign files and
    :class:`ListCountError` if a record could not be turned into a party.
    """
    path = files.get("main")
    if path is None:
        raise ListFormatError("<eu_fsf>", "no file with role 'main' given")
    name = str(path)
    declared: dict[str, int] = {}
    parsed: dict[str, int] = {}
    parties: list[Party] = []
    warnings: list[str] = []
    seen: set[str] = set()
    published: str | None = None
    root: etree._Element | None = None
    events = iterparse_xml(path)
    try:
        for element in events:
            if root is None:
                root = element.getroottree().getroot()
                if _local(root.tag) != "export" or etree.QName(root).namespace not in (NAMESPACE, None):
                    raise ListFormatError(
                        name,
                        f"not an EU Financial Sanctions Files export: root element is <{root.tag}>",
                        location="line 1",
                    )
                published = _clean(root.get("generationDate"))
            if _local(element.tag) != "sanctionEntity":
                continue
            subject, party = _entity(element, name, warnings)
            declared[subject] = declared.get(subject, 0) + 1
            if party is not None:
                if party.id in seen:
                    raise ListFormatError(
                        name, f"duplicate logicalId {party.id}", location=f"line {element.sourceline}"
                    )
                seen.add(party.id)
                parties.append(party)
                parsed[subject] = parsed.get(subject, 0) + 1
            element.clear()
            parent = element.getparent()
            if parent is not None:
                while element.getprevious() is not None:
                    del parent[0]
    finally:
        close = getattr(events, "close", None)
        if close is not None:
            close()
    if root is None:
        raise ListFormatError(name, "no XML elements found")
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
    authority="eu",
    title="EU Financial Sanctions Files (consolidated list)",
    publisher="European Commission",
    format="xml",
    files=(ListFile(role="main", url=URL, filename="xmlFullSanctionsList_1_1.xml"),),
    parse=parse,
    homepage="https://webgate.ec.europa.eu/fsd/fsf",
    # The full export has held several thousand persons and over a thousand enterprises since 2022.
    min_counts={"person": 1000, "enterprise": 300},
    notes=(
        "The URL's token is the EU's fixed public download token, not a credential. "
        "DPRK designations carry programme PRK; UN-derived ones cite the UN reference in unitedNationId."
    ),
)
