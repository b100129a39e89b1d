"""Which fields of a party changed between two versions of a list. Pure, no I/O."""

from __future__ import annotations

from dataclasses import fields
from typing import Any

from vigil.model.party import Party

__all__ = ["diff_parties"]

# Party field order, so paths come out in the order an examiner reads a record.
_FIELD_ORDER = {f.name: i for i, f in enumerate(fields(Party))}


def diff_parties(before: Party, after: Party) -> list[str]:
    """The paths of the fields that differ between two versions of one party.

    Fields are compared in their ``to_dict()`` form, so a value that is empty on one
    side and absent on the other is no change. Paths are:

    - ``"birth_dates"``: a top-level field as a whole;
    - ``"designations[0].listed_on"``: one key of one element of a list of records,
      when both sides have the same number of elements (then elements are compared
      position by position); when the count differs the whole field is reported,
      because an insertion would otherwise shift every later index into a change;
    - ``"vessel.imo"``: one key of a nested record (``vessel``, ``aircraft``, ``raw``).

    The result is empty exactly when both parties serialise the same, and it is ordered
    by the position of the field in :class:`Party`.
    """
    old = before.to_dict()
    new = after.to_dict()
    paths: list[str] = []
    keys = sorted(set(old) | set(new), key=lambda k: (_FIELD_ORDER.get(k, len(_FIELD_ORDER)), k))
    for key in keys:
        a, b = old.get(key), new.get(key)
        if a == b:
            continue
        if isinstance(a, dict) and isinstance(b, dict):
            paths.extend(f"{key}.{sub}" for sub in _changed_keys(a, b))
        elif (
            isinstance(a, list)
            and isinstance(b, list)
            and len(a) == len(b)
            and all(isinstance(x, dict) for x in a + b)
        ):
            for index, (x, y) in enumerate(zip(a, b, strict=True)):
                paths.extend(f"{key}[{index}].{sub}" for sub in _changed_keys(x, y))
        else:
            paths.append(key)
    return paths


def _changed_keys(a: dict[str, Any], b: dict[str, Any]) -> list[str]:
    # Keys in first-seen order: dataclass field order for model records, source order for raw.
    ordered = list(dict.fromkeys([*a, *b]))
    return [k for k in ordered if a.get(k) != b.get(k)]
