"""Digital currency addresses: validation per chain and the key used for exact matching.

Every function here is total: junk gives an :class:`AddressCheck` with ``valid=False``
and a ``reason``, never an exception.

Formats and what "valid" means:

=============  ===========================================================  ==========
format         rule                                                          checksum
=============  ===========================================================  ==========
base58check    Bitcoin alphabet, 4-byte double-SHA-256 checksum, version     yes
               byte(s) of the chain (P2PKH/P2SH: XBT, LTC, BCH legacy, BSV,
               DASH, BTG, XVG, ZEC t-addresses, TRX 0x41)
segwit         BIP-173 bech32 (witness v0) / BIP-350 bech32m (v1+), HRP      yes
               ``bc`` / ``ltc``; program length 20/32 for v0, 2..40 else
bech32         plain bech32 account address (BNB Beacon Chain ``bnb1``)      yes
cashaddr       BCH CashAddr, prefix ``bitcoincash:`` optional                yes
hex            ``0x`` + 40 hex digits (ETH, ETC, ARB, BSC, USDT/USDC on      EIP-55 if
               Ethereum); all-lower/all-upper have no checksum               mixed case
ripple         XRP base58 (Ripple alphabet) with double-SHA-256 checksum     yes
solana         Bitcoin-alphabet base58 decoding to 32 bytes                  none
monero         Monero block base58, 69 bytes (standard/subaddress) or 77     Keccak
               (integrated), network byte 18/42/19, Keccak-256 checksum
=============  ===========================================================  ==========

``checksum`` on the result is ``"verified"``, ``"none"`` (the format carries none, or the
address is all one case) or ``"failed"``.

Matching key (:func:`match_key`, same rule in :func:`match_keys` over a pyarrow array):
surrounding whitespace is dropped; ``0x`` hex addresses are lower-cased (hex is
case-insensitive; EIP-55 case is only a checksum); bech32/bech32m/CashAddr strings in one
case are lower-cased and the ``bitcoincash:`` prefix dropped; everything else (base58,
case-sensitive) is kept verbatim.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Final

from vigil.crypto._hashes import keccak256

__all__ = [
    "ASSET_CHAINS",
    "CHAINS",
    "KEY_PATTERN",
    "AddressCheck",
    "chains_for_asset",
    "check_address",
    "match_key",
]

B58: Final = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
RIPPLE58: Final = "rpshnaf39wBUDNEGHJKLM4PQRST7VWXYZ2bcdeCg65jkm8oFqi1tuvAxyz"
BECH32: Final = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
_B58_INDEX: Final = {c: i for i, c in enumerate(B58)}
_RIPPLE_INDEX: Final = {c: i for i, c in enumerate(RIPPLE58)}
_BECH32_INDEX: Final = {c: i for i, c in enumerate(BECH32)}
_BECH32M_CONST: Final = 0x2BC830A3

#: chain -> base58check version prefixes (hex) -> address type.
BASE58_VERSIONS: Final[dict[str, dict[str, str]]] = {
    "bitcoin": {"00": "p2pkh", "05": "p2sh"},
    "litecoin": {"30": "p2pkh", "32": "p2sh", "05": "p2sh"},
    "bitcoin-cash": {"00": "p2pkh", "05": "p2sh"},
    "bitcoin-sv": {"00": "p2pkh", "05": "p2sh"},
    "dash": {"4c": "p2pkh", "10": "p2sh"},
    "bitcoin-gold": {"26": "p2pkh", "17": "p2sh"},
    "verge": {"1e": "p2pkh", "21": "p2sh"},
    "zcash": {"1cb8": "p2pkh", "1cbd": "p2sh"},
    "tron": {"41": "account"},
}
#: chain -> bech32 human-readable part (segwit chains: witness programs; bnb: plain data).
SEGWIT_HRP: Final = {"bitcoin": "bc", "litecoin": "ltc"}
BECH32_HRP: Final = {"bnb-beacon": "bnb"}

#: Every chain this module validates, with the formats it accepts, in detection order.
CHAINS: Final[dict[str, tuple[str, ...]]] = {
    "bitcoin": ("base58check", "segwit"),
    "ethereum": ("hex",),
    "tron": ("base58check",),
    "litecoin": ("base58check", "segwit"),
    "bitcoin-cash": ("cashaddr", "base58check"),
    "bitcoin-sv": ("base58check",),
    "dash": ("base58check",),
    "bitcoin-gold": ("base58check",),
    "zcash": ("base58check",),
    "verge": ("base58check",),
    "monero": ("monero",),
    "ripple": ("ripple",),
    "solana": ("solana",),
    "bnb-beacon": ("bech32",),
}

#: OFAC asset code ("Digital Currency Address - XBT") -> the chains it may live on.
#: Tokens (USDT, USDC) are listed on more than one chain: the format decides.
ASSET_CHAINS: Final[dict[str, tuple[str, ...]]] = {
    "XBT": ("bitcoin",),
    "BTC": ("bitcoin",),
    "ETH": ("ethereum",),
    "ETC": ("ethereum",),  # Ethereum Classic: same address format
    "ARB": ("ethereum",),  # Arbitrum
    "BSC": ("ethereum",),  # BNB Smart Chain
    "USDT": ("ethereum", "tron", "bitcoin"),  # bitcoin: USDT on the Omni Layer
    "USDC": ("ethereum", "tron", "solana"),
    "TRX": ("tron",),
    "LTC": ("litecoin",),
    "BCH": ("bitcoin-cash",),
    "BSV": ("bitcoin-sv",),
    "DASH": ("dash",),
    "BTG": ("bitcoin-gold",),
    "ZEC": ("zcash",),
    "XVG": ("verge",),
    "XMR": ("monero",),
    "XRP": ("ripple",),
    "SOL": ("solana",),
    "BNB": ("bnb-beacon", "ethereum"),
}

#: Strings whose case does not matter for matching (RE2 and Python ``re`` compatible):
#: any-case 0x hex, one-case bech32 with a known HRP, one-case CashAddr.
KEY_PATTERN: Final = (
    r"^(0[xX][0-9a-fA-F]{40}"
    r"|(bc|ltc|bnb|tb)1[02-9ac-hj-np-z]{6,}|(BC|LTC|BNB|TB)1[02-9AC-HJ-NP-Z]{6,}"
    r"|(bitcoincash:)?[qp][02-9ac-hj-np-z]{41}|(BITCOINCASH:)?[QP][02-9AC-HJ-NP-Z]{41})$"
)
_KEY_RE: Final = re.compile(KEY_PATTERN)
_HEX40: Final = re.compile(r"^0[xX][0-9a-fA-F]{40}$")
_CASHADDR_PREFIX: Final = "bitcoincash:"


@dataclass(frozen=True, slots=True)
class AddressCheck:
    """The result of validating one address.

    ``chain`` and ``format`` are those the address validated as (for an invalid address,
    the closest guess, or None). ``key`` is the exact-matching key (:func:`match_key`).
    """

    address: str
    valid: bool
    chain: str | None
    format: str | None
    kind: str | None
    checksum: str
    key: str
    reason: str | None = None

    def to_dict(self) -> dict[str, object]:
        return {
            "address": self.address,
            "valid": self.valid,
            "chain": self.chain,
            "format": self.format,
            "kind": self.kind,
            "checksum": self.checksum,
            "key": self.key,
            "reason": self.reason,
        }


def match_key(address: str) -> str:
    """The key under which ``address`` is matched exactly (see the module docstring)."""
    text = address.strip()
    if _KEY_RE.match(text):
        text = text.lower()
        if text.startswith(_CASHADDR_PREFIX):
            text = text[len(_CASHADDR_PREFIX) :]
    return text


def chains_for_asset(asset: str | None) -> tuple[str, ...]:
    """The chains an OFAC asset code may live on; every chain for None or an unknown code."""
    if asset is None:
        return tuple(CHAINS)
    return ASSET_CHAINS.get(asset.strip().upper(), tuple(CHAINS))


# --- encodings ---------------------------------------------------------------------------------


def _b58decode(text: str, index: dict[str, int]) -> bytes | None:
    number = 0
    for char in text:
        digit = index.get(char)
        if digit is None:
            return None
        number = number * 58 + digit
    zero_char = next(c for c, i in index.items() if i == 0)
    zeros = len(text) - len(text.lstrip(zero_char))
    body = number.to_bytes((number.bit_length() + 7) // 8, "big") if number else b""
    return b"\x00" * zeros + body


def _dsha(data: bytes) -> bytes:
    return hashlib.sha256(hashlib.sha256(data).digest()).digest()


def _b58check(text: str, index: dict[str, int]) -> tuple[bytes | None, str]:
    raw = _b58decode(text, index)
    if raw is None:
        return None, "character outside the base58 alphabet"
    if len(raw) < 5:
        return None, "too short for base58check"
    if _dsha(raw[:-4])[:4] != raw[-4:]:
        return None, "base58check checksum mismatch"
    return raw[:-4], ""


def _bech32_polymod(values: list[int]) -> int:
    generators = (0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3)
    chk = 1
    for value in values:
        top = chk >> 25
        chk = (chk & 0x1FFFFFF) << 5 ^ value
        for i in range(5):
            chk ^= generators[i] if (top >> i) & 1 else 0
    return chk


def _bech32_decode(text: str) -> tuple[str, list[int], str] | None:
    """(hrp, data without checksum, "bech32"|"bech32m") or None."""
    if text.lower() != text and text.upper() != text:
        return None
    text = text.lower()
    pos = text.rfind("1")
    if pos < 1 or pos + 7 > len(text) or len(text) > 90:
        return None
    hrp = text[:pos]
    if any(ord(c) < 33 or ord(c) > 126 for c in hrp):
        return None
    data = [_BECH32_INDEX.get(c, -1) for c in text[pos + 1 :]]
    if -1 in data:
        return None
    check = _bech32_polymod([ord(c) >> 5 for c in hrp] + [0] + [ord(c) & 31 for c in hrp] + data)
    if check == 1:
        return hrp, data[:-6], "bech32"
    if check == _BECH32M_CONST:
        return hrp, data[:-6], "bech32m"
    return None


def _convert_bits(data: list[int], frm: int, to: int) -> bytes | None:
    acc = bits = 0
    out = bytearray()
    maxv = (1 << to) - 1
    for value in data:
        if value >> frm:
            return None
        acc = (acc << frm) | value
        bits += frm
        while bits >= to:
            bits -= to
            out.append((acc >> bits) & maxv)
    if bits >= frm or (acc << (to - bits)) & maxv:
        return None  # non-zero padding or too much padding
    return bytes(out)


def _cashaddr_polymod(values: list[int]) -> int:
    generators = (0x98F2BC8E61, 0x79B76D99E2, 0xF33E5FB3C4, 0xAE2EABE2A8, 0x1E4F43E470)
    c = 1
    for d in values:
        c0 = c >> 35
        c = ((c & 0x07FFFFFFFF) << 5) ^ d
        for i in range(5):
            if (c0 >> i) & 1:
                c ^= generators[i]
    return c ^ 1


# --- per-format validators: (kind, checksum) or (None, reason) --------------------------------

_Outcome = tuple[str | None, str]


def _v_base58check(text: str, chain: str) -> _Outcome:
    payload, reason = _b58check(text, _B58_INDEX)
    if payload is None:
        return None, reason
    for version, kind in BASE58_VERSIONS[chain].items():
        prefix = bytes.fromhex(version)
        if payload.startswith(prefix) and len(payload) == len(prefix) + 20:
            return kind, "verified"
    return None, f"version byte 0x{payload[:1].hex()} or length is not a {chain} address"


def _v_segwit(text: str, chain: str) -> _Outcome:
    decoded = _bech32_decode(text)
    if decoded is None:
        return None, "not a bech32/bech32m string (bad characters, mixed case or checksum)"
    hrp, data, encoding = decoded
    if hrp != SEGWIT_HRP[chain]:
        return None, f"human-readable part {hrp!r} is not {chain}"
    if not data or data[0] > 16:
        return None, "bad witness version"
    program = _convert_bits(data[1:], 5, 8)
    if program is None or not 2 <= len(program) <= 40:
        return None, "bad witness program"
    version = data[0]
    if version == 0 and (encoding != "bech32" or len(program) not in (20, 32)):
        return None, "witness v0 must be bech32 with a 20- or 32-byte program"
    if version != 0 and encoding != "bech32m":
        return None, "witness v1+ must be bech32m (BIP-350)"
    kind = {0: "p2wpkh" if len(program) == 20 else "p2wsh", 1: "p2tr"}.get(version, f"witness_v{version}")
    return kind, "verified"


def _v_bech32(text: str, chain: str) -> _Outcome:
    decoded = _bech32_decode(text)
    if decoded is None or decoded[2] != "bech32":
        return None, "not a bech32 string (bad characters, mixed case or checksum)"
    hrp, data, _ = decoded
    if hrp != BECH32_HRP[chain]:
        return None, f"human-readable part {hrp!r} is not {chain}"
    program = _convert_bits(data, 5, 8)
    if program is None or len(program) != 20:
        return None, "bad payload length"
    return "account", "verified"


def _v_cashaddr(text: str, chain: str) -> _Outcome:
    if text.lower() != text and text.upper() != text:
        return None, "mixed case"
    text = text.lower()
    prefix, _, body = text.rpartition(":")
    prefix = prefix or "bitcoincash"
    if prefix != "bitcoincash":
        return None, f"prefix {prefix!r} is not bitcoincash"
    data = [_BECH32_INDEX.get(c, -1) for c in body]
    if -1 in data or len(data) < 9:
        return None, "not a CashAddr string"
    if _cashaddr_polymod([ord(c) & 31 for c in prefix] + [0] + data) != 0:
        return None, "CashAddr checksum mismatch"
    payload = _convert_bits(data[:-8], 5, 8)
    if payload is None or len(payload) != 21:
        return None, "bad CashAddr payload"
    kind = {0: "p2pkh", 8: "p2sh"}.get(payload[0])
    if kind is None:
        return None, "unsupported CashAddr version"
    return kind, "verified"


def _v_hex(text: str, chain: str) -> _Outcome:
    if not _HEX40.match(text) or text[1] == "X":
        return None, "not 0x followed by 40 hexadecimal digits"
    digits = text[2:]
    if digits.lower() == digits or digits.upper() == digits:
        return "account", "none"
    digest = keccak256(digits.lower().encode("ascii")).hex()
    for char, nibble in zip(digits, digest[:40], strict=True):
        if char.isalpha() and (char.isupper() != (int(nibble, 16) >= 8)):
            return None, "EIP-55 checksum mismatch (mixed case that is not the checksum case)"
    return "account", "verified"


def _v_ripple(text: str, chain: str) -> _Outcome:
    if not text.startswith("r"):
        return None, "XRP addresses start with r"
    payload, reason = _b58check(text, _RIPPLE_INDEX)
    if payload is None:
        return None, reason
    if len(payload) != 21 or payload[0] != 0:
        return None, "bad XRP account payload"
    return "account", "verified"


def _v_solana(text: str, chain: str) -> _Outcome:
    if not 32 <= len(text) <= 44:
        return None, "length is not that of a 32-byte base58 key"
    raw = _b58decode(text, _B58_INDEX)
    if raw is None or len(raw) != 32:
        return None, "does not decode to 32 bytes"
    return "account", "none"


_XMR_FULL_BLOCK: Final = 11
_XMR_BLOCK_SIZES: Final = {0: 0, 2: 1, 3: 2, 5: 3, 6: 4, 7: 5, 9: 6, 10: 7, 11: 8}
_XMR_NETWORK: Final = {18: "standard", 42: "subaddress", 19: "integrated"}


def _v_monero(text: str, chain: str) -> _Outcome:
    if len(text) not in (95, 106):
        return None, "length is not 95 (standard/subaddress) or 106 (integrated)"
    out = bytearray()
    for start in range(0, len(text), _XMR_FULL_BLOCK):
        block = text[start : start + _XMR_FULL_BLOCK]
        size = _XMR_BLOCK_SIZES.get(len(block))
        number = 0
        for char in block:
            digit = _B58_INDEX.get(char)
            if digit is None:
                return None, "character outside the base58 alphabet"
            number = number * 58 + digit
        if size is None or number >> (8 * size):
            return None, "bad Monero base58 block"
        out += number.to_bytes(size, "big")
    kind = _XMR_NETWORK.get(out[0])
    if kind is None or len(out) != (77 if kind == "integrated" else 69):
        return None, "not a Monero mainnet address"
    if keccak256(bytes(out[:-4]))[:4] != out[-4:]:
        return None, "Monero checksum mismatch"
    return kind, "verified"


_VALIDATORS: Final = {
    "base58check": _v_base58check,
    "segwit": _v_segwit,
    "bech32": _v_bech32,
    "cashaddr": _v_cashaddr,
    "hex": _v_hex,
    "ripple": _v_ripple,
    "solana": _v_solana,
    "monero": _v_monero,
}


def check_address(address: str, asset: str | None = None) -> AddressCheck:
    """Validate ``address`` for the chains of ``asset`` (any chain if None or unknown).

    The first chain/format, in :data:`CHAINS` order, that accepts the address wins; so
    a legacy ``1...`` address with no asset reads as ``bitcoin`` (BCH and BSV share
    the format, the asset code tells them apart).
    """
    text = address.strip() if isinstance(address, str) else ""
    key = match_key(text)
    if not text:
        return AddressCheck(address, False, None, None, None, "none", key, "empty")
    first_reason: tuple[str, str, str] | None = None
    for chain in chains_for_asset(asset):
        for fmt in CHAINS[chain]:
            kind, detail = _VALIDATORS[fmt](text, chain)
            if kind is not None:
                return AddressCheck(address, True, chain, fmt, kind, detail, key)
            if first_reason is None or (first_reason[2].startswith("not ") and not detail.startswith("not ")):
                first_reason = (chain, fmt, detail)
    assert first_reason is not None
    chain, fmt, reason = first_reason
    checksum = "failed" if "checksum" in reason else "none"
    guess_chain = chain if asset is not None else None
    if asset is not None and asset.strip().upper() in ASSET_CHAINS:
        elsewhere = check_address(text)
        if elsewhere.valid:
            reason = f"{reason}; it is a valid {elsewhere.chain} address"
    return AddressCheck(address, False, guess_chain, fmt if asset else None, None, checksum, key, reason)
