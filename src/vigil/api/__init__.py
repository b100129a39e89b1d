"""The REST API of Vigil (FastAPI): :func:`create_app` is the one way in."""

from vigil.api.app import create_app

__all__ = ["create_app"]
