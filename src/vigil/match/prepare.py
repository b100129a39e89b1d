"""Turning a name into a :class:`PreparedName`: transliteration, tokens, Korean syllable keys, acronyms.

Listed names are prepared once at index build; a query once per call. Everything here is pure
and cached on the name's text, since the same names recur across lists and customer files.
"""

from __future__ import annotations

from functools import lru_cache

from vigil.match.types import PreparedName
from vigil.names.korean import korean_keys, korean_token_keys
from vigil.names.normalize import fold_marks, tokens
from vigil.names.orgs import org_tokens
from vigil.names.scripts import dominant_script, to_latin

__all__ = ["ORG_SCHEMATA", "prepare_name", "schema_class"]

#: Schemata compared as organisations (legal forms stripped, Korea variants folded).
ORG_SCHEMATA = frozenset({"Organization", "Company", "LegalEntity", "PublicBody"})
_SHIP_SUFFIX = frozenset("호號号")
_CJK = frozenset({"Hang", "Hani", "Kana", "Hira", "Jpan", "Kore"})
#: Korean options kept per token: enough for the ambiguous romanizations, few enough to stay fast.
_OPTIONS_PER_TOKEN = 3
_OPTIONS_PER_NAME = 8


def schema_class(schema: str | None) -> str:
    """``person``, ``org``, ``vessel``, ``aircraft`` or ``any``."""
    if schema is None:
        return "any"
    if schema == "Person":
        return "person"
    if schema == "Vessel":
        return "vessel"
    if schema == "Airplane":
        return "aircraft"
    return "org"


def _korean_options(
    tokens_: tuple[str, ...], text: str, script: str
) -> tuple[tuple[tuple[str, ...], ...], ...]:
    if script in _CJK:
        # Word boundaries in Hangul/Han/kana names are unreliable: key the whole name at once.
        options = tuple(
            seq for seq in korean_keys(text)[:_OPTIONS_PER_NAME] if not any(s.startswith("=") for s in seq)
        )
        return (options,) if options else ()
    out = []
    for token in tokens_:
        readings = [
            seq for seq in korean_token_keys(token) if seq and not any(s.startswith("=") for s in seq)
        ]
        if readings:
            # A romanized name writes each syllable whole: of the readings, keep those with the
            # fewest syllables (Choe is 최, not 초+에; Seung is 승, not 스+응).
            fewest = min(len(seq) for seq in readings)
            readings = [seq for seq in readings if len(seq) == fewest]
        out.append(tuple(readings[:_OPTIONS_PER_TOKEN]))
    return tuple(out)


def _acronyms(core: tuple[str, ...], parenthetical: tuple[str, ...]) -> tuple[str, ...]:
    found: list[str] = []
    for text in parenthetical:
        for word in text.split():
            if 2 <= len(word) <= 10 and word.isalnum():
                found.append(word)
    if len(core) >= 2:
        found.append("".join(word[0] for word in core if word))
    return tuple(dict.fromkeys(found))


@lru_cache(maxsize=262_144)
def prepare_name(text: str, kind: str = "any") -> PreparedName:
    """Prepare ``text`` for comparison as a name of ``kind`` (see :func:`schema_class`).

    Never raises: a name with nothing usable yields empty tokens.
    """
    script = dominant_script(text) or "Zyyy"
    if kind == "vessel" and script in ("Hang", "Hani") and len(text) > 2 and text[-1] in _SHIP_SUFFIX:
        # Korean ship names carry 호/號 ("number"): 백마호 is the PAEK MA.
        text = text[:-1].rstrip()
    latin = to_latin(text) if script != "Latn" else text
    person_tokens = tuple(tokens(fold_marks(latin)))
    if kind in ("org", "any", "vessel", "aircraft") and kind != "person":
        org = org_tokens(text if script in _CJK else latin)
        core = tuple(t for word in org.core for t in word.split())
        legal = tuple(org.legal)
        parenthetical = tuple(org.parenthetical)
        if not core:
            core = person_tokens
    else:
        core, legal, parenthetical = person_tokens, (), ()
    if kind == "person" or kind == "any":
        korean = _korean_options(person_tokens, text, script)
    elif kind == "vessel":
        korean = _korean_options(core, text, script)
    else:
        korean = ()
    joined = "".join(person_tokens)
    return PreparedName(
        text=text,
        script=script,
        tokens=person_tokens,
        core=core,
        legal=legal,
        korean=korean,
        acronyms=_acronyms(core, parenthetical),
        joined=joined,
    )
