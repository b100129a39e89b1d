"""Parser of OFAC's legacy "remarks" text (the SDN.CSV Remarks column).

OFAC's legacy formats pack most of a record into one string of ``"; "``-separated
segments: ``DOB 01 Jan 1960; POB Pyongyang, Korea, North; nationality Korea, North;
Passport 123 (Korea, North) expires 2020; Linked To: KOREA MINING ...; a.k.a. 'X'``.
This module turns such a string into typed pieces of the model. It is pure (no I/O)
and never raises: whatever segment it does not recognise is returned in
:attr:`ParsedRemarks.leftover`, which callers keep in ``Party.raw["remarks_unparsed"]``.

The vocabulary lives in the module-level tables below (labels -> meaning), so adding a
new OFAC label is a one-line data change. Labels are matched longest first, so
``"Company Number IMO"`` wins over ``"Company Number"``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from vigil.model import AircraftInfo, DateValue, Identifier, Name, Party, Place, Relation, VesselInfo
from vigil.names.countries import country_code

__all__ = [
    "AIRCRAFT_LABELS",
    "ATTRIBUTE_LABELS",
    "COUNTRY_LABELS",
    "ID_LABELS",
    "MEASURE_LABELS",
    "VESSEL_LABELS",
    "ParsedRemarks",
    "apply_to_party",
    "is_imo_number",
    "ofac_date",
    "parse_date_value",
    "parse_labelled",
    "parse_place",
    "parse_remarks",
    "split_segments",
]

#: Identifier labels -> ``Identifier.kind``. The value that follows may end with
#: ``(Country)``, ``issued <date>`` and ``expires <date>``.
ID_LABELS: dict[str, str] = {
    # travel and personal documents
    "Passport": "passport",
    "Diplomatic Passport": "passport",
    "Passport Booklet": "passport",
    "Passport Booklet:": "passport",
    "Travel Document Number": "passport",
    "National ID No.": "national_id",
    "National Foreign ID Number": "national_id",
    "Identification Number": "national_id",
    "Personal ID Card": "national_id",
    "Cedula No.": "national_id",
    "D.N.I.": "national_id",
    "C.U.R.P.": "national_id",
    "C.U.R.P. #": "national_id",
    "C.U.I.": "national_id",
    "C.U.I.P.": "national_id",
    "Turkish Identification Number": "national_id",
    "Numero de Identidad": "national_id",
    "Citizen's Card Number": "national_id",
    "Kenyan ID No.": "national_id",
    "UAE Identification": "national_id",
    "Tazkira National ID Card": "national_id",
    "SSN": "national_id",
    "Residency Number": "national_id",
    "Birth Certificate Number": "national_id",
    "Driver's License No.": "national_id",
    "Electoral Registry No.": "national_id",
    "Credencial electoral": "national_id",
    "I.F.E.": "national_id",
    "Cartilla de Servicio Militar Nacional": "national_id",
    "Refugee ID Card": "national_id",
    "Immigration No.": "national_id",
    "VisaNumberID": "national_id",
    "SRE Permit No.": "national_id",
    "Pilot License Number": "national_id",
    "Permit Number": "national_id",
    # tax numbers
    "Tax ID No.": "tax_id",
    "R.F.C.": "tax_id",
    "R.F.C. #": "tax_id",
    "RFC": "tax_id",
    "NIT #": "tax_id",
    "RUC #": "tax_id",
    "RIF #": "tax_id",
    "RTN": "tax_id",
    "V.A.T. Number": "tax_id",
    "US FEIN": "tax_id",
    "C.U.I.T.": "tax_id",
    "C.I.F.": "tax_id",
    "Italian Fiscal Code": "tax_id",
    "Italian Fiscal Code:": "tax_id",
    "Numero Unico de Identificacao Tributaria (NUIT)": "tax_id",
    # company registration
    "Registration Number": "registration",
    "Registration ID": "registration",
    "Business Registration Number": "registration",
    "Business Registration Document #": "registration",
    "Company Number": "registration",
    "UK Company Number": "registration",
    "Commercial Registry Number": "registration",
    "Government Gazette Number": "registration",
    "Folio Mercantil No.": "registration",
    "Matricula Mercantil No": "registration",
    "C.R. No.": "registration",
    "Romanian C.R.": "registration",
    "Trade License No.": "registration",
    "License": "registration",
    "Chamber of Commerce Number": "registration",
    "Istanbul Chamber of Comm. No.": "registration",
    "Dubai Chamber of Commerce Membership No.": "registration",
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
    "Certificate of Incorporation Number": "registration",
    "Organization Code": "registration",
    "D-U-N-S Number": "registration",
    "File Number": "registration",
    "Afghan Money Service Provider License Number": "registration",
    "Legal Entity Number": "lei",
    # maritime and aviation
    "Vessel Registration Identification": "imo",
    "Identification Number IMO": "imo_company",
    "Company Number IMO": "imo_company",
    "MMSI": "mmsi",
    "Call Sign": "call_sign",
    "Other Vessel Call Sign": "call_sign",
    "Aircraft Manufacturer's Serial Number (MSN)": "aircraft_serial",
    "Aircraft Construction Number (also called L/N or S/N or F/N)": "aircraft_serial",
    "Aircraft Serial Identification": "aircraft_serial",
    "Aircraft Tail Number": "aircraft_tail",
    "Previous Aircraft Tail Number": "aircraft_tail",
    "Aircraft Mode S Transponder Code": "other",
    # finance
    "SWIFT/BIC": "bic",
    "BIK (RU)": "other",
    "ISIN": "other",
    "Chinese Commercial Code": "other",
    # contact
    "Email Address": "email",
    "Email": "email",
    "Email:": "email",
    "Website": "website",
    "Website:": "website",
    "Phone Number": "phone",
    "Phone No.": "phone",
    "PHONE": "phone",
    "Telephone": "phone",
    "Telephone:": "phone",
    "Telephone No.": "phone",
    "Telephone Number:": "phone",
    "Fax": "phone",
    "Fax:": "phone",
    "Fax No.": "phone",
    "FAX": "phone",
    "Alt. Fax:": "phone",
}

#: Identifier kinds taken whole: no country in brackets or dates follow them, and a
#: phone number's own brackets ("(357)(22660766)") must not be read as a country.
_CONTACT_KINDS = frozenset({"email", "website", "phone"})

#: Labels whose value is a country -> the ParsedRemarks list it goes to.
COUNTRY_LABELS: dict[str, str] = {
    "nationality": "nationalities",
    "citizen": "citizenships",
    "Nationality of Registration": "countries",
    "Registration Country": "countries",
}

#: Vessel labels -> VesselInfo field. ``imo``/``mmsi``/``call_sign`` also become identifiers (ID_LABELS).
VESSEL_LABELS: dict[str, str] = {
    "Vessel Flag": "flag",
    "Former Vessel Flag": "former_flags",
    "Vessel Type": "vessel_type",
    "GRT": "gross_tonnage",
    "Gross Registered Tonnage": "gross_tonnage",
    "Vessel Year of Build": "year_built",
    "Vessel Owner": "owner",
}

#: Aircraft labels -> AircraftInfo field (serial/tail also become identifiers).
AIRCRAFT_LABELS: dict[str, str] = {
    "Aircraft Model": "model",
    "Aircraft Operator": "operator",
    "Aircraft Manufacture Date": "year_built",
    "Aircraft Manufacturer": "manufacturer",
}

#: Sanctions-regime statements: kept whole as measures (``Designation.measures``).
MEASURE_LABELS: tuple[str, ...] = (
    "Additional Sanctions Information -",
    "Secondary sanctions risk:",
    "Transactions Prohibited For Persons Owned or Controlled By U.S. Financial Institutions:",
    "Executive Order 13662 Directive Determination -",
    "Executive Order 13846 information:",
    "Executive Order 14014 Directive Information",
    "Executive Order 14024 Directive Information",
    "Executive Order 14059 information:",
    "CAATSA Section 235 Information:",
    "IFCA Determination -",
    "Listing Date",
    "Effective Date",
    "Purchase/Sales For Divestment Date (CMIC)",
    "For more information on directives",
)

#: Recognised labels with no model field -> key of ``ParsedRemarks.attributes`` (kept in Party.raw).
ATTRIBUTE_LABELS: dict[str, str] = {
    "Organization Type:": "organization_type",
    "Target Type": "target_type",
    "Equity Ticker": "equity_ticker",
    "Issuer Name": "issuer_name",
    "Tonnage": "vessel_tonnage",
    "Other Vessel Flag": "vessel_other_flag",
    "Other Vessel Type": "vessel_other_type",
}

#: Name-variant markers -> Name.kind. OFAC puts its *weak* aliases in the remarks.
_ALIAS_LABELS: dict[str, str] = {"a.k.a.": "aka", "f.k.a.": "fka", "n.k.a.": "nka"}

_GENDERS: dict[str, str] = {"male": "male", "female": "female"}

_MONTHS: dict[str, str] = {
    "jan": "01", "feb": "02", "mar": "03", "apr": "04", "may": "05", "jun": "06",
    "jul": "07", "aug": "08", "sep": "09", "oct": "10", "nov": "11", "dec": "12",
}  # fmt: skip

#: Last words of a name whose final period belongs to the name, not the sentence.
_ABBREVIATIONS = frozenset({"LTD", "CO", "INC", "CORP", "BHD", "LLC", "JR", "SR", "ST", "NO", "DR"})

# Every handler kind with its labels: one table the longest-first matcher is built from.
_SIMPLE_LABELS: dict[str, str] = {
    "DOB": "dob",
    "POB": "pob",
    "Gender": "gender",
    "Title": "title",
    "Linked To:": "linked_to",
    "Organization Established Date": "established",
    "Digital Currency Address -": "crypto",
}


def _build_label_index() -> list[tuple[str, str, str]]:
    entries: list[tuple[str, str, str]] = []
    entries += [(label, "id", kind) for label, kind in ID_LABELS.items()]
    entries += [(label, "country", target) for label, target in COUNTRY_LABELS.items()]
    entries += [(label, "vessel", target) for label, target in VESSEL_LABELS.items()]
    entries += [(label, "aircraft", target) for label, target in AIRCRAFT_LABELS.items()]
    entries += [(label, "measure", label) for label in MEASURE_LABELS]
    entries += [(label, "attribute", key) for label, key in ATTRIBUTE_LABELS.items()]
    entries += [(label, "alias", kind) for label, kind in _ALIAS_LABELS.items()]
    entries += [(label, handler, label) for label, handler in _SIMPLE_LABELS.items()]
    # Longest first, so a more specific label wins over its prefix.
    entries.sort(key=lambda entry: -len(entry[0]))
    return entries


_LABEL_INDEX = _build_label_index()
# Candidates by the label's first letter (lower case), longest first: a segment is only
# compared with the few labels that can match it.
_LABELS_BY_INITIAL: dict[str, list[tuple[str, str, str, str]]] = {}
for _label, _handler, _target in _LABEL_INDEX:
    _LABELS_BY_INITIAL.setdefault(_label[0].lower(), []).append((_label.lower(), _label, _handler, _target))
_LABEL_BY_LOWER = {label.lower(): (label, handler, target) for label, handler, target in _LABEL_INDEX}

_SEGMENT_SPLIT = re.compile(r";\s*")
_ALT_PREFIX = re.compile(r"^alt\.\s+", re.IGNORECASE)
_ID_TAIL = re.compile(
    r"^(?P<value>.*?)"
    r"(?:\s*\((?P<country>[^()]*)\))?"
    r"(?:\s*,?\s*issued\s+(?P<issued>.*?))?"
    r"(?:\s*,?\s*expires\s+(?P<expires>.*?))?"
    r"\s*\.?$",
    re.IGNORECASE | re.DOTALL,
)
_DAY_MONTH_YEAR = re.compile(r"^(\d{1,2})\s+([A-Za-z]{3})[a-z]*\.?\s+(\d{4})$")
_MONTH_YEAR = re.compile(r"^([A-Za-z]{3})[a-z]*\.?\s+(\d{4})$")
_YEAR = re.compile(r"^(\d{4})$")
_RANGE = re.compile(r"^(?P<start>.+?)\s*(?:\bto\b|-)\s*(?P<end>.+)$", re.IGNORECASE)
_CIRCA = re.compile(r"^(?:circa|approximately|approx\.?|about)\s+", re.IGNORECASE)
_QUOTED = re.compile(r"^'(?P<name>.*)'\.?$", re.DOTALL)
_CRYPTO = re.compile(r"^(?P<chain>[A-Za-z0-9]+)\s+(?P<address>\S+?)\.?$")


@dataclass(slots=True)
class ParsedRemarks:
    """The typed pieces found in one remarks text (or in one labelled value)."""

    identifiers: list[Identifier] = field(default_factory=list)
    names: list[Name] = field(default_factory=list)
    birth_dates: list[DateValue] = field(default_factory=list)
    birth_places: list[Place] = field(default_factory=list)
    nationalities: list[str] = field(default_factory=list)
    citizenships: list[str] = field(default_factory=list)
    countries: list[str] = field(default_factory=list)
    gender: str | None = None
    titles: list[str] = field(default_factory=list)
    relations: list[Relation] = field(default_factory=list)
    incorporation_dates: list[DateValue] = field(default_factory=list)
    vessel: VesselInfo | None = None
    aircraft: AircraftInfo | None = None
    measures: list[str] = field(default_factory=list)
    attributes: dict[str, list[str]] = field(default_factory=dict)
    leftover: list[str] = field(default_factory=list)
    #: The last segment of a remarks text cut off by OFAC's 1,000-character limit.
    truncated_tail: str | None = None

    @property
    def leftover_text(self) -> str | None:
        """The unrecognised segments joined back with ``"; "`` (None when all were recognised)."""
        return "; ".join(self.leftover) if self.leftover else None

    def ensure_vessel(self) -> VesselInfo:
        if self.vessel is None:
            self.vessel = VesselInfo()
        return self.vessel

    def ensure_aircraft(self) -> AircraftInfo:
        if self.aircraft is None:
            self.aircraft = AircraftInfo()
        return self.aircraft


def split_segments(text: str) -> list[str]:
    """The ``;``-separated segments of a remarks text, stripped, empty ones dropped."""
    return [segment.strip() for segment in _SEGMENT_SPLIT.split(text) if segment.strip()]


def parse_remarks(text: str | None, *, truncated: bool = False) -> ParsedRemarks:
    """Parse a whole remarks text. Never raises.

    ``truncated`` says the text was cut off (SDN.CSV stops remarks at 1,000 characters
    when no SDN_COMMENTS continuation is available): its last segment, unless closed
    by a ``;``, may be incomplete, so it is not parsed but kept in ``truncated_tail``.
    """
    result = ParsedRemarks()
    if not text:
        return result
    value = text.strip()
    if value.endswith("-0-") and value.replace(" ", "") == "-0-":
        return result
    segments = split_segments(value)
    if truncated and segments and not value.rstrip().endswith(";"):
        result.truncated_tail = segments.pop()
    for segment in segments:
        _parse_segment(segment, result)
    return result


def parse_labelled(
    label: str,
    value: str,
    into: ParsedRemarks,
    *,
    country: str | None = None,
    issued: str | None = None,
    expires: str | None = None,
) -> None:
    """Parse one value whose label is given apart (an sdn.xml ``<id>`` element).

    The XML carries the same labels as the remarks, with the country and dates in
    their own elements. Unknown labels go to ``into.leftover`` as ``"label value"``.
    """
    found = _LABEL_BY_LOWER.get(label.strip().lower())
    if found is not None and found[1] == "id" and found[2] not in _CONTACT_KINDS:
        canonical, _, kind = found
        _add_identifier(into, kind, canonical, value.strip(), country, issued, expires, alt=False)
        return
    # Other labels read as a remarks segment would ("Digital Currency Address - XBT" + address).
    _parse_segment(f"{label.strip()} {value.strip()}".strip(), into)


def _parse_segment(segment: str, result: ParsedRemarks) -> None:
    text = segment.strip()
    # "(Linked To: HAMAS)" in sdn.xml remarks: a whole segment in brackets.
    if text.startswith("(") and text.endswith(")") and text.count("(") == 1:
        text = text[1:-1].strip()
    alt = False
    match = _ALT_PREFIX.match(text)
    if match:
        alt = True
        text = text[match.end() :]
    found = _match_label(text)
    if found is None:
        result.leftover.append(segment.strip())
        return
    label, handler, target, rest = found
    if not _HANDLERS[handler](result, label, target, rest, alt):
        result.leftover.append(segment.strip())


def _match_label(text: str) -> tuple[str, str, str, str] | None:
    if not text:
        return None
    lowered = text.lower()
    for label_lower, label, handler, target in _LABELS_BY_INITIAL.get(lowered[0], ()):
        if not lowered.startswith(label_lower):
            continue
        rest = text[len(label) :]
        # A label must end at a word boundary ("Email" must not match "Emailer").
        if rest and label[-1].isalnum() and (rest[0].isalnum() or rest[0] in "'_"):
            continue
        return label, handler, target, rest.lstrip(" :").strip()
    return None


# --- handlers: each returns False when the value does not fit (the segment is then kept) ---


def _handle_id(result: ParsedRemarks, label: str, kind: str, rest: str, alt: bool) -> bool:
    if not rest:
        return False
    if kind in _CONTACT_KINDS:
        value = rest.rstrip(".").strip()
        if not value:
            return False
        _add_identifier(result, kind, label, value, None, None, None, alt=alt)
        return True
    match = _ID_TAIL.match(rest)
    if match is None:  # pragma: no cover - the pattern matches any text
        return False
    value = match.group("value").strip().rstrip(".").strip()
    if not value:
        return False
    _add_identifier(
        result,
        kind,
        label,
        value,
        match.group("country"),
        match.group("issued"),
        match.group("expires"),
        alt=alt,
    )
    return True


def _add_identifier(
    result: ParsedRemarks,
    kind: str,
    label: str,
    value: str,
    country: str | None,
    issued: str | None,
    expires: str | None,
    *,
    alt: bool,
) -> None:
    value = value.strip()
    if not value:
        return
    type_text = label.rstrip(":").strip()
    if kind in ("imo", "imo_company"):
        if value.upper().startswith("IMO"):
            # "Vessel Registration Identification IMO 8712362": the number is the identifier.
            type_text = f"{type_text} IMO"
            value = value[3:].strip()
        elif kind == "imo" and not is_imo_number(value):
            kind = "registration"  # a national registration, not an IMO number
    if kind == "lei" and not re.fullmatch(r"[A-Z0-9]{18}\d{2}", value):
        kind = "registration"  # OFAC labels some national numbers "Legal Entity Number"
    country_text = country.strip() if country and country.strip() else None
    identifier = Identifier(
        kind=kind,
        value=value,
        type_text=type_text,
        country=country_code(country_text) if country_text else None,
        country_text=country_text,
        issued=ofac_date(issued) if issued else None,
        expires=ofac_date(expires) if expires else None,
        note="previous" if label.startswith("Previous") else None,
    )
    result.identifiers.append(identifier)
    _mirror_identifier(result, identifier)


def _mirror_identifier(result: ParsedRemarks, identifier: Identifier) -> None:
    """Vessel and aircraft identifiers also fill the vessel/aircraft record (first one wins)."""
    if identifier.kind == "imo":
        vessel = result.ensure_vessel()
        vessel.imo = vessel.imo or identifier.value
    elif identifier.kind == "mmsi":
        vessel = result.ensure_vessel()
        vessel.mmsi = vessel.mmsi or identifier.value
    elif identifier.kind == "call_sign" and identifier.type_text == "Call Sign":
        vessel = result.ensure_vessel()
        vessel.call_sign = vessel.call_sign or identifier.value
    elif identifier.kind == "aircraft_serial":
        aircraft = result.ensure_aircraft()
        aircraft.serial = aircraft.serial or identifier.value
    elif identifier.kind == "aircraft_tail" and identifier.note is None:
        aircraft = result.ensure_aircraft()
        aircraft.tail_number = aircraft.tail_number or identifier.value


def _handle_crypto(result: ParsedRemarks, label: str, _: str, rest: str, alt: bool) -> bool:
    match = _CRYPTO.match(rest.strip())
    if match is None:
        return False
    chain = match.group("chain").upper()
    result.identifiers.append(
        Identifier(
            kind="crypto",
            value=match.group("address"),
            type_text=f"Digital Currency Address - {chain}",
            chain=chain,
        )
    )
    return True


def _handle_country(result: ParsedRemarks, label: str, target: str, rest: str, alt: bool) -> bool:
    text = rest.strip().rstrip(".").strip()
    if not text:
        return False
    value = country_code(text) or text
    values: list[str] = getattr(result, target)
    if value not in values:
        values.append(value)
    return True


def _handle_vessel(result: ParsedRemarks, label: str, target: str, rest: str, alt: bool) -> bool:
    text = _strip_sentence_period(rest)
    if not text:
        return False
    vessel = result.ensure_vessel()
    if target == "flag":
        set_vessel_flag(vessel, text)
    elif target == "former_flags":
        code = country_code(text) or text
        if code not in vessel.former_flags:
            vessel.former_flags.append(code)
    elif getattr(vessel, target) is None:
        setattr(vessel, target, text)
    else:
        result.attributes.setdefault(f"vessel_{target}", []).append(text)
    return True


def apply_to_party(party: Party, parsed: ParsedRemarks, *, unparsed_key: str = "remarks_unparsed") -> None:
    """Add the pieces to a party that has its designation already.

    Values the party has already (from dedicated columns or elements) win over the
    remarks; measures go to the first designation; recognised values without a model
    field and the unrecognised leftover go to ``party.raw``.
    """
    party.identifiers.extend(parsed.identifiers)
    known = {name.full for name in party.names}
    party.names.extend(name for name in parsed.names if name.full not in known)
    party.birth_dates.extend(parsed.birth_dates)
    party.birth_places.extend(parsed.birth_places)
    party.incorporation_dates.extend(parsed.incorporation_dates)
    for target, values in (
        (party.nationalities, parsed.nationalities),
        (party.citizenships, parsed.citizenships),
        (party.countries, parsed.countries),
        (party.titles, parsed.titles),
    ):
        target.extend(value for value in values if value not in target)
    if parsed.gender and party.gender is None:
        party.gender = parsed.gender
    party.relations.extend(parsed.relations)
    if party.designations:
        party.designations[0].measures.extend(parsed.measures)
    elif parsed.measures:
        party.raw["measures"] = "; ".join(parsed.measures)
    if parsed.vessel is not None:
        if party.vessel is None:
            party.vessel = parsed.vessel
        else:
            for name in VesselInfo.__slots__:
                if getattr(party.vessel, name) in (None, []):
                    setattr(party.vessel, name, getattr(parsed.vessel, name))
    if parsed.aircraft is not None and party.aircraft is None:
        party.aircraft = parsed.aircraft
    for key, values in parsed.attributes.items():
        party.raw[key] = "; ".join([party.raw[key], *values] if key in party.raw else values)
    if parsed.leftover:
        party.raw[unparsed_key] = "; ".join(parsed.leftover)


def set_vessel_flag(vessel: VesselInfo, text: str) -> None:
    """Set the vessel's flag: the ISO code when the country is known, else the text."""
    vessel.flag_text = text
    vessel.flag = country_code(text) or text


