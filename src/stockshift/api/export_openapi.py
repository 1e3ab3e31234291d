"""Write the service's OpenAPI document, from which the dashboard generates its client.

python -m stockshift.api.export_openapi web/openapi.json
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

from stockshift.api.app import create_app
from stockshift.config import Settings


def openapi_document() -> dict[str, object]:
    """The document of an app on a throwaway database (no routes depend on the data)."""
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(Settings(database_url=f"sqlite:///{tmp}/openapi.db"))
        return app.openapi()


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m stockshift.api.export_openapi OUTPUT.json", file=sys.stderr)
        return 2
    out = Path(argv[0])
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(openapi_document(), indent=2, ensure_ascii=False) + "\n")
    print(f"OpenAPI document written to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
