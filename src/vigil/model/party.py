"""The record types of the model.

Values are plain slotted dataclasses: cheap to build by the tens of thousands and
simple to serialise (``to_dict``/``from_dict`` round-trip exactly).
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any, TypeVar

__all__ = [
    "Address",
    "AircraftInfo",
    "DateValue",
    "Designation",
    "Identifier",
    "Name",
    "Party",
    "Place",
    "Relation",
    "VesselInfo",
]


@dataclass(slots=True)
class Name:
    """One name of a party, as the authority wrote it.

    ``full`` is the whole name in the source's order; the parts are kept when the
    source splits them (UN FIRST_NAME/SECOND_NAME..., UK Name 1..6, OFAC name parts).
    ``script`` is an ISO 15924 code (``Latn``, ``Hang``, ``Hani``, ``Kana``, ``Cyrl``,
    ``Arab`` ...) or None if unknown; ``original_script`` marks a name the authority
    gives as the original-script form of another.
    """

    full: str
    kind: str = "primary"
    quality: str | None = None
    script: str | None = None
    lang: str | None = None
    original_script: bool = False
    first: str | None = None
    middle: str | None = None
    last: str | None = None
    parts: list[str] = field(default_factory=list)
    title: str | None = None
    note: str | None = None


@dataclass(slots=True)
class DateValue:
    """A date as a source gives it.

    ``start`` and ``end`` are ISO prefixes (``1964``, ``1964-07``, ``1964-07-17``).
    ``kind`` is ``exact`` (one date at the precision of ``start``), ``circa``,
    ``range`` (``start``..``end``) or ``text`` (unparsed; the words are in ``text``).
    """

    kind: str
    start: str | None = None
    end: str | None = None
    text: str | None = None
    note: str | None = None


@dataclass(slots=True)
class Place:
    """A place of birth: free text plus what could be separated out."""

    text: str
    city: str | None = None
    region: str | None = None
    country: str | None = None  # ISO 3166-1 alpha-2, lower case, when known
    country_text: str | None = None


@dataclass(slots=True)
class Address:
    full: str
    street: str | None = None
    city: str | None = None
    region: str | None = None
    postal_code: str | None = None
    country: str | None = None  # ISO alpha-2, lower case, when known
    country_text: str | None = None
    note: str | None = None


@dataclass(slots=True)
class Identifier:
    """An identifier as listed: ``kind`` from :data:`vigil.model.vocab.ID_KINDS`.

    ``value`` is verbatim; ``type_text`` keeps the source's own wording of the type
    (``"Vessel Registration Identification"``, ``"Digital Currency Address - XBT"``).
    ``chain`` is the asset/chain code of a crypto address (``XBT``, ``ETH``, ``USDT``...).
    """

    kind: str
    value: str
    type_text: str | None = None
    country: str | None = None
    country_text: str | None = None
    issued: str | None = None
    expires: str | None = None
    chain: str | None = None
    note: str | None = None


@dataclass(slots=True)
class VesselInfo:
    flag: str | None = None  # ISO alpha-2 lower, or the source text if no code
    flag_text: str | None = None
    former_flags: list[str] = field(default_factory=list)
    vessel_type: str | None = None
    gross_tonnage: str | None = None
    deadweight: str | None = None
    year_built: str | None = None
    owner: str | None = None  # owner/operator as text; a relation links it when the owner is a party
    operator: str | None = None
    call_sign: str | None = None
    mmsi: str | None = None
    imo: str | None = None


@dataclass(slots=True)
class AircraftInfo:
    model: str | None = None
    manufacturer: str | None = None
    serial: str | None = None
    tail_number: str | None = None
    operator: str | None = None
    year_built: str | None = None


@dataclass(slots=True)
class Designation:
    """One authority's listing of the party.

    ``reference`` is the authority's own number: UN ``KPi.033``, UK ``DPR0123``
    (UK Sanctions List ref), OFAC FixedRef, EU logicalId. ``other_refs`` keeps further
    numbers (UK OFSI Group ID ``group:12345``, UN DATAID ``dataid:...``).
    """

    authority: str
    reference: str | None = None
    programmes: list[str] = field(default_factory=list)
    regime: str | None = None
    legal_basis: list[str] = field(default_factory=list)
    listed_on: str | None = None
    last_updated: str | None = None
    other_refs: list[str] = field(default_factory=list)
    remarks: str | None = None
    narrative: str | None = None
    measures: list[str] = field(default_factory=list)
    list_name: str | None = None


@dataclass(slots=True)
class Relation:
    """A directed relation from the party that holds it to ``target``.

    ``target`` is a party id of the same list when it could be resolved, otherwise None
    and ``target_ref`` (a reference number such as ``KPe.064``) or ``target_name`` says
    whom it points at. ``text`` keeps the source's wording.
    """

    kind: str
    target: str | None = None
    target_ref: str | None = None
    target_name: str | None = None
    text: str | None = None
    share: float | None = None  # ownership share in percent, when stated
    source_ref: str | None = None


@dataclass(slots=True)
class Party:
    """One record of one official list.

    ``id`` is stable across versions of the same list: ``<source>:<native id>``
    (``un_sc:KPi.033``, ``ofac_sdn_advanced:12345``, ``uk_ofsi_conlist:12345``).
    ``cross_refs`` are references this record gives to other authorities' records
    (``un:KPi.033`` on a UK row citing its UN Ref); they drive cross-list grouping.
    ``raw`` keeps every source field the model has no place for, as text.
    """

    id: str
    source: str
    schema: str
    names: list[Name] = field(default_factory=list)
    gender: str | None = None  # "male" | "female" | None
    birth_dates: list[DateValue] = field(default_factory=list)
    birth_places: list[Place] = field(default_factory=list)
    death_dates: list[DateValue] = field(default_factory=list)
    nationalities: list[str] = field(default_factory=list)  # ISO alpha-2 lower where known, else text
    citizenships: list[str] = field(default_factory=list)
    countries: list[str] = field(default_factory=list)  # other country links (residence, jurisdiction)
    titles: list[str] = field(default_factory=list)
    positions: list[str] = field(default_factory=list)
    identifiers: list[Identifier] = field(default_factory=list)
    addresses: list[Address] = field(default_factory=list)
    vessel: VesselInfo | None = None
    aircraft: AircraftInfo | None = None
    designations: list[Designation] = field(default_factory=list)
    relations: list[Relation] = field(default_factory=list)
    cross_refs: list[str] = field(default_factory=list)
    incorporation_dates: list[DateValue] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    raw: dict[str, str] = field(default_factory=dict)

    @property
    def primary_name(self) -> str:
        for name in self.names:
            if name.kind == "primary":
                return name.full
        return self.names[0].full if self.names else self.id

    @property
    def authority_refs(self) -> list[str]:
        """The party's own reference numbers written ``authority:ref`` (``un:KPi.033``)."""
        return [f"{d.authority}:{d.reference}" for d in self.designations if d.reference]

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict with empty values dropped (None, False, [] and {}; 0 and "" are kept).

        Stable, so its canonical JSON can be hashed. Walks the fields directly rather than
        through ``dataclasses.asdict``, whose deep copies dominated the cost of storing a list.
        """
        result: dict[str, Any] = _plain(self)
        return result

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Party:
        return _party_from_dict(data)


_T = TypeVar("_T")


_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


def _keep(value: Any) -> bool:
    return not (value is None or value is False or value == [] or value == {})


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, (bool, str, int, float)):
        return value
    if isinstance(value, list):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {key: plain for key, item in value.items() if _keep(plain := _plain(item))}
    names = _FIELD_NAMES.get(type(value))
    if names is None:
        names = _FIELD_NAMES[type(value)] = tuple(f.name for f in fields(value))
    return {name: plain for name in names if _keep(plain := _plain(getattr(value, name)))}


def _build(cls: type[_T], data: dict[str, Any]) -> _T:
    names = {f.name for f in fields(cls)}  # type: ignore[arg-type]
    return cls(**{k: v for k, v in data.items() if k in names})


def _party_from_dict(data: dict[str, Any]) -> Party:
    party = _build(Party, {k: v for k, v in data.items()})
    party.names = [_build(Name, n) for n in data.get("names", [])]
    party.birth_dates = [_build(DateValue, d) for d in data.get("birth_dates", [])]
    party.death_dates = [_build(DateValue, d) for d in data.get("death_dates", [])]
    party.incorporation_dates = [_build(DateValue, d) for d in data.get("incorporation_dates", [])]
    party.birth_places = [_build(Place, p) for p in data.get("birth_places", [])]
    party.identifiers = [_build(Identifier, i) for i in data.get("identifiers", [])]
    party.addresses = [_build(Address, a) for a in data.get("addresses", [])]
    party.designations = [_build(Designation, d) for d in data.get("designations", [])]
    party.relations = [_build(Relation, r) for r in data.get("relations", [])]
    if data.get("vessel") is not None:
        party.vessel = _build(VesselInfo, data["vessel"])
    if data.get("aircraft") is not None:
        party.aircraft = _build(AircraftInfo, data["aircraft"])
    for key in ("nationalities", "citizenships", "countries", "titles", "positions", "cross_refs", "notes"):
        setattr(party, key, list(data.get(key, [])))
    party.raw = dict(data.get("raw", {}))
    return party