def _handle_aircraft(result: ParsedRemarks, label: str, target: str, rest: str, alt: bool) -> bool:
    text = _strip_sentence_period(rest)
    if not text:
        return False
    aircraft = result.ensure_aircraft()
    if target == "year_built":
        text = ofac_date(text) or text
    if getattr(aircraft, target) is None:
        setattr(aircraft, target, text)
    else:
        result.attributes.setdefault(f"aircraft_{target}", []).append(text)
    return True


def _handle_measure(result: ParsedRemarks, label: str, target: str, rest: str, alt: bool) -> bool:
    # The statement is only meaningful whole: keep the label with its text.
    statement = f"{label} {rest}".strip() if rest else label
    result.measures.append(statement.rstrip(".").strip())
    return True


def _handle_attribute(result: ParsedRemarks, label: str, key: str, rest: str, alt: bool) -> bool:
    text = rest.strip().rstrip(".").strip()
    if not text:
        return False
    result.attributes.setdefault(key, []).append(text)
    return True


def _handle_alias(result: ParsedRemarks, label: str, kind: str, rest: str, alt: bool) -> bool:
    text = rest.strip()
    match = _QUOTED.match(text)
    full = match.group("name").strip() if match else _strip_sentence_period(text).strip("'").strip()
    if not full:
        return False
    result.names.append(Name(full=full, kind=kind, quality="weak"))
    return True


