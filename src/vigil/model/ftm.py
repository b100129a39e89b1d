"""FollowTheMoney import and export of parties, through the ``followthemoney`` library.

A party becomes one main entity (Person, Organization, Company, LegalEntity, Vessel,
Airplane) plus linked entities: a ``Sanction`` per designation, an ``Identification``
(or ``Passport``) per document, an ``Address`` per address, a ``CryptoWallet`` per
digital currency address, and an ``Ownership`` or ``UnknownLink`` per relation.

Vigil-only detail that FtM has no property for (name quality, the kind of an alias,
date kinds) is written into ``notes`` of the main entity as ``vigil:`` lines, so an
export re-imported by Vigil keeps it; other FtM consumers see plain notes.
"""

from __future__ import annotations

import json
import logging
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from typing import IO, Any
from urllib.parse import unquote

from followthemoney import model as ftm_model

from vigil.model.party import Address, DateValue, Designation, Identifier, Name, Party, Relation

__all__ = ["parties_from_ftm", "party_to_ftm", "read_ftm_jsonl", "write_ftm_jsonl"]

log = logging.getLogger(__name__)

_NAME_PROP = {"primary": "name", "aka": "alias", "fka": "previousName", "nka": "alias"}
#: Identifier kind -> property of the main entity (where FtM has one for the schema).
_ID_PROP = {
    "passport": "passportNumber",
    "national_id": "idNumber",
    "tax_id": "taxNumber",
    "registration": "registrationNumber",
    "imo": "imoNumber",
    "imo_company": "imoNumber",
    "mmsi": "mmsi",
    "call_sign": "callSign",
    "bic": "swiftBic",
    "lei": "leiCode",
    "email": "email",
    "phone": "phone",
    "website": "website",
    "aircraft_serial": "serialNumber",
    "aircraft_tail": "registrationNumber",
}
_REL_SCHEMA = {
    "owned_or_controlled_by": ("Ownership", "asset", "owner"),
    "owner_of": ("Ownership", "owner", "asset"),
    "vessel_owner": ("Ownership", "asset", "owner"),
    "family": ("Family", "person", "relative"),
    "associate": ("Associate", "person", "associate"),
}
_AUTHORITY = {
    "un": "United Nations Security Council",
    "ofac": "US Treasury Office of Foreign Assets Control",
    "uk": "UK HM Treasury OFSI / FCDO",
    "eu": "European Union",
}
_NOTE = "vigil:"


def _encode(value: str) -> str:
    # FtM ids allow only [0-9a-zA-Z.-]; escape anything else as -XX (hex) so ids round-trip.
    return "".join(
        c if c.isascii() and (c.isalnum() or c == ".") else "".join(f"-{b:02x}" for b in c.encode())
        for c in value
    )


def _decode(value: str) -> str:
    raw = re.sub(r"-([0-9a-f]{2})", lambda m: "%" + m.group(1), value)
    return unquote(raw)


def _eid(*parts: str) -> str:
    """The FtM id of a party (``vigil.<escaped party id>``) or of one of its linked entities."""
    return "vigil." + ".".join(_encode(p) for p in parts)


def _dates(values: list[DateValue]) -> list[str]:
    out: list[str] = []
    for value in values:
        for iso in (value.start, value.end):
            if iso is not None and iso not in out:
                out.append(iso)
    return out


