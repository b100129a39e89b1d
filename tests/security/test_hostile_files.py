"""Hostile files, one attack at a time, against every reader that parses XML or zip containers.

Fills the gaps of the per-source tests (which check XXE for the UN, EU and OFAC advanced XML
and zip bombs for the OFSI XLSX and FCDO ODS): here every XML source meets external
entities (file and parameter entities, external DTDs), the billion-laughs and quadratic
expansion bombs; every zip reader meets a bomb whose headers lie about its size; the XLSX
readers (lists and customer files) meet an XXE inside the workbook's XML. Each must be
refused with a ListFormatError/InputError, quickly, without the secret file's content ever
appearing in a parsed party or an error message.
"""

from __future__ import annotations

import io
import struct
import time
import zipfile
from pathlib import Path

import pytest

from tests.security.test_fuzz_lists import XML_SEEDS
from tests.security.test_fuzz_lists import _xlsx_seed as ofsi_xlsx_seed
from tests.sources import test_uk_fcdo
from vigil.errors import InputError, ListFormatError, VigilError
from vigil.screening.files import ColumnMapping, read_records
from vigil.sources.registry import get_source

SECRET = "TOP-SECRET-4f1c2e"


@pytest.fixture
def secret_file(tmp_path: Path) -> Path:
    path = tmp_path / "secret.txt"
    path.write_text(SECRET)
    return path


def _with_prolog(seed: str, prolog: str, reference: str) -> str:
    """The seed with ``prolog`` before its root element and ``reference`` in its first text node."""
    head, _, body = seed.partition("?>")
    start = body.index(">", body.index("<")) + 1  # after the root's start tag
    text_at = body.index("<", body.index(">", start) + 1)  # inside the first child element
    body = body[:text_at] + reference + body[text_at:]
    return head + "?>\n" + prolog + body


def _attacks(secret: Path) -> dict[str, tuple[str, str]]:
    laughs = '<!ENTITY l0 "ha">' + "".join(
        f'<!ENTITY l{i} "{"&l" + str(i - 1) + ";" * 1}{("&l" + str(i - 1) + ";") * 9}">' for i in range(1, 10)
    )
    return {
        "xxe file": (f'<!DOCTYPE r [<!ENTITY x SYSTEM "file://{secret}">]>\n', "&x;"),
        "xxe parameter entity": (
            f'<!DOCTYPE r [<!ENTITY % p SYSTEM "file://{secret}"> %p;]>\n',
            "",
        ),
        "external dtd": (f'<!DOCTYPE r SYSTEM "file://{secret}">\n', ""),
        "network dtd": ('<!DOCTYPE r SYSTEM "http://127.0.0.1:9/evil.dtd">\n', ""),
        "billion laughs": (f"<!DOCTYPE r [{laughs}]>\n", "&l9;"),
        "quadratic blowup": (f'<!DOCTYPE r [<!ENTITY a "{"x" * 50_000}">]>\n', "&a;" * 2_000),
    }


@pytest.mark.parametrize("key", sorted(XML_SEEDS))
@pytest.mark.parametrize(
    "attack",
    ["xxe file", "xxe parameter entity", "external dtd", "network dtd", "billion laughs", "quadratic blowup"],
)
def test_xml_entity_attacks_are_refused(tmp_path: Path, secret_file: Path, key: str, attack: str) -> None:
    prolog, reference = _attacks(secret_file)[attack]
    path = tmp_path / "list.xml"
    path.write_text(_with_prolog(XML_SEEDS[key], prolog, reference), encoding="utf-8")
    source = get_source(key)
    started = time.perf_counter()
    with pytest.raises(ListFormatError) as caught:
        source.parse({source.files[0].role: path})
    assert time.perf_counter() - started < 5, "refused, but only after expanding"
    assert "DOCTYPE" in str(caught.value) or "entit" in str(caught.value).lower(), str(caught.value)
    assert SECRET not in str(caught.value)


def test_doctype_after_a_long_comment_is_still_refused(tmp_path: Path, secret_file: Path) -> None:
    """The DOCTYPE check peeks at the first 64 KiB: a DOCTYPE pushed past it must still fail."""
    for key, seed in sorted(XML_SEEDS.items()):
        prolog = (
            "<!--" + "x" * 100_000 + "-->\n" + f'<!DOCTYPE r [<!ENTITY x SYSTEM "file://{secret_file}">]>\n'
        )
        path = tmp_path / f"{key}.xml"
        path.write_text(_with_prolog(seed, prolog, "&x;"), encoding="utf-8")
        source = get_source(key)
        try:
            parsed = source.parse({source.files[0].role: path})
        except VigilError as exc:
            assert SECRET not in str(exc)
            continue
        text = repr([p.to_dict() if hasattr(p, "to_dict") else vars(p) for p in parsed.parties])
        assert SECRET not in text, key


# ---------------------------------------------------------------- zip containers


