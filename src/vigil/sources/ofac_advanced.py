"""OFAC SDN list in the "advanced" XML schema (``SDN_ADVANCED.XML``).

The file is relational: it opens with ``ReferenceValueSets`` (alias types, countries,
feature types, ID document types, scripts, programmes ...) that every later record
points into by numeric ID, then ``Locations``, ``IDRegDocuments``, ``DistinctParties``,
``ProfileRelationships`` and ``SanctionsEntries``, in that order. The order is what
lets one streaming pass resolve everything: lookups and locations are in memory before
the first party arrives, ID documents are held by ``IdentityID`` until their party is
read, and relations and sanctions entries attach to parties already built.

The document is ~120 MB, so it is streamed with :func:`vigil.sources.safe_io.iterparse_xml`
and every record element is cleared (and unlinked from its parent) once read.

Mappings from OFAC's wording to the model's vocabularies are module-level tables so a
new OFAC feature or document type is a one-line data change. Feature types not in the
tables are never dropped: their values go to ``Party.raw["feature:<name>"]``.
"""

from __future__ import annotations

import calendar
import logging
import re
from collections import Counter
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

from lxml import etree

from vigil.errors import ListFormatError
from vigil.model import (
    Address,
    AircraftInfo,
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
from vigil.sources.base import ListFile, ParsedList, Source, check_counts
from vigil.sources.safe_io import iterparse_xml

__all__ = [
    "ALIAS_KINDS",
    "FEATURE_TARGETS",
    "ID_DOC_KINDS",
    "PARTY_SCHEMAS",
    "RELATION_KINDS_BY_TYPE",
    "SCRIPT_CODES",
    "SOURCE",
    "parse",
]

log = logging.getLogger(__name__)

SOURCE_KEY: Final = "ofac_sdn_advanced"
URL: Final = "https://sanctionslistservice.ofac.treas.gov/api/PublicationPreview/exports/SDN_ADVANCED.XML"

#: Namespaces the root ``Sanctions`` element has carried: the Sanctions List Service
#: one (current) and the UN data-model one of OFAC's earlier advanced exports.
NAMESPACES: Final = (
    "https://sanctionslistservice.ofac.treas.gov/api/PublicationPreview/exports/ADVANCED_XML",
    "http://www.un.org/sanctions/1.0",
)

# --------------------------------------------------------------------------- tables

#: PartySubType name, or PartyType name when the subtype is "Unknown" -> (schema, count key).
PARTY_SCHEMAS: Final[dict[str, tuple[str, str]]] = {
    "Individual": ("Person", "Individual"),
    "Entity": ("Organization", "Entity"),
    "Vessel": ("Vessel", "Vessel"),
    "Aircraft": ("Airplane", "Aircraft"),
}

#: AliasType -> Name.kind (the primary alias is recognised by its Primary flag).
ALIAS_KINDS: Final[dict[str, str]] = {
    "A.K.A.": "aka",
    "F.K.A.": "fka",
    "N.K.A.": "nka",
    "Name": "primary",
}

#: OFAC ScriptCode (or Script name) -> ISO 15924. OFAC mixes real ISO codes with names
#: ("Latin", "Korean", "Japanese"); Chinese Simplified/Traditional become Hani, the
#: code the other Vigil sources use for Han characters.
SCRIPT_CODES: Final[dict[str, str]] = {
    "Latin": "Latn",
    "Latn": "Latn",
    "Arab": "Arab",
    "Arabic": "Arab",
    "Armn": "Armn",
    "Hans": "Hani",
    "Hant": "Hani",
    "Cyrl": "Cyrl",
    "Geor": "Geor",
    "Grek": "Grek",
    "Hang": "Hang",
    "Hangul": "Hang",
    "Korean": "Hang",  # refined to Kore when the text holds Hanja, see _script_of
    "Hebrew": "Hebr",
    "Japanese": "Jpan",
}

#: NamePartType -> which Name field the part also fills.
NAME_PART_FIELDS: Final[dict[str, str]] = {
    "Last Name": "last",
    "First Name": "first",
    "Middle Name": "middle",
}

#: RelationType -> Relation.kind. ``Relation.text`` keeps OFAC's wording.
RELATION_KINDS_BY_TYPE: Final[dict[str, str]] = {
    "Associate Of": "associate",
    "Providing support to": "support",
    "Acting for or on behalf of": "acting_for",
    "Owned or Controlled By": "owned_or_controlled_by",
    "Family member of": "family",
    "Leader or official of": "leader_of",
    "Principal Executive Officer": "leader_of",
    "Owns, controls, or operates": "owner_of",
    # The From party is property in which the To party has an interest: for screening
    # that is the owner/controller link.
    "Property in the interest of": "owned_or_controlled_by",
    "playing a significant role in": "other",
}

#: IDRegDocType -> Identifier.kind. Types not listed become "other" with type_text.
#: Vessel Registration Identification, Company Number and Legal Entity Number are
#: refined by their value in _identifier_kind (IMO numbers, LEIs).
ID_DOC_KINDS: Final[dict[str, str]] = {
    # travel and personal documents
    "Passport": "passport",
    "Diplomatic Passport": "passport",
    "British National Overseas Passport": "passport",
    "Stateless Person Passport": "passport",
    "Travel Document Number": "passport",
    "National ID No.": "national_id",
    "National Foreign ID Number": "national_id",
    "Identification Number": "national_id",
    "Personal ID Card": "national_id",
    "Federal ID Card": "national_id",
    "Cedula No.": "national_id",
    "D.N.I.": "national_id",
    "C.U.R.P.": "national_id",
    "C.U.I.": "national_id",
    "C.U.I.P.": "national_id",
    "C.I.N.": "national_id",
    "CNP (Personal Numerical Code)": "national_id",
    "Bosnian Personal ID No.": "national_id",
    "Moroccan Personal ID No.": "national_id",
    "Kenyan ID No.": "national_id",
    "Turkish Identification Number": "national_id",
    "Numero de Identidad": "national_id",
    "Tarjeta de Identidad": "national_id",
    "Citizen's Card Number": "national_id",
    "UAE Identification": "national_id",
    "Tazkira National ID Card": "national_id",
    "SSN": "national_id",
    "Stateless Person ID Card": "national_id",
    "Refugee ID Card": "national_id",
    "Romanian Permanent Resident": "national_id",
    "Residency Number": "national_id",
    "Birth Certificate Number": "national_id",
    "Driver's License No.": "national_id",
    "Electoral Registry No.": "national_id",
    "Credencial electoral": "national_id",
    "I.F.E.": "national_id",
    "Public Security and Immigration No.": "national_id",
    "Immigration No.": "national_id",
    "Seafarer's Identification Document": "national_id",
    # tax numbers
    "Tax ID No.": "tax_id",
    "R.F.C.": "tax_id",
    "RFC": "tax_id",
    "NIT #": "tax_id",
    "RUC #": "tax_id",
    "RIF #": "tax_id",
    "RTN": "tax_id",
    "N.I.F.": "tax_id",
    "N.I.E.": "tax_id",
    "V.A.T. Number": "tax_id",
    "US FEIN": "tax_id",
    "C.U.I.T.": "tax_id",
    "C.I.F.": "tax_id",
    "Italian Fiscal Code": "tax_id",
    "Fiscal Code": "tax_id",
    "Paraguayan tax identification number": "tax_id",
    "Romanian Tax Registration": "tax_id",
    "Numero Unico de Identificacao Tributaria (NUIT)": "tax_id",
    # company registration
    "Registration Number": "registration",
    "Registration ID": "registration",
    "Business Registration Number": "registration",
    "Business Registration Document #": "registration",
    "Company Number": "registration",
    "UK Company Number": "registration",
    "Commercial Registry Number": "registration",
    "Certificate of Incorporation Number": "registration",
    "Government Gazette Number": "registration",
    "Folio Mercantil No.": "registration",
    "Matricula Mercantil No": "registration",
    "C.R. No.": "registration",
    "Romanian C.R.": "registration",
    "Trade License No.": "registration",
    "Tourism License No.": "registration",
    "License": "registration",
    "Chamber of Commerce Number": "registration",
    "Istanbul Chamber of Comm. No.": "registration",
    "Dubai Chamber of Commerce Membership No.": "registration",
    "Registration Certificate Number (Dubai)": "registration",
    "Unified Social Credit Code (USCC)": "registration",
    "United Social Credit Code Certificate (USCCC)": "registration",
    "Public Registration Number": "registration",
    "Central Registration System Number": "registration",
    "Economic Register Number (CBLS)": "registration",
    "Registered Charity No.": "registration",
    "Enterprise Number": "registration",
    "Business Number": "registration",
    "Branch Unit Number": "registration",
    "LE Number": "registration",
    "Organization Code": "registration",
    "MSB Registration Number": "registration",
    "Afghan Money Service Provider License Number": "registration",
    "Russian State Individual Business Registration Number Pattern (OGRNIP)": "registration",
    "Legal Entity Number": "registration",
    # maritime and aviation
    "Vessel Registration Identification": "imo",
    "MMSI": "mmsi",
    "Aircraft Serial Identification": "aircraft_serial",
}

#: FeatureType (case-folded) -> handler key of _FEATURE_HANDLERS. Digital currency
#: addresses are matched by prefix (see CRYPTO_PREFIX); anything else goes to raw.
FEATURE_TARGETS: Final[dict[str, str]] = {
    "birthdate": "birth_date",
    "place of birth": "birth_place",
    "nationality country": "nationality",
    "citizenship country": "citizenship",
    "nationality of registration": "country",
    "registration country": "country",
    "gender": "gender",
    "title": "title",
    "location": "address",
    "organization established date": "incorporation_date",
    "website": "id:website",
    "email address": "id:email",
    "phone number": "id:phone",
    "swift/bic": "id:bic",
    "d-u-n-s number": "id:registration",
    "bik (ru)": "id:other",
    "isin": "id:other",
    "equity ticker": "id:other",
    "micex code": "id:other",
    "un/locode": "id:other",
    "global intermediary identification number": "id:other",
    "vessel call sign": "vessel_call_sign",
    "other vessel call sign": "id:call_sign",
    "vessel type": "vessel_type",
    "vessel flag": "vessel_flag",
    "former vessel flag": "vessel_former_flag",
    "vessel owner": "vessel_owner",
    "vessel gross registered tonnage": "vessel_gross_tonnage",
    "vessel year of build": "vessel_year_built",
    "mmsi": "vessel_mmsi",
    "aircraft model": "aircraft_model",
    "aircraft operator": "aircraft_operator",
    "aircraft manufacture date": "aircraft_built",
    "aircraft manufacturer's serial number (msn)": "aircraft_serial",
    "aircraft construction number (also called l/n or s/n or f/n)": "id:aircraft_serial",
    "aircraft tail number": "aircraft_tail",
    "previous aircraft tail number": "id:aircraft_tail",
    "aircraft mode s transponder code": "id:other",
}

CRYPTO_PREFIX: Final = "Digital Currency Address - "

#: ID document date types -> Identifier field.
DOC_DATE_FIELDS: Final[dict[str, str]] = {"Issue Date": "issued", "Expiration Date": "expires"}

#: Location part types in the order they are written into Address.full.
LOCATION_PART_ORDER: Final = (
    "ADDRESS1",
    "ADDRESS2",
    "ADDRESS3",
    "CITY",
    "STATE/PROVINCE",
    "POSTAL CODE",
    "REGION",
    "Unknown",
)

_IMO_RE: Final = re.compile(r"^(?:IMO)?\s*(\d{7})$", re.IGNORECASE)
_LEI_RE: Final = re.compile(r"^[0-9A-Z]{18}[0-9]{2}$")
_HAN_RE: Final = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")

#: Reliability and validity values that say nothing about the value (not noted).
_NEUTRAL_QUALIFIERS: Final = frozenset({"Unknown", "Confirmed", "Valid"})

# ------------------------------------------------------------------ parse-time state


class _Tags:
    """Qualified tag names for one namespace, computed once per parse (lxml compares strings)."""

    NAMES: Final = (
        "Sanctions",
        "DateOfIssue",
        "ReferenceValueSets",
        "Location",
        "Locations",
        "IDRegDocument",
        "DistinctParty",
        "ProfileRelationship",
        "SanctionsEntry",
        "Year",
        "Month",
        "Day",
        "Comment",
        "Profile",
        "Identity",
        "Alias",
        "DocumentedName",
        "DocumentedNamePart",
        "NamePartValue",
        "NamePartGroups",
        "MasterNamePartGroup",
        "NamePartGroup",
        "Feature",
        "FeatureVersion",
        "VersionDetail",
        "VersionLocation",
        "DatePeriod",
        "Start",
        "End",
        "From",
        "To",
        "LocationCountry",
        "LocationAreaCode",
        "LocationPart",
        "LocationPartValue",
        "Value",
        "IDRegistrationNo",
        "IssuingAuthority",
        "DocumentDate",
        "EntryEvent",
        "Date",
        "SanctionsMeasure",
    )

    def __init__(self, ns: str) -> None:
        self.ns = ns
        for name in self.NAMES:
            setattr(self, name, f"{{{ns}}}{name}")

    def __getattr__(self, name: str) -> str:  # only reached for names missing from NAMES
        raise AttributeError(name)


@dataclass(slots=True)
class _Ref:
    text: str
    attrib: dict[str, str]


@dataclass(slots=True)
class _Location:
    parts: list[tuple[str, str]]
    country_id: str | None


@dataclass(slots=True)
class _State:
    path: str
    tags: _Tags
    refs: dict[str, dict[str, _Ref]] = field(default_factory=dict)
    locations: dict[str, _Location] = field(default_factory=dict)
    docs: dict[str, list[Identifier]] = field(default_factory=dict)
    parties: dict[str, Party] = field(default_factory=dict)  # by profile ID
    warnings: Counter[str] = field(default_factory=Counter)

    def ref(self, kind: str, ref_id: str | None) -> _Ref | None:
        if ref_id is None:
            return None
        return self.refs.get(kind, {}).get(ref_id)

    def ref_text(self, kind: str, ref_id: str | None) -> str | None:
        value = self.ref(kind, ref_id)
        if value is None:
            if ref_id is not None:
                self.warnings[f"unknown {kind} ID {ref_id}"] += 1
            return None
        return value.text

    def country(self, country_id: str | None) -> tuple[str | None, str | None]:
        """(ISO alpha-2 lower or None, OFAC's country name) of a CountryID."""
        value = self.ref("Country", country_id)
        if value is None:
            return None, None
        iso = value.attrib.get("ISO2")
        return (iso.lower() if iso else country_code(value.text)), value.text


# ------------------------------------------------------------------------ helpers


def _text(element: etree._Element | None) -> str | None:
    if element is None or element.text is None:
        return None
    value = element.text.strip()
    return value or None


def _release(element: etree._Element) -> None:
    """Free a processed record: clear it and unlink earlier siblings (keeps memory flat)."""
    element.clear()
    parent = element.getparent()
    if parent is not None:
        while element.getprevious() is not None:
            del parent[0]


def _ymd(element: etree._Element | None, t: _Tags) -> tuple[int, int, int] | None:
    if element is None:
        return None
    try:
        year = int(element.findtext(t.Year) or "")
        month = int(element.findtext(t.Month) or "1")
        day = int(element.findtext(t.Day) or "1")
    except ValueError:
        return None
    return year, month, day


def _iso(value: tuple[int, int, int]) -> str:
    return f"{value[0]:04d}-{value[1]:02d}-{value[2]:02d}"


def _date_value(period: etree._Element, t: _Tags) -> DateValue | None:
    """A DatePeriod as a DateValue.

    OFAC writes every date as a period: ``Start``/``End`` each with ``From``/``To``.
    A year-only date is Jan 1 .. Dec 31 of that year, a month-only date the first ..
    last day of the month; "circa" is ``Approximate="true"``; a range ("1955 to 1957")
    is a period whose bounds span several years (or months/days).
    """
    start_el = period.find(t.Start)
    end_el = period.find(t.End)
    start = _ymd(start_el.find(t.From), t) if start_el is not None else None
    end = _ymd(end_el.find(t.To), t) if end_el is not None else None
    if start is None and start_el is not None:
        start = _ymd(start_el.find(t.To), t)
    if end is None and end_el is not None:
        end = _ymd(end_el.find(t.From), t)
    if start is None:
        start = end
    if end is None:
        end = start
    if start is None or end is None:
        return None
    approximate = any(el is not None and el.get("Approximate") == "true" for el in (start_el, end_el))
    if start == end:
        lo, hi = _iso(start), _iso(end)
    elif start[1:] == (1, 1) and end[1:] == (12, 31):
        lo, hi = f"{start[0]:04d}", f"{end[0]:04d}"
    elif start[2] == 1 and end[2] == calendar.monthrange(end[0], end[1])[1]:
        lo, hi = _iso(start)[:7], _iso(end)[:7]
    else:
        lo, hi = _iso(start), _iso(end)
    if lo == hi:
        return DateValue(kind="circa" if approximate else "exact", start=lo)
    return DateValue(kind="circa" if approximate else "range", start=lo, end=hi)


def _script_of(state: _State, script_id: str | None, text: str) -> str | None:
    ref = state.ref("Script", script_id)
    if ref is None:
        return None
    code = ref.attrib.get("ScriptCode") or ref.text
    script = SCRIPT_CODES.get(code) or SCRIPT_CODES.get(ref.text) or code
    if script == "Hang" and _HAN_RE.search(text):
        script = "Kore"  # Korean written with Hanja as well as Hangul
    return script


def _location_text(state: _State, loc: _Location) -> str:
    _, country_text = state.country(loc.country_id)
    order = {name: index for index, name in enumerate(LOCATION_PART_ORDER)}
    parts = sorted(loc.parts, key=lambda item: order.get(item[0], len(order)))
    values = [value for _, value in parts]
    if country_text and country_text not in values:
        values.append(country_text)
    return ", ".join(values)


def _address(state: _State, loc: _Location) -> Address:
    iso, country_text = state.country(loc.country_id)
    by_type: dict[str, list[str]] = {}
    for kind, value in loc.parts:
        by_type.setdefault(kind, []).append(value)
    street = ", ".join(
        by_type.get("ADDRESS1", []) + by_type.get("ADDRESS2", []) + by_type.get("ADDRESS3", [])
    )
    region = ", ".join(by_type.get("STATE/PROVINCE", []) + by_type.get("REGION", []))
    return Address(
        full=_location_text(state, loc),
        street=street or None,
        city=", ".join(by_type.get("CITY", [])) or None,
        region=region or None,
        postal_code=", ".join(by_type.get("POSTAL CODE", [])) or None,
        country=iso,
        country_text=country_text,
        note=", ".join(by_type["Unknown"]) if "Unknown" in by_type and len(loc.parts) > 1 else None,
    )


def _location_country(state: _State, loc: _Location) -> str | None:
    """A country link (nationality, citizenship) from a location: ISO code, else the text."""
    iso, country_text = state.country(loc.country_id)
    if iso:
        return iso
    text = _location_text(state, loc)
    return country_code(text) or country_text or text or None


def _imo_check(digits: str) -> bool:
    total = sum(int(d) * w for d, w in zip(digits[:6], range(7, 1, -1), strict=True))
    return total % 10 == int(digits[6])


def _identifier_kind(type_text: str, value: str, authority: str | None) -> tuple[str, str]:
    """(kind, value) of an ID document: IMO numbers and LEIs are recognised by value."""
    kind = ID_DOC_KINDS.get(type_text, "other")
    match = _IMO_RE.match(value)
    imo_labelled = value.upper().startswith("IMO") or "IMO" in (authority or "").upper().split()
    if kind == "imo":
        # "IMO 1234567", or bare digits that pass the IMO check digit; other
        # registrations (e.g. Russian "RS 130280") stay registration numbers.
        if match and (imo_labelled or _imo_check(match.group(1))):
            return "imo", match.group(1)
        return "registration", value
    if match and imo_labelled:
        # "Company Number IMO 1234567" / authority "IMO Company Number": the IMO
        # unique company and registered-owner number.
        return "imo_company", match.group(1)
    if type_text == "Legal Entity Number" and _LEI_RE.match(value):
        return "lei", value
    return kind, value


def _ensure_vessel(party: Party) -> VesselInfo:
    if party.vessel is None:
        party.vessel = VesselInfo()
    return party.vessel


def _ensure_aircraft(party: Party) -> AircraftInfo:
    if party.aircraft is None:
        party.aircraft = AircraftInfo()
    return party.aircraft


def _add_unique(values: list[str], value: str | None) -> None:
    if value and value not in values:
        values.append(value)


def _add_raw(party: Party, key: str, value: str) -> None:
    previous = party.raw.get(key)
    party.raw[key] = value if not previous else f"{previous} | {value}"


# ------------------------------------------------------------------- features


@dataclass(slots=True)
class _FeatureValue:
    """What one FeatureVersion carries: text (TEXT/LOOKUP), a date, or a location."""

    name: str
    text: str | None = None
    date: DateValue | None = None
    location: _Location | None = None
    note: str | None = None


_Handler = Callable[[_State, Party, _FeatureValue], bool]


def _h_birth_date(state: _State, party: Party, fv: _FeatureValue) -> bool:
    if fv.date is None:
        return False
    fv.date.note = fv.note
    party.birth_dates.append(fv.date)
    return True


def _h_incorporation(state: _State, party: Party, fv: _FeatureValue) -> bool:
    if fv.date is None:
        return False
    fv.date.note = fv.note
    party.incorporation_dates.append(fv.date)
    return True


def _h_birth_place(state: _State, party: Party, fv: _FeatureValue) -> bool:
    if not fv.text:
        return False
    last = fv.text.rsplit(",", 1)[-1].strip()
    code = country_code(last)
    party.birth_places.append(Place(text=fv.text, country=code, country_text=last if code else None))
    return True


def _country_handler(attr: str) -> _Handler:
    def handler(state: _State, party: Party, fv: _FeatureValue) -> bool:
        if fv.location is not None:
            value = _location_country(state, fv.location)
        else:
            value = country_code(fv.text) or fv.text
        if not value:
            return False
        _add_unique(getattr(party, attr), value)
        return True

    return handler


def _h_gender(state: _State, party: Party, fv: _FeatureValue) -> bool:
    value = (fv.text or "").lower()
    if value not in ("male", "female"):
        return False
    party.gender = value
    return True


def _h_title(state: _State, party: Party, fv: _FeatureValue) -> bool:
    if not fv.text:
        return False
    _add_unique(party.titles, fv.text)
    return True


def _h_address(state: _State, party: Party, fv: _FeatureValue) -> bool:
    if fv.location is None:
        return False
    address = _address(state, fv.location)
    if fv.note:
        address.note = f"{address.note}; {fv.note}" if address.note else fv.note
    party.addresses.append(address)
    _add_unique(party.countries, address.country)
    return True


def _id_handler(kind: str) -> _Handler:
    def handler(state: _State, party: Party, fv: _FeatureValue) -> bool:
        if not fv.text:
            return False
        party.identifiers.append(Identifier(kind=kind, value=fv.text, type_text=fv.name, note=fv.note))
        return True

    return handler


def _h_crypto(state: _State, party: Party, fv: _FeatureValue) -> bool:
    if not fv.text:
        return False
    chain = fv.name[len(CRYPTO_PREFIX) :].strip() or None
    party.identifiers.append(
        Identifier(kind="crypto", value=fv.text, type_text=fv.name, chain=chain, note=fv.note)
    )
    return True


def _h_vessel_call_sign(state: _State, party: Party, fv: _FeatureValue) -> bool:
    if not fv.text:
        return False
    vessel = _ensure_vessel(party)
    vessel.call_sign = vessel.call_sign or fv.text
    party.identifiers.append(Identifier(kind="call_sign", value=fv.text, type_text=fv.name, note=fv.note))
    return True


def _vessel_text(attr: str) -> _Handler:
    def handler(state: _State, party: Party, fv: _FeatureValue) -> bool:
        if not fv.text:
            return False
        vessel = _ensure_vessel(party)
        if getattr(vessel, attr):
            return False  # a second value: kept in raw rather than overwritten
        setattr(vessel, attr, fv.text)
        return True

    return handler


def _h_vessel_flag(state: _State, party: Party, fv: _FeatureValue) -> bool:
    if not fv.text:
        return False
    vessel = _ensure_vessel(party)
    if vessel.flag:
        return False
    vessel.flag = country_code(fv.text) or fv.text
    vessel.flag_text = fv.text
    return True


def _h_vessel_former_flag(state: _State, party: Party, fv: _FeatureValue) -> bool:
    if not fv.text:
        return False
    _add_unique(_ensure_vessel(party).former_flags, country_code(fv.text) or fv.text)
    return True


def _h_vessel_mmsi(state: _State, party: Party, fv: _FeatureValue) -> bool:
    if not fv.text:
        return False
    vessel = _ensure_vessel(party)
    vessel.mmsi = vessel.mmsi or fv.text
    party.identifiers.append(Identifier(kind="mmsi", value=fv.text, type_text=fv.name, note=fv.note))
    return True


def _aircraft_text(attr: str) -> _Handler:
    def handler(state: _State, party: Party, fv: _FeatureValue) -> bool:
        if not fv.text:
            return False
        aircraft = _ensure_aircraft(party)
        if getattr(aircraft, attr):
            return False
        setattr(aircraft, attr, fv.text)
        return True

    return handler


def _h_aircraft_built(state: _State, party: Party, fv: _FeatureValue) -> bool:
    if fv.date is None or fv.date.start is None:
        return False
    aircraft = _ensure_aircraft(party)
    if aircraft.year_built:
        return False
    aircraft.year_built = fv.date.start
    return True


def _aircraft_id(attr: str, kind: str) -> _Handler:
    def handler(state: _State, party: Party, fv: _FeatureValue) -> bool:
        if not fv.text:
            return False
        aircraft = _ensure_aircraft(party)
        if not getattr(aircraft, attr):
            setattr(aircraft, attr, fv.text)
        party.identifiers.append(Identifier(kind=kind, value=fv.text, type_text=fv.name, note=fv.note))
        return True

    return handler


#: Identifier kinds that FEATURE_TARGETS names as "id:<kind>".
_FEATURE_ID_KINDS: Final = (
    "website",
    "email",
    "phone",
    "bic",
    "registration",
    "other",
    "call_sign",
    "aircraft_serial",
    "aircraft_tail",
)

_FEATURE_HANDLERS: Final[dict[str, _Handler]] = {
    "birth_date": _h_birth_date,
    "incorporation_date": _h_incorporation,
    "birth_place": _h_birth_place,
    "nationality": _country_handler("nationalities"),
    "citizenship": _country_handler("citizenships"),
    "country": _country_handler("countries"),
    "gender": _h_gender,
    "title": _h_title,
    "address": _h_address,
    "crypto": _h_crypto,
    "vessel_call_sign": _h_vessel_call_sign,
    "vessel_type": _vessel_text("vessel_type"),
    "vessel_flag": _h_vessel_flag,
    "vessel_former_flag": _h_vessel_former_flag,
    "vessel_owner": _vessel_text("owner"),
    "vessel_gross_tonnage": _vessel_text("gross_tonnage"),
    "vessel_year_built": _vessel_text("year_built"),
    "vessel_mmsi": _h_vessel_mmsi,
    "aircraft_model": _aircraft_text("model"),
    "aircraft_operator": _aircraft_text("operator"),
    "aircraft_built": _h_aircraft_built,
    "aircraft_serial": _aircraft_id("serial", "aircraft_serial"),
    "aircraft_tail": _aircraft_id("tail_number", "aircraft_tail"),
    **{f"id:{kind}": _id_handler(kind) for kind in _FEATURE_ID_KINDS},
}


def _feature_values(state: _State, feature: etree._Element, name: str) -> Iterator[_FeatureValue]:
    t = state.tags
    for version in feature.iterchildren(t.FeatureVersion):
        notes = []
        reliability = state.ref_text("Reliability", version.get("ReliabilityID"))
        if reliability and reliability not in _NEUTRAL_QUALIFIERS:
            notes.append(f"reliability: {reliability}")
        comment = _text(version.find(t.Comment))
        if comment:
            notes.append(comment)
        fv = _FeatureValue(name=name, note="; ".join(notes) or None)
        detail = version.find(t.VersionDetail)
        if detail is not None:
            ref_id = detail.get("DetailReferenceID")
            fv.text = state.ref_text("DetailReference", ref_id) if ref_id else _text(detail)
        period = version.find(t.DatePeriod)
        if period is not None:
            fv.date = _date_value(period, t)
        loc = version.find(t.VersionLocation)
        if loc is not None:
            fv.location = state.locations.get(loc.get("LocationID") or "")
            if fv.location is None:
                state.warnings[f"unknown LocationID {loc.get('LocationID')}"] += 1
        yield fv


def _raw_text(state: _State, fv: _FeatureValue) -> str:
    if fv.text:
        value = fv.text
    elif fv.date is not None:
        value = fv.date.start or ""
        if fv.date.end:
            value = f"{value}..{fv.date.end}"
        if fv.date.kind == "circa":
            value = f"circa {value}"
    elif fv.location is not None:
        value = _location_text(state, fv.location)
    else:
        value = ""
    return f"{value} ({fv.note})" if fv.note else value


def _apply_feature(state: _State, party: Party, feature: etree._Element) -> None:
    type_id = feature.get("FeatureTypeID")
    name = state.ref_text("FeatureType", type_id) or f"#{type_id}"
    target = FEATURE_TARGETS.get(name.casefold())
    if target is None and name.startswith(CRYPTO_PREFIX):
        target = "crypto"
    handler = _FEATURE_HANDLERS.get(target) if target else None
    for fv in _feature_values(state, feature, name):
        if handler is None or not handler(state, party, fv):
            text = _raw_text(state, fv)
            if text:
                _add_raw(party, f"feature:{name}", text)


# ----------------------------------------------------------------------- records


def _read_reference_sets(state: _State, element: etree._Element) -> None:
    for value_set in element:
        if not isinstance(value_set.tag, str):
            continue
        for value in value_set:
            if not isinstance(value.tag, str):
                continue
            kind = etree.QName(value).localname
            ref_id = value.get("ID")
            if ref_id is None:
                continue
            state.refs.setdefault(kind, {})[ref_id] = _Ref(
                text=(value.text or "").strip(), attrib={str(k): str(v) for k, v in value.attrib.items()}
            )


def _read_location(state: _State, element: etree._Element) -> None:
    t = state.tags
    parts: list[tuple[str, str]] = []
    for part in element.iterchildren(t.LocationPart):
        kind = state.ref_text("LocPartType", part.get("LocPartTypeID")) or "Unknown"
        for value in part.iterchildren(t.LocationPartValue):
            text = _text(value.find(t.Value))
            if text:
                parts.append((kind, text))
    country = element.find(t.LocationCountry)
    country_id = country.get("CountryID") if country is not None else None
    if country_id is None:
        area = element.find(t.LocationAreaCode)
        area_ref = state.ref("AreaCode", area.get("AreaCodeID")) if area is not None else None
        country_id = area_ref.attrib.get("CountryID") if area_ref is not None else None
    state.locations[element.get("ID") or ""] = _Location(parts=parts, country_id=country_id)


def _read_id_document(state: _State, element: etree._Element) -> None:
    t = state.tags
    type_text = state.ref_text("IDRegDocType", element.get("IDRegDocTypeID")) or "Unknown"
    value = _text(element.find(t.IDRegistrationNo))
    if value is None:
        return
    authority = _text(element.find(t.IssuingAuthority))
    kind, value = _identifier_kind(type_text, value, authority)
    iso, country_text = state.country(element.get("IssuedBy-CountryID"))
    identifier = Identifier(
        kind=kind, value=value, type_text=type_text, country=iso, country_text=country_text
    )
    for doc_date in element.iterchildren(t.DocumentDate):
        attr = DOC_DATE_FIELDS.get(
            state.ref_text("IDRegDocDateType", doc_date.get("IDRegDocDateTypeID")) or ""
        )
        period = doc_date.find(t.DatePeriod)
        date = _date_value(period, t) if period is not None else None
        if attr and date is not None:
            setattr(identifier, attr, date.start)
    notes = []
    comment = _text(element.find(t.Comment))
    if comment:
        notes.append(comment)
    if authority:
        notes.append(f"issued by {authority}")
    issued_in = state.locations.get(element.get("IssuedIn-LocationID") or "")
    if issued_in is not None:
        notes.append(f"issued in {_location_text(state, issued_in)}")
    validity = state.ref_text("Validity", element.get("ValidityID"))
    if validity and validity not in _NEUTRAL_QUALIFIERS:
        # Kept as OFAC states it; the flag is set on some plainly genuine IMO numbers,
        # so it must not be used to drop the identifier.
        notes.append(f"validity: {validity}")
    identifier.note = "; ".join(notes) or None
    state.docs.setdefault(element.get("IdentityID") or "", []).append(identifier)


def _names(state: _State, identity: etree._Element) -> list[Name]:
    t = state.tags
    part_types: dict[str, str] = {}
    groups = identity.find(t.NamePartGroups)
    if groups is not None:
        for group in groups.iter(t.NamePartGroup):
            part_types[group.get("ID") or ""] = (
                state.ref_text("NamePartType", group.get("NamePartTypeID")) or ""
            )
    names: list[Name] = []
    for alias in identity.iterchildren(t.Alias):
        alias_type = state.ref_text("AliasType", alias.get("AliasTypeID")) or ""
        kind = "primary" if alias.get("Primary") == "true" else ALIAS_KINDS.get(alias_type, "aka")
        if kind == "primary" and alias.get("Primary") != "true":
            kind = "aka"  # a non-primary alias typed "Name": still an alternative name
        quality = "weak" if alias.get("LowQuality") == "true" else "good"
        latin: str | None = None  # the alias's Latin form, which other scripts render
        for documented in alias.iterchildren(t.DocumentedName):
            parts: list[str] = []
            fields: dict[str, list[str]] = {}
            script_id: str | None = None
            for part in documented.iterchildren(t.DocumentedNamePart):
                value = part.find(t.NamePartValue)
                text = _text(value)
                if value is None or text is None:
                    continue
                parts.append(text)
                script_id = script_id or value.get("ScriptID")
                target = NAME_PART_FIELDS.get(part_types.get(value.get("NamePartGroupID") or "", ""))
                if target:
                    fields.setdefault(target, []).append(text)
            if not parts:
                continue
            full = " ".join(parts)
            script = _script_of(state, script_id, full)
            original = script is not None and script != "Latn"
            if not original:
                latin = latin or full
            names.append(
                Name(
                    full=full,
                    kind=kind,
                    quality=quality,
                    script=script,
                    original_script=original,
                    note=f"original script of {latin}" if original and latin else None,
                    first=" ".join(fields["first"]) if "first" in fields else None,
                    middle=" ".join(fields["middle"]) if "middle" in fields else None,
                    last=" ".join(fields["last"]) if "last" in fields else None,
                    parts=parts if len(parts) > 1 else [],
                )
            )
    # The Latin primary name first, so Party.primary_name is the list's headline name;
    # the rest keep OFAC's order (a stable sort).
    names.sort(key=lambda n: n.kind != "primary" or n.original_script)
    return names


def _read_party(state: _State, element: etree._Element, declared: Counter[str], parsed: Counter[str]) -> None:
    t = state.tags
    fixed_ref = element.get("FixedRef")
    where = f"line {element.sourceline}, DistinctParty FixedRef={fixed_ref}"
    declared["DistinctParty"] += 1
    profile = element.find(t.Profile)
    if fixed_ref is None or profile is None:
        raise ListFormatError(state.path, "DistinctParty without FixedRef or Profile", location=where)
    subtype = state.ref("PartySubType", profile.get("PartySubTypeID"))
    if subtype is None:
        raise ListFormatError(
            state.path,
            f"unknown PartySubTypeID {profile.get('PartySubTypeID')!r}: cannot tell the party's type",
            location=where,
        )
    type_name = subtype.text
    if type_name == "Unknown":
        type_name = state.ref_text("PartyType", subtype.attrib.get("PartyTypeID")) or "Unknown"
    mapped = PARTY_SCHEMAS.get(type_name)
    if mapped is None:
        raise ListFormatError(state.path, f"party type {type_name!r} is not one Vigil knows", location=where)
    schema, count_key = mapped
    declared[count_key] += 1
    party = Party(id=f"{SOURCE_KEY}:{fixed_ref}", source=SOURCE_KEY, schema=schema)
    if schema == "Vessel":
        party.vessel = VesselInfo()
    elif schema == "Airplane":
        party.aircraft = AircraftInfo()
    for identity in profile.iterchildren(t.Identity):
        party.names.extend(_names(state, identity))
        party.identifiers.extend(state.docs.pop(identity.get("ID") or "", []))
    if not party.names:
        raise ListFormatError(state.path, "party has no name", location=where)
    for feature in profile.iterchildren(t.Feature):
        _apply_feature(state, party, feature)
    if party.vessel is None:
        # OFAC types some shipping companies' IMO company numbers as "Vessel
        # Registration Identification"; on a non-vessel it cannot be a ship number.
        for identifier in party.identifiers:
            if identifier.kind == "imo":
                identifier.kind = "imo_company"
    else:
        for identifier in party.identifiers:
            if identifier.kind == "imo" and not party.vessel.imo:
                party.vessel.imo = identifier.value
            elif identifier.kind == "mmsi" and not party.vessel.mmsi:
                party.vessel.mmsi = identifier.value
    comment = _text(element.find(t.Comment))
    if comment:
        party.raw["comment"] = comment
    state.parties[profile.get("ID") or fixed_ref] = party
    parsed["DistinctParty"] += 1
    parsed[count_key] += 1


def _read_relationship(
    state: _State, element: etree._Element, declared: Counter[str], parsed: Counter[str]
) -> None:
    declared["ProfileRelationship"] += 1
    source = state.parties.get(element.get("From-ProfileID") or "")
    if source is None:
        state.warnings[
            f"relationship {element.get('ID')} from unknown profile {element.get('From-ProfileID')}"
        ] += 1
        return
    type_text = state.ref_text("RelationType", element.get("RelationTypeID")) or "Unknown"
    target_profile = element.get("To-ProfileID") or ""
    target = state.parties.get(target_profile)
    text = type_text
    if element.get("Former") == "true":
        text = f"former: {text}"
    comment = _text(element.find(state.tags.Comment))
    if comment:
        text = f"{text} ({comment})"
    source.relations.append(
        Relation(
            kind=RELATION_KINDS_BY_TYPE.get(type_text, "other"),
            target=target.id if target is not None else None,
            target_ref=None if target is not None else target_profile,
            target_name=target.primary_name if target is not None else None,
            text=text,
        )
    )
    parsed["ProfileRelationship"] += 1


def _read_sanctions_entry(state: _State, element: etree._Element) -> None:
    t = state.tags
    party = state.parties.get(element.get("ProfileID") or "")
    if party is None:
        state.warnings[
            f"sanctions entry {element.get('ID')} for unknown profile {element.get('ProfileID')}"
        ] += 1
        return
    designation = Designation(
        authority="ofac",
        reference=party.id.split(":", 1)[1],
        list_name=state.ref_text("List", element.get("ListID")),
        remarks=party.raw.pop("comment", None),
    )
    dates: list[str] = []
    for event in element.iterchildren(t.EntryEvent):
        date = _ymd(event.find(t.Date), t)
        if date is not None:
            dates.append(_iso(date))
        basis = state.ref("LegalBasis", event.get("LegalBasisID"))
        if basis is not None and basis.text != "Unknown":
            _add_unique(designation.legal_basis, basis.attrib.get("LegalBasisShortRef") or basis.text)
    if dates:
        designation.listed_on = min(dates)
        if len(set(dates)) > 1:
            # Several "Created" events: a party designated again under further programmes.
            _add_raw(party, "entry_events", ", ".join(sorted(set(dates))))
    for measure in element.iterchildren(t.SanctionsMeasure):
        measure_type = state.ref_text("SanctionsType", measure.get("SanctionsTypeID")) or "Unknown"
        comment = _text(measure.find(t.Comment))
        if measure_type == "Program":
            _add_unique(designation.programmes, comment)
        else:
            _add_unique(designation.measures, f"{measure_type}: {comment}" if comment else measure_type)
    if designation.list_name == "SDN List":
        party.designations.insert(0, designation)
    else:
        if designation.remarks is None and party.designations:
            designation.remarks = party.designations[0].remarks
        party.designations.append(designation)


# --------------------------------------------------------------------------- parse


def _namespace(path: Path) -> str:
    """The namespace of an OFAC advanced XML, refusing any other document early.

    Reads only up to the first closed element, through iterparse_xml so DOCTYPE and
    entity declarations are refused exactly as in the full parse.
    """
    name = str(path)
    elements = iterparse_xml(path)
    try:
        first = next(elements, None)
        root = first.getroottree().getroot() if first is not None else None
    finally:
        if isinstance(elements, Generator):
            elements.close()  # closes the file now, not at garbage collection
    if root is None:
        raise ListFormatError(name, "not an OFAC advanced XML: no elements")
    qname = etree.QName(root)
    if qname.localname != "Sanctions" or qname.namespace not in NAMESPACES:
        raise ListFormatError(
            name,
            f"not an OFAC advanced XML: root element is {root.tag!r}",
            location=f"line {root.sourceline}",
        )
    return str(qname.namespace)


def parse(files: dict[str, Path]) -> ParsedList:
    """Parse one SDN_ADVANCED.XML (plain or .bz2/.gz/.xz) into parties.

    Raises ListFormatError naming the file and line for malformed or foreign input, and
    ListCountError if fewer parties or relationships were built than the file holds.
    """
    path = files.get("main")
    if path is None:
        raise ListFormatError("<none>", "the 'main' file of ofac_sdn_advanced is missing")
    name = str(path)
    t = _Tags(_namespace(path))
    state = _State(path=name, tags=t)
    declared: Counter[str] = Counter()
    parsed: Counter[str] = Counter()
    published: str | None = None
    have_refs = False
    wanted = (
        t.DateOfIssue,
        t.ReferenceValueSets,
        t.Location,
        t.IDRegDocument,
        t.DistinctParty,
        t.ProfileRelationship,
        t.SanctionsEntry,
    )
    for element in iterparse_xml(path, wanted):
        tag = element.tag
        if tag == t.DistinctParty:
            if not have_refs:
                raise ListFormatError(
                    name, "DistinctParty before ReferenceValueSets", location=f"line {element.sourceline}"
                )
            _read_party(state, element, declared, parsed)
        elif tag == t.Location:
            _read_location(state, element)
        elif tag == t.IDRegDocument:
            _read_id_document(state, element)
        elif tag == t.ProfileRelationship:
            _read_relationship(state, element, declared, parsed)
        elif tag == t.SanctionsEntry:
            _read_sanctions_entry(state, element)
        elif tag == t.ReferenceValueSets:
            _read_reference_sets(state, element)
            have_refs = True
        elif tag == t.DateOfIssue:
            date = _ymd(element, t)
            published = _iso(date) if date is not None else None
        _release(element)

    if not declared["DistinctParty"]:
        raise ListFormatError(name, "not an OFAC advanced XML: no DistinctParty records")
    check_counts(name, declared, parsed)
    parties = list(state.parties.values())
    warnings = [
        f"{message} (x{count})" if count > 1 else message for message, count in state.warnings.items()
    ]
    if state.docs:
        orphans = sum(len(docs) for docs in state.docs.values())
        warnings.append(f"{orphans} ID documents refer to no party's identity")
    undesignated = sum(1 for party in parties if not party.designations)
    if undesignated:
        warnings.append(f"{undesignated} parties have no SanctionsEntry")
        for party in parties:
            if not party.designations:
                party.designations.append(
                    Designation(
                        authority="ofac",
                        reference=party.id.split(":", 1)[1],
                        remarks=party.raw.pop("comment", None),
                    )
                )
    result_parsed = dict(parsed)
    result_parsed["relations"] = sum(len(party.relations) for party in parties)
    log.info("parsed %s: %s", name, result_parsed)
    return ParsedList(
        source=SOURCE_KEY,
        published=published,
        parties=parties,
        declared=dict(declared),
        parsed=result_parsed,
        warnings=warnings,
    )


SOURCE = Source(
    key=SOURCE_KEY,
    authority="ofac",
    title="OFAC Specially Designated Nationals (SDN) List, advanced XML",
    publisher="U.S. Department of the Treasury, Office of Foreign Assets Control (OFAC)",
    format="xml",
    files=(ListFile(role="main", url=URL, filename="SDN_ADVANCED.XML"),),
    parse=parse,
    homepage="https://ofac.treasury.gov/specially-designated-nationals-and-blocked-persons-list-sdn-human-readable-lists",
    # The SDN list has held well over 15,000 parties since 2024 (18,367 on 2025-11-19).
    min_counts={"DistinctParty": 15000},
    notes=(
        "The full SDN list in OFAC's relational 'advanced' schema: names in every script, "
        "typed features (dates, places, vessel and aircraft data, digital currency "
        "addresses), ID documents and party-to-party relationships. DPRK programmes are "
        "DPRK, DPRK2, DPRK3, DPRK4 and DPRK-NKSPEA."
    ),
)
