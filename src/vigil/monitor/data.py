"""The monitor's data sets: bundled curated files plus the user's own rows, validated and merged.

Each data set is one CSV file of ``vigil/data/implementation/`` (see its ``SOURCES.md``). A user
adds or corrects rows with a CSV file of the same columns (``vigil monitor add FILE``); every user
row must name its ``sources`` and its ``confidence`` (``high``, ``medium`` or ``low``, optionally
followed by what it qualifies: ``high (date); medium (yield)``). Dates, ISO country codes and the
closed vocabularies are checked; the first error names the file, the line and the column, and a
file with any error changes nothing. Accepted rows are kept in ``$VIGIL_HOME/monitor/<file>``
(written atomically) and replace the bundled row with the same key, or are added to them.
"""

from __future__ import annotations

import csv
import io
import os
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from importlib import resources
from pathlib import Path

from vigil.errors import InputError

__all__ = [
    "ASEAN",
    "DATASETS",
    "MAX_USER_BYTES",
    "AddResult",
    "Dataset",
    "MonitorData",
    "Record",
    "add_user_file",
    "country_iso3",
    "country_name",
    "load_data",
    "parse_date",
    "user_dir",
]

#: The largest user file accepted, in bytes.
MAX_USER_BYTES = 5 * 1000 * 1000
#: The most rows one user file may hold.
MAX_USER_ROWS = 20_000
#: The longest value one cell may hold, in characters.
MAX_CELL_CHARS = 4000

#: ASEAN members, ISO 3166-1 alpha-3, in the order of their English names. Timor-Leste joined
#: on 2025-10-26; the bundled data predates it, so every cell of it is unknown until filled.
ASEAN: tuple[str, ...] = ("BRN", "KHM", "IDN", "LAO", "MYS", "MMR", "PHL", "SGP", "THA", "TLS", "VNM")

_CONFIDENCE = re.compile(r"^(high|medium|low|low-medium|medium-high)\b", re.IGNORECASE)
_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
_DATE_IN_TEXT = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

# Names the territory tables do not know, as the curated files write them.
_COUNTRY_ALIASES = {
    "lao pdr": "LAO",
    "laos": "LAO",
    "lao people's democratic republic": "LAO",
    "viet nam": "VNM",
    "burma": "MMR",
    "dprk": "PRK",
    "north korea": "PRK",
    "south korea": "KOR",
    "republic of korea": "KOR",
    "russia": "RUS",
    "syria": "SYR",
    "iran": "IRN",
    "palestine": "PSE",
}
_NAMES = {
    "BRN": "Brunei Darussalam",
    "KHM": "Cambodia",
    "IDN": "Indonesia",
    "LAO": "Lao PDR",
    "MYS": "Malaysia",
    "MMR": "Myanmar",
    "PHL": "Philippines",
    "SGP": "Singapore",
    "THA": "Thailand",
    "TLS": "Timor-Leste",
    "VNM": "Viet Nam",
}


@lru_cache(maxsize=4096)
def country_iso3(text: str | None) -> str | None:
    """The ISO 3166-1 alpha-3 code (upper case) of a country name or code, or None if unknown.

    >>> country_iso3("Lao PDR"), country_iso3("khm"), country_iso3("Atlantis")
    ('LAO', 'KHM', None)
    """
    if text is None:
        return None
    value = text.strip()
    if not value:
        return None
    folded = value.casefold()
    found = _COUNTRY_ALIASES.get(folded) or _territory_names().get(folded)
    if found is not None:
        return found
    if "(" in value:  # "China (Hong Kong)": the state named first
        return country_iso3(value.split("(", 1)[0])
    from rigour.territories import lookup_territory  # fuzzy and slow to load: the last resort

    territory = lookup_territory(value)
    if territory is None or not territory.alpha3:
        return None
    return str(territory.alpha3).upper()


@lru_cache(maxsize=1)
def _territory_names() -> dict[str, str]:
    """Codes and names (folded) of every territory with an alpha-3 code -> that code."""
    from rigour.territories.territory import get_index

    names: dict[str, str] = {}
    for territory in get_index().values():
        if not territory.alpha3:
            continue
        alpha3 = str(territory.alpha3).upper()
        for text in (territory.alpha3, territory.code, territory.name, territory.full_name):
            if text:
                names.setdefault(str(text).casefold(), alpha3)
    return names


@lru_cache(maxsize=1024)
def country_name(iso3: str) -> str:
    """The English short name of a country code (the curated files' spelling for ASEAN)."""
    if iso3 in _NAMES:
        return _NAMES[iso3]
    from rigour.territories.territory import get_index

    for territory in get_index().values():
        if territory.alpha3 and str(territory.alpha3).upper() == iso3:
            return str(territory.name)
    return iso3


