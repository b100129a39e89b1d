"""The monitor over a list store: the UN list's designations joined to the curated data.

:func:`monitor_report` is what the CLI, the API and the web page call: the scorecard of the states
asked for and the filtered timeline, with designation waves from the store's current UN list
(``un_sc``) when one is loaded, else from the bundled designations file.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path

from vigil.model.party import Party
from vigil.monitor.data import load_data
from vigil.monitor.export import MonitorReport
from vigil.monitor.scorecard import build_scorecard, resolve_states
from vigil.monitor.timeline import TimelineFilter, build_timeline
from vigil.store.base import Store

__all__ = ["monitor_report", "un_parties"]

_lock = threading.Lock()
_cache: dict[tuple[str, int], tuple[list[Party], str]] = {}


def un_parties(store: Store | None) -> tuple[list[Party] | None, str | None]:
    """The parties of the current UN list version of ``store`` and a label of that version.

    (None, None) without a store or without a UN list. Cached per store file and version.
    """
    if store is None:
        return None, None
    latest = store.latest_version("un_sc")
    if latest is None:
        return None, None
    key = (str(getattr(store, "path", id(store))), latest.id)
    with _lock:
        cached = _cache.get(key)
    if cached is None:
        label = f"un_sc version {latest.id}, published {latest.published or 'date not stated'}"
        cached = (list(store.parties(latest.id)), label)
        with _lock:
            _cache.clear()
            _cache[key] = cached
    return cached


def monitor_report(
    home: Path | None,
    store: Store | None,
    *,
    region: str | None = "asean",
    states: Sequence[str] = (),
    flt: TimelineFilter | None = None,
    generated_by: str | None = None,
) -> MonitorReport:
    """Scorecard and timeline, with the user's rows of ``home`` merged over the bundled data."""
    data = load_data(home)
    codes = resolve_states(region, states)
    parties, label = un_parties(store)
    timeline = build_timeline(data, flt, parties=parties, parties_version=label)
    return MonitorReport(build_scorecard(data, codes), timeline, generated_by=generated_by)
