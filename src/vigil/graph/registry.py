"""User-supplied company data (a corporate registry extract, a case file) as network parties.

Two formats are read:

**A statements table** (``.csv``, ``.xlsx`` or ``.parquet``), one fact per row, columns:

============  ==========================================================================
column        meaning
============  ==========================================================================
entity_id     required: the file's own id of the company or person the fact is about
entity_name   the entity's name (needed on at least one row of each entity)
schema        ``Company`` (default), ``Person``, ``Organization``, ``Vessel``
attribute     required: ``name`` (an alias), ``address``, ``phone``, ``email``,
              ``website``, ``passport``, ``imo_company``, ``registration``, ``country``,
              ``shareholder``, ``director``, ``officer``, ``linked_to``
value         required: the value; for ``shareholder``/``director``/``officer``/``linked_to``
              the other party's name
share         for ``shareholder``: the percentage held (``30``, ``30 %``, ``0.3`` is *not*
              read as 30 %)
target_id     optional, for the links: the other party's ``entity_id`` in this file, or a
              party id of a loaded list (``ofac_sdn_advanced:17068``) or a mission
              (``dprk_mission:cambodia-phnom-penh``)
source        optional: where the fact comes from (kept as the edge's evidence)
============  ==========================================================================

**FollowTheMoney JSON lines** (``.jsonl``/``.ftm.json``): entities of schema Person,
Company, Organization, LegalEntity, Vessel with properties ``name``, ``alias``, ``address``,
``phone``, ``email``, ``website``, ``imoNumber``, ``passportNumber``, ``registrationNumber``,
``country``; links ``Ownership`` (``owner``, ``asset``, ``percentage``), ``Directorship``
(``director``, ``organization``, ``role``), ``UnknownLink``/``Associate`` (``subject``,
``object``, ``role``).

Each entity becomes a :class:`~vigil.model.party.Party` of source ``registry:<name>`` with id
``registry:<name>:<entity_id>``, never designated. A shareholder ``S`` of company ``C`` is a
relation ``owned_or_controlled_by`` from ``C`` to ``S`` with the share; a director or officer
``P`` of ``C`` is a party ``P`` (a person) holding ``director_of``/``officer_of`` to ``C``. A
link given by name only is resolved when the graph is built (to a listed party of that exact
normalized name, else to a name node shared by every mention of that name).

Limits (hostile input is expected): :data:`MAX_BYTES` per file, :data:`MAX_ROWS` rows,
:data:`MAX_FIELD` characters per value; XLSX zip containers are vetted before expansion.
Every error names the file, the row and the column.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from vigil.errors import InputError, ListFormatError
from vigil.model.party import Address, Identifier, Name, Party, Relation
from vigil.names.normalize import normalize_text

__all__ = [
    "ATTRIBUTES",
    "MAX_BYTES",
    "MAX_ROWS",
    "load_stored_registries",
    "read_registry",
    "registry_dir",
    "store_registry",
]

MAX_BYTES = 512 * 1024 * 1024
MAX_ROWS = 5_000_000
MAX_FIELD = 2_000
IDENTIFIERS = {
    "phone": "phone",
    "email": "email",
    "website": "website",
    "passport": "passport",
    "imo_company": "imo_company",
    "registration": "registration",
}
LINKS = {"shareholder", "director", "officer", "linked_to"}
ATTRIBUTES = frozenset({"name", "address", "country", *IDENTIFIERS, *LINKS})
SCHEMATA = {"company": "Company", "person": "Person", "organization": "Organization", "vessel": "Vessel"}
SCHEMATA["legalentity"] = "LegalEntity"
_NAME_RE = re.compile(r"[^a-z0-9_-]+")


def _registry_name(path: Path, name: str | None) -> str:
    raw = name or path.name.split(".")[0]
    slug = _NAME_RE.sub("-", raw.casefold()).strip("-")
    if not slug:
        raise InputError(f"{path}: cannot make a registry name from {raw!r}; pass a name")
    return slug[:60]


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


Rows = Iterator[tuple[int, dict[str, str]]]


def _rows_csv(path: Path) -> Rows:
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.reader(handle)
            header = [h.strip().casefold() for h in next(reader, [])]
            for number, values in enumerate(reader, start=2):
                yield number, dict(zip(header, (v.strip() for v in values), strict=False))
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from exc
    except csv.Error as exc:
        raise InputError(f"{path}: malformed CSV: {exc}") from exc


def _rows_xlsx(path: Path) -> Rows:
    from vigil.sources.safe_io import check_zip_archive

    try:
        check_zip_archive(path, max_bytes=MAX_BYTES)
    except ListFormatError as exc:
        raise InputError(str(exc)) from exc
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many unrelated types on a broken package
        raise InputError(f"{path}: not a readable XLSX workbook: {exc}") from exc
    try:
        sheet = workbook.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        header = [_cell(h).casefold() for h in next(rows, ())]
        for number, values in enumerate(rows, start=2):
            yield number, dict(zip(header, (_cell(v) for v in values), strict=False))
    except InputError:
        raise
    except Exception as exc:  # malformed sheet XML surfaces from inside openpyxl
        raise InputError(f"{path}: unreadable sheet data: {exc}") from exc
    finally:
        workbook.close()


def _rows_parquet(path: Path) -> Rows:
    import pyarrow.parquet as pq

    try:
        parquet = pq.ParquetFile(path)
        header = [str(n).strip().casefold() for n in parquet.schema_arrow.names]
        number = 1
        for batch in parquet.iter_batches(batch_size=50_000):
            for record in batch.to_pylist():
                number += 1
                yield (
                    number,
                    {h: _cell(record.get(name)) for h, name in zip(header, batch.schema.names, strict=True)},
                )
    except InputError:
        raise
    except Exception as exc:  # pyarrow raises its own error types on a broken file
        raise InputError(f"{path}: not a readable Parquet file: {exc}") from exc


def _share(path: Path, number: int, text: str) -> float | None:
    if not text:
        return None
    try:
        value = float(text.rstrip("%").strip().replace(",", "."))
    except ValueError:
        raise InputError(f"{path}: row {number}, column 'share': {text!r} is not a percentage") from None
    if not 0.0 < value <= 100.0:
        raise InputError(f"{path}: row {number}, column 'share': {text!r} is not above 0 and at most 100")
    return value


class _Builder:
    def __init__(self, path: Path, source: str) -> None:
        self.path = path
        self.source = source
        self.parties: dict[str, Party] = {}
        self.names: dict[str, str] = {}

    def pid(self, entity_id: str) -> str:
        return f"{self.source}:{entity_id}"

    def party(self, entity_id: str, schema: str = "Company") -> Party:
        pid = self.pid(entity_id)
        if pid not in self.parties:
            self.parties[pid] = Party(id=pid, source=self.source, schema=schema)
        return self.parties[pid]

    def person(self, name: str) -> Party:
        key = normalize_text(name) or name
        entity_id = "person:" + re.sub(r"\s+", "-", key)
        party = self.party(entity_id, "Person")
        if not party.names:
            party.names.append(Name(name))
        return party

    def target(self, target_id: str) -> str:
        """A target id: an entity of this file, else taken as a party id of a list."""
        return (
            self.pid(target_id) if self.pid(target_id) in self.parties or ":" not in target_id else target_id
        )

    def finish(self) -> list[Party]:
        for party in self.parties.values():
            if not party.names:
                where = self.names.get(party.id, party.id)
                raise InputError(f"{self.path}: entity {where}: no name given (column 'entity_name')")
            for relation in party.relations:
                if (
                    relation.target is not None
                    and relation.target not in self.parties
                    and self.pid(relation.target) in self.parties
                ):
                    relation.target = self.pid(relation.target)
                if relation.target is not None and relation.target.startswith(f"{self.source}:"):
                    entity_id = relation.target[len(self.source) + 1 :]
                    if relation.target not in self.parties:
                        raise InputError(
                            f"{self.path}: entity {party.id}: target_id {entity_id!r} "
                            "is not an entity of this file"
                        )
        return list(self.parties.values())


def _read_table(path: Path, source: str, rows: Rows) -> list[Party]:
    builder = _Builder(path, source)
    required = ("entity_id", "attribute", "value")
    count = 0
    for number, row in rows:
        count += 1
        if count > MAX_ROWS:
            raise InputError(f"{path}: more than {MAX_ROWS:,} rows")
        if count == 1:
            missing = [c for c in required if c not in row]
            if missing:
                raise InputError(
                    f"{path}: missing column(s) {', '.join(missing)} "
                    f"(columns found: {', '.join(row) or 'none'})"
                )
        if not any(row.values()):
            continue
        for column, text in row.items():
            if len(text) > MAX_FIELD:
                raise InputError(
                    f"{path}: row {number}, column {column!r}: longer than {MAX_FIELD} characters"
                )
        entity_id, attribute, value = row["entity_id"], row["attribute"].casefold(), row["value"]
        if not entity_id:
            raise InputError(f"{path}: row {number}, column 'entity_id': empty")
        if attribute not in ATTRIBUTES:
            raise InputError(
                f"{path}: row {number}, column 'attribute': unknown {row['attribute']!r} "
                f"(known: {', '.join(sorted(ATTRIBUTES))})"
            )
        schema_text = (row.get("schema") or "").casefold().replace(" ", "")
        if schema_text and schema_text not in SCHEMATA:
            raise InputError(
                f"{path}: row {number}, column 'schema': unknown {row['schema']!r} "
                f"(known: {', '.join(sorted(SCHEMATA.values()))})"
            )
        party = builder.party(entity_id, SCHEMATA.get(schema_text, "Company"))
        if schema_text:
            party.schema = SCHEMATA[schema_text]
        builder.names.setdefault(party.id, f"{entity_id!r} (row {number})")
        name = row.get("entity_name") or ""
        if name and not any(n.full == name for n in party.names):
            party.names.append(Name(name, kind="primary" if not party.names else "alias"))
        target_id = row.get("target_id") or ""
        if not value and not (attribute in LINKS and target_id):
            raise InputError(f"{path}: row {number}, column 'value': empty")
        evidence = row.get("source") or f"{path.name} row {number}"
        _apply(
            builder,
            party,
            attribute,
            value,
            target_id,
            _share(path, number, row.get("share") or ""),
            evidence,
        )
    if count == 0:
        raise InputError(f"{path}: no rows")
    return builder.finish()


def _apply(
    builder: _Builder,
    party: Party,
    attribute: str,
    value: str,
    target_id: str,
    share: float | None,
    evidence: str,
) -> None:
    if attribute == "name":
        party.names.append(Name(value, kind="alias" if party.names else "primary"))
    elif attribute == "address":
        party.addresses.append(Address(full=value))
    elif attribute == "country":
        party.countries.append(value)
    elif attribute in IDENTIFIERS:
        party.identifiers.append(Identifier(IDENTIFIERS[attribute], value, note=evidence))
    elif attribute == "shareholder":
        text = f"shareholder {value or target_id}" + (f" ({share:g} %)" if share is not None else "")
        party.relations.append(
            Relation(
                "owned_or_controlled_by",
                target=builder.target(target_id) if target_id else None,
                target_name=None if target_id else value,
                text=f"{text}; {evidence}",
                share=share,
            )
        )
    elif attribute in ("director", "officer"):
        kind = f"{attribute}_of"
        text = f"{attribute} of {party.primary_name if party.names else party.id}; {evidence}"
        if target_id and builder.target(target_id) != builder.pid(target_id):
            # a listed party as officer: the link is held by the company
            party.relations.append(Relation(kind, target=target_id, text=f"{attribute}: {value}; {evidence}"))
            return
        person = builder.party(target_id, "Person") if target_id else builder.person(value)
        if value and not person.names:
            person.names.append(Name(value))
        person.relations.append(Relation(kind, target=party.id, text=text))
    elif attribute == "linked_to":
        party.relations.append(
            Relation(
                "linked_to",
                target=builder.target(target_id) if target_id else None,
                target_name=None if target_id else value,
                text=f"linked to {value or target_id}; {evidence}",
            )
        )


_FTM_MAIN = {"Person", "Company", "Organization", "LegalEntity", "Vessel", "PublicBody"}
_FTM_IDS = {
    "phone": "phone",
    "email": "email",
    "website": "website",
    "imoNumber": "imo_company",
    "passportNumber": "passport",
    "registrationNumber": "registration",
}


def _read_ftm(path: Path, source: str) -> list[Party]:
    builder = _Builder(path, source)
    links: list[tuple[int, dict[str, Any]]] = []
    try:
        with path.open(encoding="utf-8") as handle:
            for number, line in enumerate(handle, start=1):
                if number > MAX_ROWS:
                    raise InputError(f"{path}: more than {MAX_ROWS:,} lines")
                if not line.strip():
                    continue
                if len(line) > 1_000_000:
                    raise InputError(f"{path}: line {number}: longer than 1,000,000 characters")
                try:
                    data = json.loads(line)
                except json.JSONDecodeError as exc:
                    raise InputError(f"{path}: line {number}: not JSON: {exc.msg}") from None
                if (
                    not isinstance(data, dict)
                    or not isinstance(data.get("schema"), str)
                    or not data.get("id")
                ):
                    raise InputError(
                        f"{path}: line {number}: not a FollowTheMoney entity (needs id and schema)"
                    )
                props = data.get("properties") or {}
                if not isinstance(props, dict) or not all(isinstance(v, list) for v in props.values()):
                    raise InputError(f"{path}: line {number}: 'properties' must map names to lists")
                if data["schema"] in _FTM_MAIN:
                    _ftm_entity(builder, str(data["id"]), data["schema"], props, number)
                else:
                    links.append((number, data))
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not UTF-8 text ({exc.reason})") from exc
    for number, data in links:
        _ftm_link(builder, data, number)
    return builder.finish()


def _values(props: dict[str, Any], key: str) -> list[str]:
    return [str(v).strip()[:MAX_FIELD] for v in props.get(key, []) if str(v).strip()]


def _ftm_entity(builder: _Builder, entity_id: str, schema: str, props: dict[str, Any], number: int) -> None:
    party = builder.party(entity_id, "Organization" if schema == "PublicBody" else schema)
    party.schema = "Organization" if schema == "PublicBody" else schema
    builder.names.setdefault(party.id, f"{entity_id!r} (line {number})")
    for i, name in enumerate(_values(props, "name")):
        party.names.append(Name(name, kind="primary" if i == 0 and not party.names else "alias"))
    party.names.extend(Name(a, kind="alias") for a in _values(props, "alias"))
    party.addresses.extend(Address(full=a) for a in _values(props, "address"))
    party.countries.extend(_values(props, "country"))
    for prop, kind in _FTM_IDS.items():
        party.identifiers.extend(Identifier(kind, v, note=f"line {number}") for v in _values(props, prop))


def _ftm_link(builder: _Builder, data: dict[str, Any], number: int) -> None:
    schema, props = data["schema"], data.get("properties") or {}
    roles = {
        "Ownership": ("asset", "owner", "owned_or_controlled_by"),
        "Directorship": ("director", "organization", "director_of"),
        "UnknownLink": ("subject", "object", "linked_to"),
        "Associate": ("person", "associate", "linked_to"),
    }
    if schema not in roles:
        return  # other schemata (Sanction, Address ...) add nothing to the network
    holder_prop, target_prop, kind = roles[schema]
    holders, targets = _values(props, holder_prop), _values(props, target_prop)
    if not holders or not targets:
        raise InputError(f"{builder.path}: line {number}: {schema} needs {holder_prop} and {target_prop}")
    share = None
    percentages = _values(props, "percentage")
    if percentages:
        share = _share(builder.path, number, percentages[0])
    role = (_values(props, "role") or [schema])[0]
    for holder in holders:
        if builder.pid(holder) not in builder.parties:
            raise InputError(
                f"{builder.path}: line {number}: {holder_prop} {holder!r} is not an entity of this file"
            )
        party = builder.parties[builder.pid(holder)]
        for target in targets:
            text = f"{role}" + (f" ({share:g} %)" if share is not None else "") + f"; line {number}"
            party.relations.append(Relation(kind, target=builder.target(target), text=text, share=share))


def read_registry(path: Path, name: str | None = None) -> list[Party]:
    """The parties of a registry file (formats in the module docstring), of source
    ``registry:<name>`` (``name`` defaults to the file name without extensions).

    :class:`InputError` naming the file, row and column on anything unusable.
    """
    if not path.is_file():
        raise InputError(f"{path}: no such file")
    if path.stat().st_size > MAX_BYTES:
        raise InputError(f"{path}: larger than {MAX_BYTES:,} bytes")
    source = f"registry:{_registry_name(path, name)}"
    suffix = (
        "".join(path.suffixes[-2:]).casefold()
        if path.suffix.casefold() == ".json"
        else path.suffix.casefold()
    )
    if suffix in (".jsonl", ".ftm.json", ".ndjson"):
        return _read_ftm(path, source)
    readers = {".csv": _rows_csv, ".xlsx": _rows_xlsx, ".parquet": _rows_parquet}
    if suffix not in readers:
        raise InputError(f"{path}: unknown format {path.suffix!r} (use .csv, .xlsx, .parquet or .jsonl)")
    return _read_table(path, source, readers[suffix](path))


def registry_dir(home: Path) -> Path:
    """Where loaded registries are kept: ``$VIGIL_HOME/graph/registries``."""
    return home / "graph" / "registries"


def store_registry(home: Path, parties: list[Party]) -> Path:
    """Keep ``parties`` (one registry) under :func:`registry_dir`, replacing an earlier load
    of the same name; returns the file written."""
    if not parties:
        raise InputError("the registry has no entities")
    source = parties[0].source
    folder = registry_dir(home)
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{source.split(':', 1)[1]}.jsonl"
    temporary = target.with_suffix(".tmp")
    with temporary.open("w", encoding="utf-8") as handle:
        for party in parties:
            handle.write(json.dumps(party.to_dict(), ensure_ascii=False) + "\n")
    temporary.replace(target)
    return target


def load_stored_registries(home: Path) -> list[Party]:
    """Every registry kept under :func:`registry_dir` (none when the folder does not exist)."""
    folder = registry_dir(home)
    parties: list[Party] = []
    if folder.is_dir():
        for file in sorted(folder.glob("*.jsonl")):
            with file.open(encoding="utf-8") as handle:
                parties.extend(Party.from_dict(json.loads(line)) for line in handle if line.strip())
    return parties