def parse_date(text: str | None) -> tuple[date, str] | None:
    """The first ISO date in ``text`` (``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``) and its precision.

    A partial date stands for its first day: ``("2016-06 (month only)")`` is June 1st, precision
    ``month``. None when there is no valid date in the text.
    """
    if not text:
        return None
    match = _DATE_IN_TEXT.search(text)
    if match is None:
        return None
    year, month, day = match.group(1), match.group(2), match.group(3)
    try:
        value = date(int(year), int(month or 1), int(day or 1))
    except ValueError:
        return None
    return value, ("day" if day else "month" if month else "year")


@dataclass(frozen=True)
class Record:
    """One row of a data set: its values (every column, as text) and where it came from.

    ``origin`` is ``bundled`` (the curated file shipped with Vigil) or ``user`` (added with
    ``vigil monitor add``); ``line`` is its line in that file.
    """

    dataset: str
    values: Mapping[str, str]
    origin: str
    line: int

    def get(self, column: str) -> str:
        return (self.values.get(column) or "").strip()

    @property
    def source(self) -> str:
        return self.get("sources") or self.get("source") or self.get("source_urls")

    @property
    def confidence(self) -> str:
        return self.get("confidence")

    def key(self, columns: Sequence[str]) -> tuple[str, ...]:
        return tuple(self.get(c).casefold() for c in columns)


Check = Callable[[str], str | None]


@dataclass(frozen=True)
class Dataset:
    """One curated data set and the rules its user rows must meet.

    ``key`` columns identify a row: a user row with the same key replaces the bundled one.
    ``required`` columns must not be empty in user rows; ``checks`` map a column to a function
    returning an error message (or None) for a non-empty value.
    """

    name: str
    file: str
    title: str
    key: tuple[str, ...]
    required: tuple[str, ...]
    checks: Mapping[str, Check] = field(default_factory=dict)
    #: Columns added to files that lack them (source and confidence of every bundled row).
    added_columns: Mapping[str, str] = field(default_factory=dict)
    #: How the bundled rows of a file without a confidence column are rated, from a column value.
    bundled_confidence: Callable[[Mapping[str, str]], str] | None = None

    def columns(self) -> list[str]:
        """The columns a user file of this data set must have, in the bundled order."""
        return [
            *_bundled_header(self.file),
            *[c for c in self.added_columns if c not in _bundled_header(self.file)],
        ]


def _date_check(value: str) -> str | None:
    match = _DATE.match(value)
    if match is None:
        return f"{value!r} is not a date (YYYY-MM-DD, YYYY-MM or YYYY)"
    year, month, day = match.group(1), match.group(2), match.group(3)
    try:
        parsed = date(int(year), int(month or 1), int(day or 1))
    except ValueError:
        return f"{value!r} is not a calendar date"
    if parsed.year < 1945:
        return f"{value!r} is before 1945"
    if parsed > date.today():
        return f"{value!r} is in the future"
    return None


def _iso3_check(value: str) -> str | None:
    if not re.fullmatch(r"[A-Za-z]{3}", value) or country_iso3(value) != value.upper():
        return f"{value!r} is not an ISO 3166-1 alpha-3 country code"
    return None


def _country_check(value: str) -> str | None:
    if country_iso3(value) is None:
        return f"{value!r} is not a known country name or ISO code"
    return None


def _one_of(*allowed: str, prefix: bool = False) -> Check:
    def check(value: str) -> str | None:
        folded = value.casefold()
        ok = any(folded.startswith(a) for a in allowed) if prefix else folded in allowed
        if ok:
            return None
        how = "start with one of" if prefix else "be one of"
        return f"{value!r} must {how}: {', '.join(allowed)}"

    return check


def _resolution_check(value: str) -> str | None:
    if not re.fullmatch(r"\d{3,4}(?: [\w ().,-]{1,60})?", value):
        return f"{value!r} is not a resolution number (e.g. 2397, or 2397 para 8)"
    return None


def _positive_int(value: str) -> str | None:
    if not re.fullmatch(r"[1-9]\d{0,6}", value):
        return f"{value!r} is not a positive whole number"
    return None


def _number(value: str) -> str | None:
    try:
        float(value)
    except ValueError:
        return f"{value!r} is not a number"
    return None


def _confidence_check(value: str) -> str | None:
    if _CONFIDENCE.match(value) is None:
        return f"{value!r} must start with high, medium or low"
    return None


