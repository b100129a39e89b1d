import csv
import hashlib
from pathlib import Path

import pytest

from vigil.crypto._hashes import keccak256
from vigil.crypto.addresses import ASSET_CHAINS, check_address, match_key

REFERENCE = Path("/work/shared/data/crypto/ofac_sdn_digital_currency_addresses.csv")

# BIP-173 / BIP-350 valid segwit addresses (mainnet ones, as bc1 is what we validate).
SEGWIT_VALID = [
    "BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4",
    "bc1pw508d6qejxtdg4y5r3zarvary0c5xw7kw508d6qejxtdg4y5r3zarvary0c5xw7kt5nd6y",
    "BC1SW50QGDZ25J",
    "bc1zw508d6qejxtdg4y5r3zarvaryvaxxpcs",
    "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0",
]
# BIP-350 invalid: bech32 checksum on v1+, bech32m on v0, bad programs, mixed case.
SEGWIT_INVALID = [
    "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqh2y7hd",  # v1 with bech32 checksum
    "BC1S0XLXVLHEMJA6C4DQV22UAPCTQUPFHLXM9H8Z3K2E72Q4K9HCZ7VQ54WELL",  # v16 with bech32
    "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kemeawh",  # v0 with bech32m
    "bc1gmk9yu",  # empty data
    "bc1zw508d6qejxtdg4y5r3zarvaryvqyzf3du",  # bad padding
    "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kV8f3t4",  # mixed case
    "BC130XLXVLHEMJA6C4DQV22UAPCTQUPFHLXM9H8Z3K2E72Q4K9HCZ7VQ7ZWS8R",  # v17
]
EIP55_VALID = [
    "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
    "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
    "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB",
    "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb",
]


def _reference() -> list[dict[str, str]]:
    with REFERENCE.open(newline="") as handle:
        return list(csv.DictReader(handle))


def _flip(address: str, position: int) -> str:
    """Replace one character by another of the same class so only the checksum can tell."""
    char = address[position]
    for other in "23456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz":
        if other != char and other.isdigit() == char.isdigit():
            return address[:position] + other + address[position + 1 :]
    raise AssertionError


def test_keccak_vectors_and_sha3_padding() -> None:
    assert keccak256(b"").hex() == "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"
    for message in (b"", b"abc", b"x" * 135, b"y" * 136, b"z" * 300):
        assert keccak256(message, pad=0x06) == hashlib.sha3_256(message).digest()


@pytest.mark.parametrize("address", SEGWIT_VALID)
def test_bip173_bip350_valid(address: str) -> None:
    check = check_address(address, "XBT")
    assert check.valid and check.checksum == "verified"
    assert check.key == address.lower()


@pytest.mark.parametrize("address", SEGWIT_INVALID)
def test_bip173_bip350_invalid(address: str) -> None:
    assert not check_address(address, "XBT").valid


@pytest.mark.parametrize("address", EIP55_VALID)
def test_eip55(address: str) -> None:
    assert check_address(address, "ETH").checksum == "verified"
    assert check_address(address.lower(), "ETH").checksum == "none"
    assert check_address(address.lower(), "ETH").valid
    position = next(i for i, c in enumerate(address) if i > 1 and c.isalpha())
    broken = address[:position] + address[position].swapcase() + address[position + 1 :]
    bad = check_address(broken, "ETH")
    assert not bad.valid and bad.checksum == "failed" and "EIP-55" in (bad.reason or "")
    assert bad.key == address.lower()


def test_every_reference_address_validates_except_known_bad_ones() -> None:
    invalid = {}
    for row in _reference():
        check = check_address(row["address"], row["asset"])
        if not check.valid:
            invalid[row["address"]] = (row["asset"], check.reason)
        else:
            assert check.chain in ASSET_CHAINS[row["asset"]]
    # The OFAC data carries two strings that are not addresses of the stated asset:
    # a Tron address under XBT (Wang Mingming) and a 64-hex string under XMR.
    assert set(invalid) == {
        "TUCsTq7TofTCJRRoHk6RvhMoS2mJLm5Yzq",
        "5be5543ff73456ab9f2d207887e2af87322c651ea1a873c5b25b7ffae456c320",
    }
    assert "valid tron address" in (invalid["TUCsTq7TofTCJRRoHk6RvhMoS2mJLm5Yzq"][1] or "")


def test_flipped_characters_fail_the_checksum() -> None:
    checked = 0
    for row in _reference():
        address, asset = row["address"], row["asset"]
        check = check_address(address, asset)
        if not check.valid or check.checksum != "verified" or check.format == "hex":
            continue
        for position in (len(address) // 2, len(address) - 1):
            flipped = _flip(address, position)
            assert not check_address(flipped, asset).valid, (asset, address, flipped)
        checked += 1
    assert checked > 600


def test_usdt_format_decides_the_chain() -> None:
    assert check_address("TA3941uFAvmVibSkQ6fMJXxmaSNovX86mz", "USDT").chain == "tron"
    assert check_address("0x08723392Ed15743cc38513C4925f5e6be5c17243", "USDT").chain == "ethereum"
    assert check_address("TA3941uFAvmVibSkQ6fMJXxmaSNovX86mz").chain == "tron"


@pytest.mark.parametrize(
    "junk", ["", "   ", "0x", "0x123", "hello world", "1" * 200, "bc1", "0xZZ" + "0" * 38, "\x00\x01", "🙂"]
)
def test_junk_is_invalid_not_an_error(junk: str) -> None:
    check = check_address(junk)
    assert not check.valid
    assert check.reason


def test_match_key_rules() -> None:
    assert (
        match_key(" 0xABCDEF0123456789abcdef0123456789ABCDEF01 ")
        == "0xabcdef0123456789abcdef0123456789abcdef01"
    )
    assert (
        match_key("BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4")
        == "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4"
    )
    assert match_key("bitcoincash:qqyuc9s700plhzr6awzru7g5z2d2p906uyrm6ht0r0") == (
        "qqyuc9s700plhzr6awzru7g5z2d2p906uyrm6ht0r0"
    )
    assert match_key("1HmqvgSXUVES1jn4TQPzk9dxo1NE8wim2T") == "1HmqvgSXUVES1jn4TQPzk9dxo1NE8wim2T"


def test_cashaddr_with_and_without_prefix() -> None:
    bare = "qqyuc9s700plhzr6awzru7g5z2d2p906uyrm6ht0r0"
    assert check_address(bare, "BCH").format == "cashaddr"
    assert check_address("BITCOINCASH:" + bare.upper(), "BCH").valid
    assert not check_address("bitcoincash:" + bare.upper(), "BCH").valid  # mixed case
    assert not check_address(bare[:-1] + "q", "BCH").valid