def _lying_zip(member: str, real_size: int, extra: dict[str, bytes] | None = None) -> bytes:
    """A zip whose ``member`` inflates to ``real_size`` bytes but declares 1,000 in its headers."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in (extra or {}).items():
            archive.writestr(name, content)
        archive.writestr(member, b"<a>" + b" " * (real_size - 7) + b"</a>")
    data = bytearray(buffer.getvalue())
    # Patch the uncompressed size in the local header and the central directory entry.
    name = member.encode()
    for signature, size_offset, name_offset in ((b"PK\x03\x04", 22, 30), (b"PK\x01\x02", 24, 46)):
        at = 0
        while (at := data.find(signature, at)) != -1:
            name_length = struct.unpack_from("<H", data, at + (26 if signature == b"PK\x03\x04" else 28))[0]
            if bytes(data[at + name_offset : at + name_offset + name_length]) == name:
                struct.pack_into("<I", data, at + size_offset, 1_000)
            at += 4
    return bytes(data)


def test_ods_bomb_with_lying_headers_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "UK_Sanctions_List.ods"
    path.write_bytes(
        _lying_zip("content.xml", 200 << 20, {"mimetype": b"application/vnd.oasis.opendocument.spreadsheet"})
    )
    started = time.perf_counter()
    with pytest.raises(ListFormatError):
        get_source("uk_fcdo_ods").parse({"main": path})
    assert time.perf_counter() - started < 10


def test_xlsx_list_bomb_with_lying_headers_is_refused(tmp_path: Path) -> None:
    seed = zipfile.ZipFile(io.BytesIO(ofsi_xlsx_seed()))
    members = {n: seed.read(n) for n in seed.namelist() if n != "xl/worksheets/sheet1.xml"}
    path = tmp_path / "ConList.xlsx"
    path.write_bytes(_lying_zip("xl/worksheets/sheet1.xml", 200 << 20, members))
    started = time.perf_counter()
    with pytest.raises(ListFormatError):
        get_source("uk_ofsi_conlist").parse({"main": path})
    assert time.perf_counter() - started < 10


def test_customer_xlsx_bomb_with_lying_headers_is_refused(tmp_path: Path) -> None:
    seed = zipfile.ZipFile(io.BytesIO(ofsi_xlsx_seed()))
    members = {n: seed.read(n) for n in seed.namelist() if n != "xl/worksheets/sheet1.xml"}
    path = tmp_path / "customers.xlsx"
    path.write_bytes(_lying_zip("xl/worksheets/sheet1.xml", 200 << 20, members))
    started = time.perf_counter()
    with pytest.raises(InputError):
        list(read_records(path, ColumnMapping(name_column="Name 6")))
    assert time.perf_counter() - started < 10


def _xlsx_with_xxe(secret: Path) -> bytes:
    seed = zipfile.ZipFile(io.BytesIO(ofsi_xlsx_seed()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name in seed.namelist():
            content = seed.read(name)
            if name == "xl/worksheets/sheet1.xml":
                text = content.decode()
                head, _, body = text.partition("?>")
                text = head + f'?><!DOCTYPE w [<!ENTITY x SYSTEM "file://{secret}">]>' + body
                text = text.replace("<v>", "<v>&x;", 1) if "<v>" in text else text.replace("<t>", "<t>&x;", 1)
                text = text.replace("<is><t>", "<is><t>&x;", 1)
                content = text.encode()
            target.writestr(name, content)
    return out.getvalue()


def test_xxe_inside_an_xlsx_list_never_leaks(tmp_path: Path, secret_file: Path) -> None:
    path = tmp_path / "ConList.xlsx"
    path.write_bytes(_xlsx_with_xxe(secret_file))
    try:
        parsed = get_source("uk_ofsi_conlist").parse({"main": path})
    except VigilError as exc:
        assert SECRET not in str(exc)
        return
    assert SECRET not in repr([vars(p) for p in parsed.parties])


def test_xxe_inside_a_customer_xlsx_never_leaks(tmp_path: Path, secret_file: Path) -> None:
    path = tmp_path / "customers.xlsx"
    path.write_bytes(_xlsx_with_xxe(secret_file))
    try:
        records = list(read_records(path, ColumnMapping(name_column="Name 6")))
    except VigilError as exc:
        assert SECRET not in str(exc)
        return
    assert SECRET not in repr(records)


def test_ods_with_xxe_in_content_never_leaks(tmp_path: Path, secret_file: Path) -> None:
    head = test_uk_fcdo.CONTENT_HEAD
    head = head.replace("?>", f'?><!DOCTYPE x [<!ENTITY s SYSTEM "file://{secret_file}">]>', 1)
    body = '<table:table table:name="T">' + test_uk_fcdo.HEADER_ROW + test_uk_fcdo._cells("DPR1", "1", "&s;")
    path = test_uk_fcdo._ods(tmp_path / "x.ods", body + "</table:table>", head=head)
    with pytest.raises(ListFormatError) as caught:
        get_source("uk_fcdo_ods").parse({"main": path})
    assert SECRET not in str(caught.value)


# ---------------------------------------------------------------- gigantic fields in lists


@pytest.mark.parametrize("key", sorted(XML_SEEDS))
def test_gigantic_text_node_in_a_list(tmp_path: Path, key: str) -> None:
    """A 20 MB text node: parsed or refused with a ListFormatError, in bounded time."""
    seed = XML_SEEDS[key]
    head, _, body = seed.partition("?>")
    start = body.index(">", body.index("<")) + 1
    text_at = body.index("<", body.index(">", start) + 1)
    path = tmp_path / "big.xml"
    path.write_text(head + "?>" + body[:text_at] + "A" * (20 << 20) + body[text_at:], encoding="utf-8")
    source = get_source(key)
    started = time.perf_counter()
    try:
        source.parse({source.files[0].role: path})
    except VigilError as exc:
        assert len(str(exc)) < 10_000
    assert time.perf_counter() - started < 30
