"""The web UI's session: an API key entered once, remembered as a signed HttpOnly cookie.

The cookie holds the key's id and an expiry, signed with HMAC-SHA256 under a secret kept in
``VIGIL_HOME/ui-secret`` (generated on first use, readable by the owner only). It never holds
the key itself. Every request re-reads the key record, so a revoked key ends its sessions at
once, and the role is the key's role as stored. Forms carry a CSRF token derived from the
session cookie.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

__all__ = ["COOKIE", "SessionData", "SessionSigner", "load_secret"]

#: The session cookie's name.
COOKIE = "vigil_session"
#: How long a session lasts, in seconds.
MAX_AGE = 12 * 3600


def load_secret(home: Path) -> bytes:
    """The signing secret in ``home/ui-secret``, created (32 random bytes, mode 0600) if missing."""
    path = home / "ui-secret"
    try:
        data = path.read_bytes()
        if len(data) >= 32:
            return data
    except FileNotFoundError:
        pass
    home.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_bytes(32)
    tmp = home / f".ui-secret.{os.getpid()}.{secrets.token_hex(4)}"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(secret)
    try:
        os.link(tmp, path)  # atomic and never replaces a secret another process wrote first
    except FileExistsError:
        pass
    finally:
        tmp.unlink()
    return path.read_bytes()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass(frozen=True, slots=True)
class SessionData:
    """What a valid cookie says: the key's id and when the session ends (epoch seconds)."""

    key_id: int
    expires: int


class SessionSigner:
    """Signs and checks session cookies and CSRF tokens."""

    def __init__(self, secret: bytes) -> None:
        self._secret = secret

    def _mac(self, purpose: str, data: str) -> str:
        return _b64(hmac.new(self._secret, f"{purpose}|{data}".encode(), hashlib.sha256).digest())

    def sign(self, key_id: int, *, now: float | None = None) -> str:
        body = _b64(json.dumps({"k": key_id, "e": int((now or time.time()) + MAX_AGE)}).encode())
        return f"{body}.{self._mac('session', body)}"

    def load(self, cookie: str | None, *, now: float | None = None) -> SessionData | None:
        """The session of a cookie, or None if it is missing, forged, malformed or expired."""
        if not cookie or "." not in cookie:
            return None
        body, mac = cookie.rsplit(".", 1)
        if not hmac.compare_digest(mac, self._mac("session", body)):
            return None
        try:
            data = json.loads(_unb64(body))
            session = SessionData(key_id=int(data["k"]), expires=int(data["e"]))
        except (ValueError, KeyError, TypeError):
            return None
        if session.expires < (now or time.time()):
            return None
        return session

    def csrf(self, cookie: str) -> str:
        """The CSRF token of forms shown to the holder of ``cookie``."""
        return self._mac("csrf", cookie)

    def check_csrf(self, cookie: str | None, token: str | None) -> bool:
        return bool(cookie and token) and hmac.compare_digest(self.csrf(cookie or ""), token or "")
