"""Keccak-256 (the pre-SHA-3 padding Ethereum and Monero use), in plain Python.

``hashlib.sha3_256`` is *not* Keccak-256: FIPS 202 changed the padding byte from
``0x01`` to ``0x06``. This sponge takes the padding byte as a parameter, so the tests
check it against ``hashlib.sha3_256`` (``pad=0x06``) as well as known Keccak vectors.
It is slow (about 0.1 ms a hash) and only used where a checksum needs it: mixed-case
EIP-55 addresses and Monero addresses, never on the hot lookup path.
"""

from __future__ import annotations

from typing import Final

__all__ = ["keccak256"]

_MASK: Final = (1 << 64) - 1
_RATE: Final = 136  # bytes, for a 256-bit output


def _round_constants() -> tuple[int, ...]:
    constants = []
    r = 1
    for _ in range(24):
        c = 0
        for j in range(7):
            r = ((r << 1) ^ ((r >> 7) * 0x71)) % 256
            if r & 2:
                c ^= 1 << ((1 << j) - 1)
        constants.append(c)
    return tuple(constants)


def _rotations() -> tuple[int, ...]:
    rot = [0] * 25
    x, y = 1, 0
    for t in range(24):
        rot[x + 5 * y] = ((t + 1) * (t + 2) // 2) % 64
        x, y = y, (2 * x + 3 * y) % 5
    return tuple(rot)


_RC: Final = _round_constants()
_ROT: Final = _rotations()
#: pi step: lane (x, y) moves to (y, 2x + 3y).
_PI: Final = tuple((x + 5 * y, y + 5 * ((2 * x + 3 * y) % 5)) for x in range(5) for y in range(5))


def _permute(a: list[int]) -> None:
    for rc in _RC:
        c = [a[x] ^ a[x + 5] ^ a[x + 10] ^ a[x + 15] ^ a[x + 20] for x in range(5)]
        d = [c[(x - 1) % 5] ^ (((c[(x + 1) % 5] << 1) | (c[(x + 1) % 5] >> 63)) & _MASK) for x in range(5)]
        b = [0] * 25
        for src, dst in _PI:
            lane = a[src] ^ d[src % 5]
            n = _ROT[src]
            b[dst] = ((lane << n) | (lane >> (64 - n))) & _MASK if n else lane
        for y in range(0, 25, 5):
            row = b[y : y + 5]
            for x in range(5):
                a[y + x] = row[x] ^ ((~row[(x + 1) % 5]) & row[(x + 2) % 5])
        a[0] ^= rc


def keccak256(data: bytes, pad: int = 0x01) -> bytes:
    """Keccak-256 of ``data`` (``pad=0x06`` gives FIPS 202 SHA3-256)."""
    message = bytearray(data)
    message.append(pad)
    message.extend(b"\x00" * (-len(message) % _RATE))
    message[-1] |= 0x80
    state = [0] * 25
    for offset in range(0, len(message), _RATE):
        block = message[offset : offset + _RATE]
        for i in range(_RATE // 8):
            state[i] ^= int.from_bytes(block[8 * i : 8 * i + 8], "little")
        _permute(state)
    return b"".join(lane.to_bytes(8, "little") for lane in state[:4])
