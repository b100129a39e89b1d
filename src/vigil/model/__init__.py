"""The entity model shared by every list: plain slotted classes, no I/O.

A :class:`Party` is one record of one official list (a person, an organisation, a
vessel, an aircraft). Every value keeps enough of its source to be shown to an
examiner; what the model has no field for is kept as raw text in ``Party.raw``.
"""

from vigil.model.party import (
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
from vigil.model.vocab import (
    AUTHORITIES,
    DATE_KINDS,
    ID_KINDS,
    NAME_KINDS,
    NAME_QUALITIES,
    RELATION_KINDS,
    SCHEMAS,
)

__all__ = [
    "AUTHORITIES",
    "DATE_KINDS",
    "ID_KINDS",
    "NAME_KINDS",
    "NAME_QUALITIES",
    "RELATION_KINDS",
    "SCHEMAS",
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
