"""Evidence beside the name: dates of birth, country, gender and identifiers.

Each piece is a named feature with a signed contribution that the explanation shows. Dates of
birth are what separate namesakes (there are several KIM YONG CHOL), so a clear mismatch costs
more than a match earns.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from vigil.model import DateValue, Party
from vigil.names.countries import country_code
from vigil.names.identifiers import normalize_id, normalize_imo

__all__ = ["DOB_EXACT", "DOB_MISMATCH", "PartyEvidence", "dob_feature", "identifier_keys", "party_evidence"]

DOB_EXACT = 0.08
DOB_YEAR = 0.02
DOB_MISMATCH = -0.30
COUNTRY_MATCH = 0.02
COUNTRY_MISMATCH = -0.03
GENDER_MISMATCH = -0.10


@dataclass(slots=True)
class PartyEvidence:
    """What the scorer needs of a party besides its names: years and dates of birth, countries, gender."""

    dates: list[tuple[str, int, int]] = field(default_factory=list)  # (iso prefix, first year, last year)
    countries: frozenset[str] = frozenset()
    gender: str | None = None


def _year(text: str | None) -> int | None:
    if text is None or len(text) < 4 or not text[:4].isdigit():
        return None
    return int(text[:4])


def _date_span(value: DateValue) -> tuple[str, int, int] | None:
    first = _year(value.start)
    if first is None:
        return None
    last = _year(value.end) or first
    if value.kind == "circa":
        return (value.start or "", first - 2, last + 2)
    return (value.start or "" if value.kind == "exact" else str(first), first, last)


def party_evidence(party: Party) -> PartyEvidence:
    dates = [span for span in (_date_span(d) for d in party.birth_dates) if span is not None]
    countries: set[str] = set()
    for code in (*party.nationalities, *party.citizenships, *party.countries):
        if len(code) == 2:
            countries.add(code.lower())
        else:
            found = country_code(code)
            if found is not None:
                countries.add(found)
    for address in party.addresses:
        if address.country is not None:
            countries.add(address.country.lower())
    if party.vessel is not None and party.vessel.flag is not None and len(party.vessel.flag) == 2:
        countries.add(party.vessel.flag.lower())
    return PartyEvidence(dates=dates, countries=frozenset(countries), gender=party.gender)


def dob_feature(query_dob: str | None, evidence: PartyEvidence) -> tuple[str, float] | None:
    """The date-of-birth feature: ("dob exact" +0.08), ("dob year" +0.02), ("dob mismatch" -0.30) or None."""
    year = _year(query_dob)
    if year is None or not evidence.dates or query_dob is None:
        return None
    best: tuple[str, float] | None = None
    for iso, first, last in evidence.dates:
        if len(query_dob) >= 10 and len(iso) >= 10 and query_dob[:10] == iso[:10]:
            return ("dob exact", DOB_EXACT)
        if first <= year <= last:
            if len(query_dob) >= 10 and len(iso) >= 10:
                # Same year, different day: some authorities differ by a day for one person.
                best = ("dob same year", 0.0) if best is None or best[1] < 0 else best
            else:
                best = ("dob year", DOB_YEAR)
        elif first - 1 <= year <= last + 1:
            best = best or ("dob within a year", 0.0)
    return best or ("dob mismatch", DOB_MISMATCH)


def country_feature(query_country: str | None, evidence: PartyEvidence) -> tuple[str, float] | None:
    if query_country is None or not evidence.countries:
        return None
    code = query_country.lower() if len(query_country) == 2 else country_code(query_country)
    if code is None:
        return None
    if code in evidence.countries:
        return ("country match", COUNTRY_MATCH)
    return ("country mismatch", COUNTRY_MISMATCH)


def gender_feature(query_gender: str | None, evidence: PartyEvidence) -> tuple[str, float] | None:
    if query_gender is None or evidence.gender is None:
        return None
    if query_gender.strip().lower()[:1] != evidence.gender.strip().lower()[:1]:
        return ("gender mismatch", GENDER_MISMATCH)
    return None


def identifier_keys(value: str) -> list[str]:
    """Lookup keys of an identifier value: the compact form, and ``imo:<digits>`` for a valid IMO number."""
    keys = []
    compact = normalize_id(value)
    if compact is not None:
        keys.append(compact)
    imo = normalize_imo(value)
    if imo is not None:
        keys.append(f"imo:{imo}")
    return keys
