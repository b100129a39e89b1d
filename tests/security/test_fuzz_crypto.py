"""Fuzzing the crypto address validator: any text, any asset code, never an exception.

``check_address`` is called on every address a customer file, an API request or a list holds.
Whatever it is given it returns an :class:`AddressCheck`: valid with a chain and format, or
invalid with a reason; ``match_key`` is stable (applying it twice changes nothing).
"""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from tests.security.fuzzing import FUZZ, NASTY
from vigil.crypto.addresses import ASSET_CHAINS, CHAINS, check_address, match_key

B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
BECH32 = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"

#: Strings shaped like addresses (right alphabet, prefix and about the right length).
ADDRESS_LIKE = st.one_of(
    st.builds(lambda p, b: p + b, st.sampled_from(["1", "3", "L", "M", "X", "t1", "T", "r", "4", "8"]),
              st.text(alphabet=B58, min_size=0, max_size=110)),
    st.builds(lambda p, b: p + b, st.sampled_from(["bc1", "BC1", "ltc1", "tb1", "bnb1", "bc1p", "bc1q"]),
              st.text(alphabet=BECH32 + BECH32.upper() + "1bio", min_size=0, max_size=100)),
    st.builds(lambda p, b: p + b, st.sampled_from(["bitcoincash:", "BITCOINCASH:", "", "bitcoincash:q"]),
              st.text(alphabet=BECH32, min_size=0, max_size=60)),
    st.builds(lambda p, b: p + b, st.sampled_from(["0x", "0X", ""]),
              st.text(alphabet="0123456789abcdefABCDEFg", min_size=0, max_size=70)),
)  # fmt: skip
ASSETS = st.one_of(st.none(), st.sampled_from(sorted(ASSET_CHAINS)), st.text(max_size=8))


@FUZZ
@given(address=st.one_of(NASTY, ADDRESS_LIKE, st.text(max_size=300)), asset=ASSETS)
def test_check_address_never_raises(address: str, asset: str | None) -> None:
    check = check_address(address, asset)
    assert check.address == address
    if check.valid:
        assert check.chain in CHAINS and check.format and check.reason is None
        if asset is not None and asset.strip().upper() in ASSET_CHAINS:
            assert check.chain in ASSET_CHAINS[asset.strip().upper()]
    else:
        assert check.reason, check
    assert check.key == match_key(address.strip())
    assert match_key(check.key) == check.key
    assert check.to_dict()["valid"] is check.valid


@FUZZ
@given(address=ADDRESS_LIKE)
def test_surrounding_space_does_not_change_the_verdict(address: str) -> None:
    a, b = check_address(address), check_address(f"  {address}\t")
    assert (a.valid, a.chain, a.format, a.key) == (b.valid, b.chain, b.format, b.key)


def test_non_string_input_is_an_invalid_address() -> None:
    check = check_address(None)  # type: ignore[arg-type]  # from a JSON null or an empty cell
    assert not check.valid and check.reason