def _handle_dob(result: ParsedRemarks, label: str, target: str, rest: str, alt: bool) -> bool:
    text = rest.strip().rstrip(".").strip()
    if not text:
        return False
    result.birth_dates.append(parse_date_value(text))
    return True


def _handle_established(result: ParsedRemarks, label: str, target: str, rest: str, alt: bool) -> bool:
    text = rest.strip().rstrip(".").strip()
    if not text:
        return False
    result.incorporation_dates.append(parse_date_value(text))
    return True


def _handle_pob(result: ParsedRemarks, label: str, target: str, rest: str, alt: bool) -> bool:
    text = rest.strip().rstrip(".").strip()
    if not text:
        return False
    result.birth_places.append(parse_place(text))
    return True


def _handle_gender(result: ParsedRemarks, label: str, target: str, rest: str, alt: bool) -> bool:
    gender = _GENDERS.get(rest.strip().rstrip(".").strip().lower())
    if gender is None:
        return False
    result.gender = gender
    return True


def _handle_title(result: ParsedRemarks, label: str, target: str, rest: str, alt: bool) -> bool:
    text = _strip_sentence_period(rest)
    if not text:
        return False
    result.titles.append(text)
    return True


def _handle_linked_to(result: ParsedRemarks, label: str, target: str, rest: str, alt: bool) -> bool:
    name = _strip_sentence_period(rest)
    if not name:
        return False
    result.relations.append(Relation(kind="linked_to", target_name=name, text=f"Linked To: {rest.strip()}"))
    return True


