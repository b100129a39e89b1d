"""Identifiers: IMO ship numbers, MMSI, BIC/SWIFT, LEI, passport and national id numbers.

Each ``normalize_*`` returns the canonical form or None for anything invalid; none of them raises.

>>> normalize_imo("IMO 8712362")
'8712362'
>>> mmsi_country("445123456")
'kp'
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from vigil.names._data import load_table

__all__ = [
    "imo_check_digit_ok",
    "mmsi_country",
    "normalize_bic",
    "normalize_id",
    "normalize_imo",
    "normalize_lei",
    "normalize_mmsi",
    "normalize_passport",
]

_IMO = re.compile(r"^(?:IMO)?(\d{7})$")
_ALNUM = re.compile(r"[^0-9A-Z]")


def _compact(text: object) -> str | None:
    if not isinstance(text, str):
        return None
    value = unicodedata.normalize("NFKC", text).upper()
    value = _ALNUM.sub("", value)
    return value or None


def imo_check_digit_ok(digits: str) -> bool:
    """True if seven digits carry a valid IMO check digit (Σ d_i × (7..2) mod 10 = last digit)."""
    if len(digits) != 7 or not digits.isdigit() or not digits.isascii():
        return False
    total = sum(int(d) * w for d, w in zip(digits[:6], range(7, 1, -1), strict=True))
    return total % 10 == int(digits[6])


def normalize_imo(text: str | None) -> str | None:
    """The seven digits of a valid IMO ship number (``IMO 8712362`` -> ``8712362``), else None."""
    value = _compact(text)
    if value is None:
        return None
    match = _IMO.match(value)
    if match is None:
        return None
    digits = match.group(1)
    if digits == "0000000" or not imo_check_digit_ok(digits):
        return None
    return digits


@lru_cache(maxsize=1)
def _mids() -> dict[str, str]:
    return {mid: country for mid, country in load_table("mmsi_mid.csv")}


def normalize_mmsi(text: str | None) -> str | None:
    """Nine MMSI digits (spaces and punctuation removed), None unless exactly nine digits, not all zero."""
    value = _compact(text)
    if value is None:
        return None
    if value.startswith("MMSI"):
        value = value[4:]
    if len(value) != 9 or not value.isdigit() or not value.isascii() or value == "000000000":
        return None
    return value


def mmsi_country(text: str | None) -> str | None:
    """Flag state (ISO alpha-2, lower case) of a ship-station MMSI from its MID, e.g. 445 -> ``kp``.

    Also reads the MID of coast stations (00MID...), groups (0MID...), SAR aircraft (111MID...),
    and craft associated with a parent ship (98MID...) / aids to navigation (99MID...).
    """
    value = normalize_mmsi(text)
    if value is None:
        return None
    if value.startswith("111"):
        mid = value[3:6]
    elif value.startswith(("98", "99", "00")):
        mid = value[2:5]
    elif value.startswith("0"):
        mid = value[1:4]
    else:
        mid = value[:3]
    return _mids().get(mid)


@lru_cache(maxsize=1)
def _country_codes() -> frozenset[str]:
    codes = {c.upper() for c in _mids().values()}
    try:
        from rigour.territories import get_territories

        for territory in get_territories():
            code = str(territory.code)
            if len(code) == 2:
                codes.add(code.upper())
    except Exception:  # pragma: no cover - rigour API drift
        pass
    codes.update({"XK", "KP", "KR"})
    codes.difference_update({"ZZ", "XX", "AA", "QM", "QZ"})
    return frozenset(codes)


_BIC = re.compile(r"^[A-Z]{4}([A-Z]{2})[A-Z0-9]{2}([A-Z0-9]{3})?$")


def normalize_bic(text: str | None) -> str | None:
    """An 8- or 11-character BIC/SWIFT code in upper case with a valid country code, else None."""
    value = _compact(text)
    if value is None:
        return None
    match = _BIC.match(value)
    if match is None or match.group(1) not in _country_codes():
        return None
    return value


_LEI = re.compile(r"^[0-9A-Z]{18}[0-9]{2}$")


def normalize_lei(text: str | None) -> str | None:
    """A 20-character Legal Entity Identifier passing the ISO 17442 (ISO 7064 mod 97-10) check, else None."""
    value = _compact(text)
    if value is None or _LEI.match(value) is None:
        return None
    number = "".join(str(int(ch, 36)) for ch in value)
    if int(number) % 97 != 1:
        return None
    return value


def normalize_id(text: str | None) -> str | None:
    """A generic identity-document number: NFKC, upper case, only letters and digits kept; None if empty."""
    value = _compact(text)
    if value is None or not any(ch.isdigit() for ch in value):
        return None
    return value


def normalize_passport(text: str | None) -> str | None:
    """A passport number for comparison (``PS 472330208`` -> ``PS472330208``); needs a digit, 5–20 chars."""
    value = normalize_id(text)
    if value is None or not 5 <= len(value) <= 20:
        return None
    return value