#: NIR statuses a user row may give (the bundled file has finer, inferred ones; see SOURCES.md).
NIR_STATUSES = (
    "submitted",
    "submitted_combined",
    "submitted_late",
    "submitted_late_combined",
    "submitted_implied",
    "not_submitted",
    "unknown",
)
MISSILE_TYPES = ("srbm", "mrbm", "irbm", "icbm", "slbm", "slv", "hgv", "cruise", "unknown")
OUTCOMES = ("success", "failure", "unknown")


def _missile_confidence(values: Mapping[str, str]) -> str:
    flag = (values.get("flag") or "").casefold()
    if "preliminary" in flag:
        return "low (preliminary figures)"
    if flag:
        return "medium (" + flag.split(";")[0].strip() + ")"
    return "high"


DATASETS: dict[str, Dataset] = {
    d.name: d
    for d in (
        Dataset(
            "nir",
            "asean_nir_submissions.csv",
            "National implementation reports per state and resolution",
            key=("iso3", "resolution"),
            required=("state", "iso3", "resolution", "status", "sources", "confidence"),
            checks={
                "iso3": _iso3_check,
                "state": _country_check,
                "resolution": _resolution_check,
                "status": _one_of(*NIR_STATUSES),
                "report_date": _date_check,
            },
        ),
        Dataset(
            "profiles",
            "asean_state_profile.csv",
            "State profiles: DPRK mission, visa regime, trade notes",
            key=("iso3",),
            required=(
                "state",
                "iso3",
                "dprk_mission_in_state",
                "visa_regime_for_dprk_ordinary_passports",
                "sources",
                "confidence",
            ),
            checks={
                "iso3": _iso3_check,
                "state": _country_check,
                "dprk_mission_in_state": _one_of("yes", "no", "unknown", prefix=True),
                "dprk_mission_closed_date": _date_check,
                "visa_change_date": _date_check,
            },
        ),
        Dataset(
            "enforcement",
            "asean_enforcement_events.csv",
            "Enforcement and relationship events",
            key=("date", "state", "summary"),
            required=("date", "state", "event_type", "summary", "sources", "confidence"),
            checks={"date": _date_check, "state": _country_check},
        ),
        Dataset(
            "missions",
            "dprk_missions_abroad.csv",
            "DPRK missions abroad",
            key=("host_country", "city", "mission_type"),
            required=("host_country", "city", "mission_type", "status", "sources", "confidence"),
            checks={
                "host_country": _country_check,
                "asean": _one_of("yes", "no"),
                "status": _one_of("open", "closed", "de facto", "listed", "unknown", prefix=True),
                "status_as_of": _date_check,
            },
        ),
        Dataset(
            "resolutions",
            "unsc_dprk_resolutions.csv",
            "Security Council resolutions and vetoed drafts",
            key=("resolution", "adoption_date"),
            required=("resolution", "adoption_date", "category", "sources", "confidence"),
            checks={
                "adoption_date": _date_check,
                "trigger_date": _date_check,
                "nir_requested": _one_of("yes", "no", "unclear"),
            },
        ),
        Dataset(
            "missile_tests",
            "dprk_missile_tests.csv",
            "DPRK missile tests (one row per missile)",
            key=("test_id",),
            required=("test_id", "date", "missile_name", "missile_type", "outcome", "sources", "confidence"),
            checks={
                "test_id": _positive_int,
                "date": _date_check,
                "missile_type": _one_of(*MISSILE_TYPES),
                "outcome": _one_of(*OUTCOMES),
                "apogee_km": _number,
                "distance_km": _number,
            },
            added_columns={
                "sources": "CNS North Korea Missile Test Database (James Martin CNS for NTI), "
                "via github nagix/nk-missile-tests (see SOURCES.md)",
                "confidence": "",
            },
            bundled_confidence=_missile_confidence,
        ),
        Dataset(
            "nuclear_tests",
            "dprk_nuclear_tests.csv",
            "DPRK nuclear tests",
            key=("test_no",),
            required=("test_no", "date", "site", "sources", "confidence"),
            checks={"test_no": _positive_int, "date": _date_check, "unsc_response_date": _date_check},
        ),
    )
}


def _bundled_text(file: str) -> str:
    return resources.files("vigil").joinpath("data", "implementation", file).read_text(encoding="utf-8")


@lru_cache(maxsize=32)
def _bundled_header(file: str) -> tuple[str, ...]:
    reader = csv.reader(io.StringIO(_bundled_text(file)))
    return tuple(next(reader))