_HANDLERS = {
    "id": _handle_id,
    "crypto": _handle_crypto,
    "country": _handle_country,
    "vessel": _handle_vessel,
    "aircraft": _handle_aircraft,
    "measure": _handle_measure,
    "attribute": _handle_attribute,
    "alias": _handle_alias,
    "dob": _handle_dob,
    "established": _handle_established,
    "pob": _handle_pob,
    "gender": _handle_gender,
    "title": _handle_title,
    "linked_to": _handle_linked_to,
}


# --- values ---


def _strip_sentence_period(text: str) -> str:
    """Drop the sentence-final period OFAC adds, but keep one that ends an abbreviation.

    ``HIZBALLAH.`` -> ``HIZBALLAH``; ``FISHING CO., LTD.`` and ``C.I. DISERCOM S.A.S.``
    keep theirs, because those periods belong to the listed name.
    """
    value = text.strip()
    if not value.endswith("."):
        return value
    body = value[:-1].rstrip()
    last = body.rsplit(None, 1)[-1] if body.split() else ""
    if "." in last or last.upper().rstrip(",") in _ABBREVIATIONS:
        return value
    return body


def is_imo_number(value: str) -> bool:
    """True for a 7-digit number whose last digit is the IMO check digit."""
    if not re.fullmatch(r"\d{7}", value):
        return False
    total = sum(int(digit) * weight for digit, weight in zip(value[:6], range(7, 1, -1), strict=True))
    return total % 10 == int(value[6])


