import csv
from pathlib import Path

import pyarrow as pa

from vigil.crypto.screening import AddressIndex
from vigil.model import Party

REFERENCE = Path("/work/shared/data/crypto/ofac_sdn_digital_currency_addresses.csv")
LAZARUS_ETH = "0x098B716B8Aaf21512996dC57EB0615e2383E2f96"  # Ronin bridge exploiter


def test_every_parsed_address_is_found(crypto_parties: list[Party]) -> None:
    index = AddressIndex.from_parties(crypto_parties)
    listed = [(p.id, i) for p in crypto_parties for i in p.identifiers if i.kind == "crypto"]
    assert len(listed) == 761
    for party_id, ident in listed:
        result = index.lookup(ident.value, ident.chain)
        assert result.hit, (ident.value, result.check.reason)
        assert party_id in {item.party_id for item in result.listings}
    batch = index.lookup_batch([ident.value for _, ident in listed])
    assert batch.counts()["match"] + batch.counts()["listed_invalid"] == 761


def test_reference_table_agrees_with_the_advanced_xml(crypto_parties: list[Party]) -> None:
    with REFERENCE.open(newline="") as handle:
        reference = {(r["asset"], r["address"], r["sdn_uid"]) for r in csv.DictReader(handle)}
    parsed = {
        (i.chain, i.value, p.id.split(":")[1])
        for p in crypto_parties
        for i in p.identifiers
        if i.kind == "crypto"
    }
    # All 761 are in the 2025-11-19 snapshot; Tornado Cash was delisted before it (March 2025),
    # so neither holds its addresses.
    assert reference == parsed
    assert not [p for p in crypto_parties if "TORNADO" in p.primary_name.upper()]


def test_lazarus_eth_hits(crypto_parties: list[Party]) -> None:
    index = AddressIndex.from_parties(crypto_parties)
    lazarus = [p for p in crypto_parties if p.primary_name.upper().startswith("LAZARUS GROUP")]
    assert lazarus
    addresses = [i.value for p in lazarus for i in p.identifiers if i.kind == "crypto" and i.chain == "ETH"]
    assert len(addresses) == 8 and LAZARUS_ETH in addresses
    for address in (LAZARUS_ETH, LAZARUS_ETH.lower(), f"  {LAZARUS_ETH.upper().replace('0X', '0x')} "):
        result = index.lookup(address)
        assert result.status == "match"
        assert {item.party_id for item in result.listings} == {lazarus[0].id}
        assert result.listings[0].refs  # the designation reference (ofac:<uid>)


def test_invalid_queries_are_never_matched(crypto_parties: list[Party]) -> None:
    index = AddressIndex.from_parties(crypto_parties)
    pos = next(i for i, c in enumerate(LAZARUS_ETH) if i > 1 and c.isalpha())
    broken_case = LAZARUS_ETH[:pos] + LAZARUS_ETH[pos].swapcase() + LAZARUS_ETH[pos + 1 :]
    assert broken_case.lower() in index  # same key ...
    assert index.lookup(broken_case).status == "invalid"  # ... but a broken EIP-55 checksum
    assert index.lookup("not an address").status == "invalid"
    # The OFAC string under XMR that is no Monero address: matched verbatim, flagged.
    weird = "5be5543ff73456ab9f2d207887e2af87322c651ea1a873c5b25b7ffae456c320"
    assert index.lookup(weird).status == "listed_invalid"
    batch = index.lookup_batch(pa.array([broken_case, LAZARUS_ETH, None, "junk", weird]), validate=True)
    assert batch.statuses() == ["invalid", "match", "invalid", "invalid", "listed_invalid"]
    assert batch.entry[0] == -1 and batch.entry[1] >= 0


def test_batch_without_validation(crypto_parties: list[Party]) -> None:
    index = AddressIndex.from_parties(crypto_parties)
    fresh = "0x" + "1" * 40
    batch = index.lookup_batch([fresh, LAZARUS_ETH.lower()], validate=False)
    assert batch.statuses() == ["unchecked", "match"]