@lru_cache(maxsize=32)
def _bundled_records(name: str) -> tuple[Record, ...]:
    dataset = DATASETS[name]
    reader = csv.DictReader(io.StringIO(_bundled_text(dataset.file)))
    records = []
    for line, row in enumerate(reader, start=2):
        values = {k: (v or "") for k, v in row.items() if k is not None}
        for column, default in dataset.added_columns.items():
            values.setdefault(column, default)
        if dataset.bundled_confidence is not None and not values.get("confidence"):
            values["confidence"] = dataset.bundled_confidence(values)
        records.append(Record(name, values, "bundled", line))
    return tuple(records)


def user_dir(home: Path) -> Path:
    """Where the user's rows are kept: ``$VIGIL_HOME/monitor``."""
    return home / "monitor"


def _read_user_csv(path: Path, dataset: Dataset | None) -> tuple[Dataset, list[Record]]:
    """Parse and validate one user file; :class:`InputError` naming file, line and column."""
    if not path.is_file():
        raise InputError(f"{path}: no such file")
    size = path.stat().st_size
    if size > MAX_USER_BYTES:
        raise InputError(f"{path}: {size:,} bytes is more than the {MAX_USER_BYTES:,} accepted")
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not UTF-8 text (byte {exc.start})") from None
    return _parse_user_text(str(path), text, dataset)


def _parse_user_text(where: str, text: str, dataset: Dataset | None) -> tuple[Dataset, list[Record]]:
    if "\x00" in text:
        raise InputError(f"{where}: binary content (NUL byte); expected a CSV text file")
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        raise InputError(f"{where}: the file is empty; expected a header line") from None
    except csv.Error as exc:
        raise InputError(f"{where}:1: not valid CSV ({exc})") from None
    if dataset is None:
        dataset = _dataset_of_header(where, header)
    expected = dataset.columns()
    missing = [c for c in expected if c not in header]
    extra = [c for c in header if c not in expected]
    if missing or extra:
        parts = []
        if missing:
            parts.append(f"missing column(s) {', '.join(missing)}")
        if extra:
            parts.append(f"unknown column(s) {', '.join(extra)}")
        raise InputError(f"{where}:1: {'; '.join(parts)} for data set {dataset.name!r} ({dataset.file})")
    if len(set(header)) != len(header):
        raise InputError(f"{where}:1: a column is named twice")
    records: list[Record] = []
    seen: dict[tuple[str, ...], int] = {}
    try:
        for row in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in row):
                continue
            if len(records) >= MAX_USER_ROWS:
                raise InputError(f"{where}: more than {MAX_USER_ROWS:,} rows")
            if len(row) != len(header):
                raise InputError(f"{where}:{line}: {len(row)} fields where the header has {len(header)}")
            values = dict(zip(header, (cell.strip() for cell in row), strict=True))
            _check_row(where, line, dataset, values)
            record = Record(dataset.name, values, "user", line)
            key = record.key(dataset.key)
            if key in seen:
                raise InputError(
                    f"{where}:{line}: same {'/'.join(dataset.key)} as line {seen[key]} "
                    f"({', '.join(values[c] for c in dataset.key)})"
                )
            seen[key] = line
            records.append(record)
    except csv.Error as exc:
        raise InputError(f"{where}:{reader.line_num}: not valid CSV ({exc})") from None
    if not records:
        raise InputError(f"{where}: no data rows below the header")
    return dataset, records


def _dataset_of_header(where: str, header: Sequence[str]) -> Dataset:
    columns = set(header)
    best: tuple[int, Dataset] | None = None
    for dataset in DATASETS.values():
        expected = set(dataset.columns())
        if expected == columns:
            return dataset
        overlap = len(expected & columns)
        if best is None or overlap > best[0]:
            best = (overlap, dataset)
    assert best is not None
    near = best[1]
    missing = sorted(set(near.columns()) - columns)
    extra = sorted(columns - set(near.columns()))
    hint = f"; closest is {near.name!r} ({near.file})"
    if missing:
        hint += f", which also needs column(s) {', '.join(missing)}"
    if extra:
        hint += f", which has no column(s) {', '.join(extra)}"
    raise InputError(f"{where}:1: the header matches no monitor data set{hint}")