def party_to_ftm(party: Party) -> list[dict[str, Any]]:
    """The FtM entities (as dicts) of one party: the main entity first, then linked entities.

    Values FtM rejects for a property (an invalid date or country code) are logged and
    kept in the main entity's notes, never dropped silently.
    """
    schema = party.schema if ftm_model.get(party.schema) is not None else "LegalEntity"
    main = ftm_model.make_entity(schema)
    main.id = _eid(party.id)
    rejected: list[str] = []

    def add(proxy: Any, prop: str, value: str | None) -> None:
        if value is None or value == "":
            return
        if prop not in proxy.schema.properties:
            rejected.append(f"{prop}={value}")
            return
        before = len(proxy.get(prop))
        proxy.add(prop, value, quiet=True)
        if len(proxy.get(prop)) == before and value not in proxy.get(prop):
            rejected.append(f"{prop}={value}")

    notes: list[str] = []
    for name in party.names:
        prop = (
            "weakAlias"
            if name.quality in ("weak", "low") and name.kind != "primary"
            else _NAME_PROP[name.kind]
        )
        if prop == "name" and main.get("name"):
            prop = "alias"
        add(main, prop, name.full)
        if schema == "Person" and name.kind == "primary" and not name.original_script:
            add(main, "firstName", name.first)
            add(main, "middleName", name.middle)
            add(main, "lastName", name.last)
        notes.append(
            _NOTE
            + "name "
            + json.dumps([name.full, name.kind, name.quality, name.script], ensure_ascii=False)
        )
    if schema == "Person":
        add(main, "gender", party.gender)
        for iso in _dates(party.birth_dates):
            add(main, "birthDate", iso)
        for iso in _dates(party.death_dates):
            add(main, "deathDate", iso)
        for place in party.birth_places:
            add(main, "birthPlace", place.text)
        for code in party.nationalities:
            add(main, "nationality", code)
        for code in party.citizenships:
            add(main, "citizenship", code)
        for title in party.titles:
            add(main, "title", title)
        for position in party.positions:
            add(main, "position", position)
    for date in _dates(party.incorporation_dates):
        add(main, "incorporationDate", date)
    for code in party.countries:
        add(main, "country", code)
    for value in party.birth_dates + party.death_dates + party.incorporation_dates:
        if value.kind != "exact" or value.text is not None:
            notes.append(
                _NOTE
                + "value "
                + json.dumps([value.kind, value.start, value.end, value.text], ensure_ascii=False)
            )
    if party.vessel is not None:
        vessel = party.vessel
        add(main, "flag", vessel.flag)
        for flag in vessel.former_flags:
            add(main, "pastFlags", flag)
        add(main, "type", vessel.vessel_type)
        add(main, "grossRegisteredTonnage", vessel.gross_tonnage)
        add(main, "deadweightTonnage", vessel.deadweight)
        add(main, "buildDate", vessel.year_built)
        add(main, "callSign", vessel.call_sign)
        add(main, "mmsi", vessel.mmsi)
        add(main, "imoNumber", vessel.imo)
    if party.aircraft is not None:
        add(main, "model", party.aircraft.model)
        add(main, "manufacturer", party.aircraft.manufacturer)
        add(main, "serialNumber", party.aircraft.serial)
    main.add("topics", "sanction")
    extra: list[dict[str, Any]] = []
    for index, ident in enumerate(party.identifiers):
        extra.extend(_identifier_entities(party, main, index, ident, add))
    for index, address in enumerate(party.addresses):
        addr = ftm_model.make_entity("Address")
        addr.id = _eid(party.id, "addr", str(index))
        add(addr, "full", address.full)
        add(addr, "street", address.street)
        add(addr, "city", address.city)
        add(addr, "region", address.region)
        add(addr, "postalCode", address.postal_code)
        add(addr, "country", address.country)
        add(main, "addressEntity", addr.id)
        extra.append(addr.to_dict())
    for index, designation in enumerate(party.designations):
        extra.append(_sanction_entity(party, main.id, index, designation, add))
    for index, relation in enumerate(party.relations):
        link = _relation_entity(party, main.id, index, relation, add)
        if link is not None:
            extra.append(link)
    for note in party.notes:
        notes.append(note)
    for key, raw_value in party.raw.items():
        notes.append(f"{key}: {raw_value}")
    for rejected_value in rejected:
        log.debug("value kept as note, FtM rejected it", extra={"party": party.id, "value": rejected_value})
        notes.append(_NOTE + "rejected " + rejected_value)
    for note in notes:
        main.add("notes", note, quiet=True)
    return [main.to_dict(), *extra]


def _identifier_entities(
    party: Party, main: Any, index: int, ident: Identifier, add: Any
) -> list[dict[str, Any]]:
    if ident.kind == "crypto":
        wallet = ftm_model.make_entity("CryptoWallet")
        wallet.id = _eid(party.id, "wallet", str(index))
        add(wallet, "publicKey", ident.value)
        add(wallet, "currency", ident.chain)
        wallet.add("holder", main.id)
        return [wallet.to_dict()]
    prop = _ID_PROP.get(ident.kind)
    if prop is not None and prop in main.schema.properties:
        add(main, prop, ident.value)
    if ident.kind in ("passport", "national_id", "tax_id", "registration", "other"):
        schema = "Passport" if ident.kind == "passport" else "Identification"
        doc = ftm_model.make_entity(schema)
        doc.id = _eid(party.id, "id", str(index))
        doc.add("holder", main.id)
        add(doc, "number", ident.value)
        add(doc, "type", ident.type_text or ident.kind)
        add(doc, "country", ident.country)
        add(doc, "startDate", ident.issued)
        add(doc, "endDate", ident.expires)
        add(doc, "summary", ident.note)
        return [doc.to_dict()]
    if prop is None or prop not in main.schema.properties:
        main.add(
            "notes", f"{_NOTE}id {json.dumps([ident.kind, ident.value], ensure_ascii=False)}", quiet=True
        )
    return []


