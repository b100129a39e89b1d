"""The one error tree of Vigil.

::

    VigilError                       (500)  base of every error Vigil raises on purpose
    ├── ConfigurationError           (500)  bad settings or environment
    ├── InputError                   (400)  the user's input cannot be used
    │   ├── ListFormatError          (422)  an official list file is malformed, wrong or hostile
    │   │   └── ListCountError       (422)  a parse yielded fewer records than the file declares
    │   └── ConflictError            (409)  a stale write: someone else changed the record first
    ├── NotFoundError                (404)  a party, version or list that does not exist
    ├── StoreError                   (500)  the store failed; nothing was half-written
    └── FetchError                   (502)  downloading an official list failed

Each class carries ``http_status`` so the API maps them in one table.
Normalizers never raise these: they return ``None`` for junk (see ``vigil.names``).
"""

from __future__ import annotations

__all__ = [
    "ConfigurationError",
    "ConflictError",
    "FetchError",
    "InputError",
    "ListCountError",
    "ListFormatError",
    "NotFoundError",
    "StoreError",
    "VigilError",
]


class VigilError(Exception):
    """Base class of every error Vigil raises on purpose."""

    http_status = 500


class ConfigurationError(VigilError):
    """Settings or environment are wrong (a programmer or operator error)."""


class InputError(VigilError):
    """The input given by the user cannot be used."""

    http_status = 400


class ListFormatError(InputError):
    """An official list file is malformed, of the wrong kind, or hostile.

    The message always names the file and, where known, the place in it
    (line, element path, sheet and row).
    """

    http_status = 422

    def __init__(self, path: str, message: str, *, location: str | None = None) -> None:
        self.path = path
        self.location = location
        where = f"{path}" if location is None else f"{path} ({location})"
        super().__init__(f"{where}: {message}")


class ListCountError(ListFormatError):
    """A parse yielded fewer records than the file itself declares."""


class ConflictError(InputError):
    """A write based on a stale view: the record changed since the caller read it.

    Raised for optimistic concurrency (an alert's ``row_version``): nothing was written;
    reload the record and decide again.
    """

    http_status = 409


class NotFoundError(VigilError):
    """A party, list, or version that does not exist."""

    http_status = 404


class StoreError(VigilError):
    """The store failed. The operation was rolled back; nothing was half-written."""


class FetchError(VigilError):
    """Downloading an official list failed; the previous version is kept."""

    http_status = 502
