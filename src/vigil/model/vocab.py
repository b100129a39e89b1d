"""Closed vocabularies of the model. Parsers map messy source values onto these in data tables."""

from __future__ import annotations

from typing import Final

#: FollowTheMoney schema names a party can have.
SCHEMAS: Final = frozenset({"Person", "Organization", "Company", "LegalEntity", "Vessel", "Airplane"})

#: Issuing authorities. ``un`` Security Council, ``ofac`` US Treasury, ``uk`` OFSI/FCDO, ``eu`` the EU FSF.
AUTHORITIES: Final = ("un", "ofac", "uk", "eu")

#: primary name, also known as, formerly known as, now known as.
NAME_KINDS: Final = frozenset({"primary", "aka", "fka", "nka"})

#: Quality of an alias as graded by the authority (UN "Good"/"Low", OFAC strong/weak, UK "Good quality").
NAME_QUALITIES: Final = frozenset({"good", "low", "weak"})

#: exact date (any precision), circa, a range (start..end); ``text`` is for what could not be parsed.
DATE_KINDS: Final = frozenset({"exact", "circa", "range", "text"})

#: Identifier kinds. Each maps to a FollowTheMoney property in ``vigil.model.ftm``.
ID_KINDS: Final = frozenset(
    {
        "passport",
        "national_id",
        "tax_id",
        "registration",  # company registration number
        "imo",  # IMO ship number (7 digits, check digit)
        "imo_company",  # IMO company / registered owner number
        "mmsi",
        "call_sign",
        "bic",  # BIC / SWIFT code
        "lei",
        "email",
        "phone",
        "website",
        "crypto",  # digital currency address; ``Identifier.chain`` says which
        "aircraft_serial",
        "aircraft_tail",
        "other",
    }
)

#: Relation kinds between parties. ``text`` on the relation keeps the source wording.
RELATION_KINDS: Final = frozenset(
    {
        "linked_to",  # UN/UK/OFAC "Linked To", associate
        "owned_or_controlled_by",
        "owner_of",
        "acting_for",  # acting for or on behalf of
        "support",  # providing support to
        "leader_of",  # leader or official of
        "family",
        "associate",
        "vessel_owner",  # registered owner of a vessel
        "vessel_operator",  # operator / manager of a vessel
        "other",
    }
)
