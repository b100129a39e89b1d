"""Write the API's OpenAPI schema: ``python -m vigil.api.openapi > docs/openapi.json``.

The schema is committed and a test fails when it drifts from the app's.
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path
from typing import Any

from vigil.api.app import create_app
from vigil.settings import Settings

__all__ = ["openapi_schema", "render"]


def openapi_schema() -> dict[str, Any]:
    """The app's schema; building it touches no store and reads no environment."""
    home = Path(tempfile.gettempdir()) / "vigil-openapi"
    app = create_app(Settings(home=home, database_url=f"sqlite:///{home / 'unused.sqlite3'}"))
    return app.openapi()


def render(schema: dict[str, Any]) -> str:
    """The committed form: sorted keys, two-space indent, a final newline."""
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def main() -> None:
    sys.stdout.write(render(openapi_schema()))


if __name__ == "__main__":
    main()