def _sanction_entity(
    party: Party, main_id: str, index: int, designation: Designation, add: Any
) -> dict[str, Any]:
    sanction = ftm_model.make_entity("Sanction")
    sanction.id = _eid(party.id, "sanction", str(index))
    sanction.add("entity", main_id)
    add(sanction, "authority", _AUTHORITY.get(designation.authority, designation.authority))
    add(sanction, "authorityId", designation.reference)
    if designation.authority == "un":
        add(sanction, "unscId", designation.reference)
    for programme in designation.programmes:
        add(sanction, "program", programme)
    add(sanction, "listingDate", designation.listed_on)
    add(sanction, "modifiedAt", designation.last_updated)
    for basis in designation.legal_basis:
        add(sanction, "reason", basis)
    add(sanction, "summary", designation.narrative)
    add(sanction, "description", designation.remarks)
    for measure in designation.measures:
        add(sanction, "provisions", measure)
    return dict(sanction.to_dict())


def _relation_entity(
    party: Party, main_id: str, index: int, relation: Relation, add: Any
) -> dict[str, Any] | None:
    if relation.target is None:
        return None
    other = _eid(relation.target)
    schema, this_prop, other_prop = _REL_SCHEMA.get(relation.kind, ("UnknownLink", "subject", "object"))
    if schema in ("Family", "Associate") and party.schema != "Person":
        schema, this_prop, other_prop = "UnknownLink", "subject", "object"
    link = ftm_model.make_entity(schema)
    link.id = _eid(party.id, "rel", str(index))
    link.add(this_prop, main_id)
    link.add(other_prop, other)
    add(link, "role" if "role" in link.schema.properties else "relationship", relation.text or relation.kind)
    if relation.share is not None and "percentage" in link.schema.properties:
        add(link, "percentage", str(relation.share))
    return dict(link.to_dict())


def write_ftm_jsonl(parties: Iterable[Party], handle: IO[str]) -> int:
    """Write parties as FtM JSON lines; return the number of entities written."""
    count = 0
    for party in parties:
        for entity in party_to_ftm(party):
            handle.write(json.dumps(entity, ensure_ascii=False, sort_keys=True) + "\n")
            count += 1
    return count