def ofac_date(text: str | None) -> str | None:
    """``01 Jan 1960`` -> ``1960-01-01``, ``Jan 1960`` -> ``1960-01``, ``1960`` -> ``1960``; else None."""
    if text is None:
        return None
    value = text.strip().rstrip(".").strip()
    match = _DAY_MONTH_YEAR.match(value)
    if match:
        month = _MONTHS.get(match.group(2).lower())
        day = int(match.group(1))
        if month is None or not 1 <= day <= 31:
            return None
        return f"{match.group(3)}-{month}-{day:02d}"
    match = _MONTH_YEAR.match(value)
    if match:
        month = _MONTHS.get(match.group(1).lower())
        return f"{match.group(2)}-{month}" if month else None
    match = _YEAR.match(value)
    if match:
        return match.group(1)
    # sdn.xml writes dates as dd Mon yyyy too, but accept ISO as given.
    if re.fullmatch(r"\d{4}-\d{2}(?:-\d{2})?", value):
        return value
    return None


def parse_date_value(text: str) -> DateValue:
    """A DOB-style value: exact, ``circa ...``, ``... to ...`` (range) or text."""
    value = text.strip().rstrip(".").strip()
    circa = False
    match = _CIRCA.match(value)
    if match:
        circa = True
        value = value[match.end() :].strip()
    exact = ofac_date(value)
    if exact is not None:
        return DateValue(kind="circa" if circa else "exact", start=exact, text=text.strip())
    match = _RANGE.match(value)
    if match:
        start, end = ofac_date(match.group("start")), ofac_date(match.group("end"))
        if start is not None and end is not None:
            return DateValue(
                kind="range", start=start, end=end, text=text.strip(), note="circa" if circa else None
            )
    return DateValue(kind="text", text=text.strip())


def parse_place(text: str) -> Place:
    """``Culiacan, Sinaloa, Mexico`` -> city, region and country; the text is always kept.

    OFAC writes some countries with a comma (``Korea, North``), so the last two parts
    are tried together when the last alone is not a country.
    """
    parts = [part.strip() for part in text.split(",") if part.strip()]
    place = Place(text=text.strip())
    if not parts:
        return place
    code = country_code(parts[-1])
    used = 1
    if code is None and len(parts) >= 2:
        joined = f"{parts[-2]}, {parts[-1]}"
        code = country_code(joined)
        used = 2 if code else 1
    if code is None:
        return place
    place.country = code
    place.country_text = ", ".join(parts[-used:])
    rest = parts[:-used]
    if rest:
        place.city = rest[0]
        if len(rest) > 1:
            place.region = ", ".join(rest[1:])
    return place
