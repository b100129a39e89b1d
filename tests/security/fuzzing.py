"""Hypothesis profiles and hostile-input strategies shared by the fuzz tests.

Profiles (registered here, applied per test with ``@settings(FUZZ)`` so they never change
the example counts of other test folders):

- ``vigil-fuzz-ci`` (default): a short run per parser, the whole fuzz suite in about a minute;
- ``vigil-fuzz-nightly`` (``VIGIL_FUZZ=nightly``): 10,000 generated cases per test.

``VIGIL_FUZZ_EXAMPLES=<n>`` overrides the count of either profile.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from xml.sax.saxutils import escape

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from vigil.errors import VigilError

NIGHTLY = os.environ.get("VIGIL_FUZZ", "").strip().lower() == "nightly"
NIGHTLY_EXAMPLES = 10_000
CI_EXAMPLES = 60

_override = os.environ.get("VIGIL_FUZZ_EXAMPLES")
_common = {
    "deadline": None,  # the machine is shared: time limits would only make the run flaky
    "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
    "derandomize": False,
    "print_blob": True,
}
settings.register_profile(
    "vigil-fuzz-ci",
    max_examples=int(_override or CI_EXAMPLES),
    **_common,  # type: ignore[arg-type]
)
settings.register_profile(
    "vigil-fuzz-nightly",
    max_examples=int(_override or NIGHTLY_EXAMPLES),
    **_common,  # type: ignore[arg-type]
)
PROFILE = "vigil-fuzz-nightly" if NIGHTLY else "vigil-fuzz-ci"
#: The settings every fuzz test runs under.
FUZZ = settings.get_profile(PROFILE)


def only_vigil_errors(call: Callable[[], object]) -> VigilError | None:
    """Run ``call``; a VigilError with a message is the one acceptable failure (returned).

    Any other exception propagates and fails the test (an unhandled crash on hostile input).
    """
    try:
        call()
    except VigilError as exc:
        message = str(exc)
        assert message.strip(), f"{type(exc).__name__} without a message"
        assert len(message) < 20_000, f"{type(exc).__name__} message of {len(message)} characters"
        return exc
    return None


# ---------------------------------------------------------------- strategies

#: Text a hostile file may hold: any code point (surrogates excluded, they cannot be encoded),
#: with the characters parsers care about made frequent.
NASTY = st.one_of(
    st.text(max_size=40),
    st.text(
        alphabet=st.sampled_from(list("<>&\"';,./-:()[]{}=+@\t\r\n\x00\x0b\ufeff\u200b 0123456789KPi김")),
        max_size=40,
    ),
    st.sampled_from(
        [
            "",
            " ",
            "-0-",
            "00/00/0000",
            "31/02/2020",
            "9999-99-99",
            "0000",
            "2020-13-45",
            "KPi.",
            "KPe.999999999999999999999",
            '=HYPERLINK("http://x")',
            "@SUM(A1)",
            "\ud7a3" * 5,
            "\U0010ffff",
            "1" * 400,
            "a.k.a. ",
            "DOB circa 19",
            "IMO 0000000",
            "Linked To: ",
        ]
    ),
)

_TEXT_NODE = re.compile(r">([^<>]+)<")
_ATTRIBUTE = re.compile(r'="([^"]*)"')


def _xml_safe(text: str) -> str:
    """Text escaped for XML; characters XML cannot hold are kept (the parser must refuse them)."""
    return escape(text, {'"': "&quot;"})


@st.composite
def xml_field_mutations(draw: st.DrawFn, seed: str) -> str:
    """``seed`` with some of its text nodes and attribute values replaced by hostile text."""
    offset = seed.find("?>") + 2 if seed.startswith("<?xml") else 0
    body = seed[offset:]
    spans = {m.span(1) for m in _TEXT_NODE.finditer(body) if m.group(1).strip()}
    spans |= {m.span(1) for m in _ATTRIBUTE.finditer(body)}
    chosen = draw(st.lists(st.sampled_from(sorted(spans)), min_size=1, max_size=6, unique=True))
    for start, end in sorted(chosen, reverse=True):
        body = body[:start] + _xml_safe(draw(NASTY)) + body[end:]
    return seed[:offset] + body


@st.composite
def byte_mutations(draw: st.DrawFn, seed: bytes) -> bytes:
    """``seed`` with random byte edits: flips, inserts, deletions, truncation, duplication."""
    data = bytearray(seed)
    for _ in range(draw(st.integers(1, 8))):
        kind = draw(st.sampled_from(["flip", "insert", "delete", "truncate", "duplicate", "splice"]))
        at = draw(st.integers(0, max(len(data) - 1, 0)))
        if kind == "flip" and data:
            data[at] = draw(st.integers(0, 255))
        elif kind == "insert":
            data[at:at] = draw(
                st.one_of(
                    st.binary(min_size=1, max_size=16),
                    st.sampled_from(
                        [
                            b"<",
                            b">",
                            b"</",
                            b"&",
                            b"&amp;",
                            b"&#0;",
                            b"&#xD800;",
                            b"]]>",
                            b"<!--",
                            b"\x00",
                            b'"',
                        ]
                    ),
                )
            )
        elif kind == "delete":
            del data[at : at + draw(st.integers(1, 64))]
        elif kind == "truncate":
            del data[at:]
        elif kind == "duplicate":
            length = draw(st.integers(1, 256))
            data[at:at] = data[at : at + length]
        elif kind == "splice":
            other = draw(st.integers(0, max(len(data) - 1, 0)))
            data[at : at + 8] = data[other : other + 8]
    return bytes(data)


@st.composite
def csv_cells(draw: st.DrawFn, rows: list[list[str]], quote: bool = True) -> str:
    """CSV text from ``rows`` with some cells replaced by hostile text (quoted or raw)."""
    out = [list(r) for r in rows]
    for _ in range(draw(st.integers(1, 6))):
        r = draw(st.integers(0, len(out) - 1))
        c = draw(st.integers(0, len(out[r]) - 1))
        out[r][c] = draw(NASTY)
    lines = []
    for row in out:
        if quote:
            lines.append(",".join('"' + cell.replace('"', '""') + '"' for cell in row))
        else:
            lines.append(",".join(row))
    return "\r\n".join(lines) + draw(st.sampled_from(["\r\n", "\n", "", "\r\n\x1a"]))