def read_ftm_jsonl(handle: IO[str]) -> Iterator[dict[str, Any]]:
    """Read FtM JSON lines; blank lines are skipped, a bad line raises ValueError naming its number."""
    for number, line in enumerate(handle, start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ValueError(f"line {number}: not JSON: {exc.msg}") from exc
        if not isinstance(data, dict) or "schema" not in data:
            raise ValueError(f"line {number}: not a FollowTheMoney entity (no schema)")
        yield data


_MAIN_SCHEMATA = {"Person", "Organization", "Company", "LegalEntity", "Vessel", "Airplane", "PublicBody"}


def parties_from_ftm(entities: Iterable[dict[str, Any]], *, source: str) -> list[Party]:
    """Build parties from FtM entities (any producer's, Vigil's own exports included).

    Main entities (people, organisations, vessels, aircraft) become parties with id
    ``<source>:<entity id>``; Sanction, Identification/Passport, Address, CryptoWallet and
    link entities are attached to the party they reference.
    """
    proxies = [ftm_model.get_proxy(data, cleaned=False) for data in entities]
    mains: dict[str, Any] = {p.id: p for p in proxies if p.id is not None and p.schema.name in _MAIN_SCHEMATA}
    attached: dict[str, list[Any]] = defaultdict(list)
    for proxy in proxies:
        if proxy.id in mains:
            continue
        for prop in ("entity", "holder", "subject", "asset", "person"):
            if prop in proxy.schema.properties:
                for ref in proxy.get(prop):
                    attached[ref].append((prop, proxy))
    addresses: dict[str, Any] = {p.id: p for p in proxies if p.id is not None and p.schema.name == "Address"}
    parties: list[Party] = []
    for entity_id, proxy in mains.items():
        parties.append(_party_from_proxy(proxy, source, attached.get(entity_id, []), addresses, mains))
    return parties


def _strip(entity_id: str) -> str:
    return _decode(entity_id[len("vigil.") :]) if entity_id.startswith("vigil.") else entity_id


def _party_from_proxy(
    proxy: Any, source: str, links: list[Any], addresses: dict[str, Any], mains: dict[str, Any]
) -> Party:
    own = proxy.id.startswith("vigil.")
    party = Party(
        id=_strip(proxy.id) if own else f"{source}:{proxy.id}", source=source, schema=proxy.schema.name
    )
    graded: dict[str, tuple[str, str | None, str | None]] = {}
    for note in proxy.get("notes"):
        if note.startswith(_NOTE + "name "):
            full, kind, quality, script = json.loads(note[len(_NOTE + "name ") :])
            graded[full] = (kind, quality, script)
        elif not note.startswith(_NOTE):
            party.notes.append(note)
    for prop, kind in (("name", "primary"), ("alias", "aka"), ("weakAlias", "aka"), ("previousName", "fka")):
        for value in proxy.get(prop):
            grade = graded.get(value)
            if grade is not None:
                party.names.append(Name(full=value, kind=grade[0], quality=grade[1], script=grade[2]))
            else:
                party.names.append(
                    Name(full=value, kind=kind, quality="weak" if prop == "weakAlias" else None)
                )
    if proxy.schema.name == "Person":
        genders = proxy.get("gender")
        party.gender = genders[0] if genders else None
        party.birth_dates = [DateValue(kind="exact", start=d) for d in proxy.get("birthDate")]
        party.nationalities = list(proxy.get("nationality"))
        party.citizenships = list(proxy.get("citizenship"))
        party.positions = list(proxy.get("position"))
        party.titles = list(proxy.get("title"))
    party.countries = list(proxy.get("country"))
    for kind, prop in _ID_PROP.items():
        if prop in proxy.schema.properties and kind not in ("imo_company", "aircraft_tail"):
            for value in proxy.get(prop):
                if not any(i.value == value for i in party.identifiers):
                    party.identifiers.append(Identifier(kind=kind, value=value))
    for address_id in proxy.get("addressEntity"):
        address = addresses.get(address_id)
        if address is not None:
            full = (address.get("full") or [address.caption])[0]
            countries = address.get("country")
            party.addresses.append(Address(full=full, country=countries[0] if countries else None))
    for prop, link in links:
        schema = link.schema.name
        if schema == "Sanction":
            authority = next((k for k, v in _AUTHORITY.items() if v in link.get("authority")), None)
            refs = link.get("authorityId") or link.get("unscId")
            party.designations.append(
                Designation(
                    authority=authority or (link.get("authority") or ["unknown"])[0],
                    reference=refs[0] if refs else None,
                    programmes=list(link.get("program")),
                    listed_on=(link.get("listingDate") or [None])[0],
                    narrative=(link.get("summary") or [None])[0],
                    remarks=(link.get("description") or [None])[0],
                )
            )
        elif schema == "CryptoWallet":
            for key in link.get("publicKey"):
                party.identifiers.append(
                    Identifier(kind="crypto", value=key, chain=(link.get("currency") or [None])[0])
                )
        elif schema in ("Passport", "Identification"):
            for number in link.get("number"):
                if any(i.value == number for i in party.identifiers):
                    continue
                party.identifiers.append(
                    Identifier(
                        kind="passport" if schema == "Passport" else "national_id",
                        value=number,
                        country=(link.get("country") or [None])[0],
                    )
                )
        else:
            other_prop = {
                "subject": "object",
                "asset": "owner",
                "person": "relative" if schema == "Family" else "associate",
            }
            target_prop = other_prop.get(prop)
            if target_prop is None or target_prop not in link.schema.properties:
                continue
            for target in link.get(target_prop):
                kind = {
                    "Ownership": "owned_or_controlled_by",
                    "Family": "family",
                    "Associate": "associate",
                }.get(schema, "linked_to")
                role = (
                    link.get("role") if "role" in link.schema.properties else link.get("relationship")
                ) or [None]
                percentage = link.get("percentage") if "percentage" in link.schema.properties else []
                party.relations.append(
                    Relation(
                        kind=kind,
                        target=(_strip(target) if target.startswith("vigil.") else f"{source}:{target}")
                        if target in mains
                        else None,
                        target_ref=None if target in mains else target,
                        text=role[0],
                        share=float(percentage[0]) if percentage else None,
                    )
                )
    return party
