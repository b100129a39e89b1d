"""Download official lists from their publishers and import them.

Every file of a source is downloaded into a temporary folder first; only when all of
them arrived whole, parsed and passed the source's sanity floor is a version stored.
A network failure or a bad download raises :class:`FetchError` and keeps the previous
version. URLs come from the source metadata unless overridden in settings
(``VIGIL_LIST_URL_<SOURCE>`` or ``VIGIL_LIST_URL_<SOURCE>_<ROLE>``).
"""

from __future__ import annotations

import logging
import shutil
import tempfile
import urllib.error
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

from vigil.errors import FetchError, VigilError
from vigil.lists.importing import ImportOutcome, import_files
from vigil.settings import Settings
from vigil.sources.base import Source
from vigil.sources.registry import get_source
from vigil.store.base import Store

__all__ = ["DEFAULT_UPDATE_SOURCES", "download", "source_urls", "update_lists"]

log = logging.getLogger(__name__)

#: The lists ``vigil lists update`` fetches when none are named: those of the bundled snapshot.
DEFAULT_UPDATE_SOURCES = ("un_sc", "ofac_sdn_advanced", "uk_ofsi_conlist")
_USER_AGENT = "vigil-sanctions-screening/0.1 (+https://github.com/)"


def source_urls(source: Source, settings: Settings) -> dict[str, str]:
    """The URL of each file of a source, with settings' overrides applied."""
    urls = {}
    for spec in source.files:
        override = settings.list_urls.get(f"{source.key}_{spec.role}")
        if override is None and len(source.files) == 1:
            override = settings.list_urls.get(source.key)
        urls[spec.role] = override or spec.url
    return urls


def download(url: str, target: Path, *, timeout: float, max_bytes: int) -> None:
    """Download ``url`` to ``target``; FetchError on any failure, with nothing left behind."""
    request = urllib.request.Request(url, headers={"User-Agent": _USER_AGENT})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response, target.open("wb") as out:
            declared = response.headers.get("Content-Length")
            if declared is not None and declared.isdigit() and int(declared) > max_bytes:
                raise FetchError(f"{url}: {int(declared):,} bytes is more than the limit of {max_bytes:,}")
            received = 0
            while chunk := response.read(1 << 20):
                received += len(chunk)
                if received > max_bytes:
                    raise FetchError(f"{url}: download passed the limit of {max_bytes:,} bytes")
                out.write(chunk)
            if declared is not None and declared.isdigit() and received != int(declared):
                raise FetchError(f"{url}: download cut short ({received:,} of {int(declared):,} bytes)")
    except urllib.error.HTTPError as exc:
        target.unlink(missing_ok=True)
        raise FetchError(f"{url}: the server answered HTTP {exc.code} {exc.reason}") from exc
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        target.unlink(missing_ok=True)
        reason = getattr(exc, "reason", exc)
        raise FetchError(f"{url}: cannot download: {reason}") from exc
    except FetchError:
        target.unlink(missing_ok=True)
        raise


def update_lists(store: Store, settings: Settings, keys: list[str] | None = None) -> list[ImportOutcome]:
    """Fetch and import each source; the first failure raises, earlier sources stay imported.

    Each source is all-or-nothing: its previous version stays current if its download,
    parse or verification fails.
    """
    outcomes = []
    for key in keys or list(DEFAULT_UPDATE_SOURCES):
        source = get_source(key)
        urls = source_urls(source, settings)
        folder = Path(tempfile.mkdtemp(prefix=f"vigil-{key}-"))
        try:
            files: dict[str, Path] = {}
            for spec in source.files:
                target = folder / spec.filename
                try:
                    download(
                        urls[spec.role],
                        target,
                        timeout=settings.fetch_timeout,
                        max_bytes=settings.max_list_bytes,
                    )
                except FetchError:
                    if spec.optional:
                        log.warning(
                            "optional list file not available", extra={"source": key, "url": urls[spec.role]}
                        )
                        continue
                    raise
                files[spec.role] = target
            fetched_at = datetime.now(UTC).isoformat(timespec="seconds")
            origin = " ".join(urls[role] for role in sorted(files))
            try:
                outcomes.append(
                    import_files(
                        store, key, files, origin=origin, fetched_at=fetched_at, check_min_counts=True
                    )
                )
            except FetchError:
                raise
            except VigilError as exc:
                raise FetchError(
                    f"{key}: the downloaded file was refused, previous version kept: {exc}"
                ) from exc
        finally:
            shutil.rmtree(folder, ignore_errors=True)
    return outcomes
