"""Reading untrusted list files safely.

- XML is parsed with external entities, DTD loading and network access off, and
  entity declarations refused outright (no billion-laughs, no XXE).
- Compressed input (``.bz2``, ``.gz``, ``.xz``, ``.zip`` members) is read through a
  byte budget: a file that expands past ``max_bytes`` is refused (zip/bz2 bombs).
- Errors are :class:`vigil.errors.ListFormatError` naming the file and the place.
"""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
import re
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from lxml import etree

from vigil.errors import ListFormatError
from vigil.settings import DEFAULT_MAX_LIST_BYTES

__all__ = [
    "BudgetReader",
    "check_zip_archive",
    "iterparse_xml",
    "open_list_file",
    "read_text",
]


class BudgetReader(io.RawIOBase):
    """A read-only stream that fails once more than ``max_bytes`` have been read."""

    def __init__(self, inner: IO[bytes], path: str, max_bytes: int) -> None:
        self._inner = inner
        self._path = path
        self._max = max_bytes
        self._seen = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self._inner.read(len(buffer))
        self._seen += len(data)
        if self._seen > self._max:
            raise ListFormatError(
                self._path, f"file expands past the limit of {self._max:,} bytes (VIGIL_MAX_LIST_BYTES)"
            )
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        self._inner.close()
        super().close()


def open_list_file(path: Path, *, max_bytes: int = DEFAULT_MAX_LIST_BYTES) -> IO[bytes]:
    """Open a list file for reading bytes, decompressing ``.bz2``/``.gz``/``.xz`` by suffix."""
    name = str(path)
    # The stream is returned open for the caller to close, hence no context manager here.
    try:
        if name.endswith(".bz2"):
            inner: IO[bytes] = bz2.open(path, "rb")  # noqa: SIM115
        elif name.endswith(".gz"):
            inner = gzip.open(path, "rb")  # type: ignore[assignment]  # noqa: SIM115
        elif name.endswith(".xz"):
            inner = lzma.open(path, "rb")  # noqa: SIM115
        else:
            inner = path.open("rb")
    except OSError as exc:
        raise ListFormatError(name, f"cannot open: {exc}") from exc
    return io.BufferedReader(BudgetReader(inner, name, max_bytes), buffer_size=1 << 20)


def read_text(
    path: Path,
    *,
    max_bytes: int = DEFAULT_MAX_LIST_BYTES,
    encodings: tuple[str, ...] = ("utf-8-sig", "cp1252"),
) -> str:
    """Read a (possibly compressed) text file, trying the encodings in order.

    cp1252 is the encoding of OFAC's legacy CSVs; a file that is neither is refused
    with the byte offset of the first undecodable byte.
    """
    with open_list_file(path, max_bytes=max_bytes) as handle:
        try:
            data = handle.read()
        except (OSError, EOFError, lzma.LZMAError, zlib.error) as exc:
            raise ListFormatError(str(path), f"corrupt compressed data: {exc}") from exc
    if not data.strip():
        raise ListFormatError(str(path), "file is empty")
    error: UnicodeDecodeError | None = None
    for encoding in encodings:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError as exc:
            error = error or exc
    assert error is not None
    raise ListFormatError(
        str(path), f"not valid text in {' or '.join(encodings)}", location=f"byte {error.start}"
    )


def _parser_options() -> dict[str, Any]:
    return {
        "resolve_entities": False,
        "no_network": True,
        "load_dtd": False,
        "dtd_validation": False,
        "huge_tree": True,
        "recover": False,
    }


def _refuse_doctype(stream: io.BufferedReader, name: str) -> None:
    """Refuse a document whose prologue declares a DOCTYPE (the carrier of XXE and entity bombs)."""
    head = stream.peek(1 << 16)[: 1 << 16]
    first_element = re.search(rb"<[A-Za-z_]", head)
    prologue = head if first_element is None else head[: first_element.start()]
    if b"<!DOCTYPE" in prologue or b"<!ENTITY" in prologue:
        line = prologue[: prologue.find(b"<!")].count(b"\n") + 1
        raise ListFormatError(
            name, "XML with a DOCTYPE/entity declarations is refused", location=f"line {line}"
        )


def iterparse_xml(
    path: Path, tags: tuple[str, ...] | None = None, *, max_bytes: int = DEFAULT_MAX_LIST_BYTES
) -> Iterator[etree._Element]:
    """Stream the end-events of ``tags`` (all elements if None) from a list's XML.

    Refuses DOCTYPE declarations (XXE and expansion bombs) before parsing, wraps any XML
    syntax error in :class:`ListFormatError` with the line number. The caller should
    ``clear()`` elements it is done with to keep memory flat.
    """
    name = str(path)
    stream = open_list_file(path, max_bytes=max_bytes)
    try:
        try:
            _refuse_doctype(stream, name)  # type: ignore[arg-type]
        except (OSError, EOFError, lzma.LZMAError, zlib.error) as exc:
            raise ListFormatError(name, f"cannot read: {exc}") from exc
        context = etree.iterparse(stream, events=("end",), tag=tags, **_parser_options())
        found = False
        for _event, element in context:
            if not found:
                docinfo = element.getroottree().docinfo
                if docinfo.internalDTD is not None or docinfo.doctype:
                    raise ListFormatError(
                        name, "XML with a DOCTYPE/entity declarations is refused", location="line 1"
                    )
                found = True
            yield element
        if not found:
            wanted = "XML elements" if tags is None else "element " + " or ".join(tags)
            raise ListFormatError(name, f"no {wanted} found")
    except etree.XMLSyntaxError as exc:
        line = exc.lineno if exc.lineno else "?"
        message = str(exc.msg) if exc.msg else str(exc)
        if "empty" in message.lower() or "Document is empty" in message:
            raise ListFormatError(name, "file is empty or not XML", location=f"line {line}") from exc
        raise ListFormatError(name, f"malformed XML: {message}", location=f"line {line}") from exc
    except (OSError, EOFError, lzma.LZMAError, zlib.error) as exc:
        raise ListFormatError(name, f"cannot read: {exc}") from exc
    finally:
        stream.close()


def check_zip_archive(path: Path, *, max_bytes: int = DEFAULT_MAX_LIST_BYTES, max_ratio: int = 200) -> None:
    """Refuse a zip container (XLSX, ODS) that is corrupt or would expand too far.

    Checks the declared sizes of every member against ``max_bytes`` and each member's
    compression ratio against ``max_ratio`` before any spreadsheet library opens it.
    """
    name = str(path)
    try:
        with zipfile.ZipFile(path) as archive:
            total = 0
            for info in archive.infolist():
                total += info.file_size
                if (
                    info.compress_size > 0
                    and info.file_size / info.compress_size > max_ratio
                    and info.file_size > 10 << 20
                ):
                    raise ListFormatError(
                        name,
                        f"member {info.filename} expands {info.file_size / info.compress_size:.0f}x: "
                        "refused as a zip bomb",
                    )
            if total > max_bytes:
                raise ListFormatError(
                    name, f"archive expands to {total:,} bytes, past the limit of {max_bytes:,}"
                )
    except zipfile.BadZipFile as exc:
        raise ListFormatError(name, f"not a valid XLSX/ODS (zip) file: {exc}") from exc
