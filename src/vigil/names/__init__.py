"""Pure name and value normalization: no I/O, never raises on bad data."""

from vigil.names.identifiers import (
    mmsi_country,
    normalize_bic,
    normalize_id,
    normalize_imo,
    normalize_lei,
    normalize_mmsi,
    normalize_passport,
)
from vigil.names.katakana import katakana_to_english, katakana_to_hangul
from vigil.names.korean import (
    hangul_to_romanizations,
    hanja_to_hangul,
    korean_key,
    korean_keys,
    korean_token_keys,
    romanize,
    romanize_name,
    segment_latin,
    syllable_key,
)
from vigil.names.normalize import fold_marks, normalize, tokens
from vigil.names.orgs import OrgTokens, org_tokens
from vigil.names.scripts import char_script, dominant_script, to_latin

__all__ = [
    "OrgTokens",
    "char_script",
    "dominant_script",
    "fold_marks",
    "hangul_to_romanizations",
    "hanja_to_hangul",
    "katakana_to_english",
    "katakana_to_hangul",
    "korean_key",
    "korean_keys",
    "korean_token_keys",
    "mmsi_country",
    "normalize",
    "normalize_bic",
    "normalize_id",
    "normalize_imo",
    "normalize_lei",
    "normalize_mmsi",
    "normalize_passport",
    "org_tokens",
    "romanize",
    "romanize_name",
    "segment_latin",
    "syllable_key",
    "to_latin",
    "tokens",
]