def _check_row(where: str, line: int, dataset: Dataset, values: Mapping[str, str]) -> None:
    for column, value in values.items():
        if len(value) > MAX_CELL_CHARS:
            raise InputError(f"{where}:{line}: column {column!r}: longer than {MAX_CELL_CHARS} characters")
        if _CONTROL.search(value):
            raise InputError(f"{where}:{line}: column {column!r}: control characters are not allowed")
    for column in dataset.required:
        if not values.get(column):
            raise InputError(f"{where}:{line}: column {column!r} must not be empty")
    for column, check in {"confidence": _confidence_check, **dataset.checks}.items():
        value = values.get(column, "")
        if value:
            problem = check(value)
            if problem is not None:
                raise InputError(f"{where}:{line}: column {column!r}: {problem}")
    if "iso3" in values and "state" in values:
        named = country_iso3(values["state"])
        if named is not None and named != values["iso3"].upper():
            raise InputError(
                f"{where}:{line}: column 'iso3': {values['iso3']!r} is not the code of "
                f"{values['state']!r} ({named})"
            )


@dataclass(frozen=True)
class AddResult:
    """What ``vigil monitor add`` did: the data set, the rows added and replaced, the file kept."""

    dataset: str
    added: int
    replaced_user: int
    overrides_bundled: int
    path: str

    def to_dict(self) -> dict[str, object]:
        return {
            "dataset": self.dataset,
            "added": self.added,
            "replaced_user": self.replaced_user,
            "overrides_bundled": self.overrides_bundled,
            "path": self.path,
        }


def _load_user_records(home: Path, dataset: Dataset) -> list[Record]:
    path = user_dir(home) / dataset.file
    if not path.is_file():
        return []
    return _read_user_csv(path, dataset)[1]


def add_user_file(home: Path, path: Path, dataset_name: str | None = None) -> AddResult:
    """Validate ``path`` and merge its rows into the user's rows of its data set, atomically.

    The data set is ``dataset_name`` or the one whose columns the header has. Nothing is written
    unless every row is valid. A row with the same key as an earlier user row replaces it.
    """
    dataset = None
    if dataset_name is not None:
        dataset = DATASETS.get(dataset_name)
        if dataset is None:
            raise InputError(f"no monitor data set {dataset_name!r} (known: {', '.join(DATASETS)})")
    dataset, new = _read_user_csv(path, dataset)
    new_keys = {r.key(dataset.key) for r in new}
    bundled_keys = {r.key(dataset.key) for r in _bundled_records(dataset.name)}
    target_dir = user_dir(home)
    target_dir.mkdir(parents=True, exist_ok=True)
    target = target_dir / dataset.file
    with _locked(target_dir / ".lock"):
        existing = _load_user_records(home, dataset)
        kept = [r for r in existing if r.key(dataset.key) not in new_keys]
        _write_atomic(target, dataset.columns(), [*kept, *new])
    return AddResult(
        dataset=dataset.name,
        added=len(new),
        replaced_user=len(existing) - len(kept),
        overrides_bundled=sum(1 for r in new if r.key(dataset.key) in bundled_keys),
        path=str(target),
    )


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    """An exclusive lock on ``path`` (POSIX ``flock``; elsewhere no lock) for one read-merge-write."""
    with path.open("a") as handle:
        try:
            import fcntl
        except ImportError:  # pragma: no cover - Windows
            yield
            return
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def _write_atomic(target: Path, columns: Sequence[str], records: Iterable[Record]) -> None:
    handle = tempfile.NamedTemporaryFile(  # noqa: SIM115 - closed below, then renamed into place
        "w", encoding="utf-8", newline="", dir=target.parent, prefix=f".{target.name}.", delete=False
    )
    try:
        with handle:
            writer = csv.writer(handle)
            writer.writerow(columns)
            for record in records:
                writer.writerow([record.values.get(c, "") for c in columns])
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(handle.name, target)
    except BaseException:
        Path(handle.name).unlink(missing_ok=True)
        raise


@dataclass(frozen=True)
class MonitorData:
    """Every data set: bundled rows with the user's rows merged over them (by key)."""

    records: Mapping[str, tuple[Record, ...]]
    user_rows: Mapping[str, int]

    def __getitem__(self, name: str) -> tuple[Record, ...]:
        return self.records[name]


def load_data(home: Path | None = None) -> MonitorData:
    """The bundled data with the user's rows of ``home`` (if given) merged over them.

    A user file that has become invalid (edited by hand) raises :class:`InputError` naming it.
    """
    merged: dict[str, tuple[Record, ...]] = {}
    counts: dict[str, int] = {}
    for name, dataset in DATASETS.items():
        rows = list(_bundled_records(name))
        user = _load_user_records(home, dataset) if home is not None else []
        counts[name] = len(user)
        if user:
            by_key = {r.key(dataset.key): r for r in user}
            rows = [by_key.pop(r.key(dataset.key), r) for r in rows]
            rows.extend(by_key.values())
        merged[name] = tuple(rows)
    return MonitorData(merged, counts)
