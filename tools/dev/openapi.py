"""Write the services' OpenAPI documents into contracts/openapi/; `make contracts` runs this.

    python -m tools.dev.openapi            # write contracts/openapi/<service>.json
    python -m tools.dev.openapi --check    # exit 1 if the files on disk are not current

The documents are what each service serves at `/openapi.json` (`warmlink.openapi`), built from
the applications without starting them. They live beside the AsyncAPI document so that a change
to an API shows in review as a change to its contract. `contracts` cannot import the services
(docs/architecture.md), so the tools write them.
"""

from __future__ import annotations

import argparse
import importlib
from pathlib import Path

from contracts.generate import CONTRACTS_DIR, dump, said_stale, stale_against, write_all

SERVICES = ("screening", "directory", "referral", "followup", "portal")
FOLDER = CONTRACTS_DIR / "openapi"
REGENERATE = "make contracts"


def render() -> dict[str, str]:
    """Every service's document, by file name."""
    files = {}
    for service in SERVICES:
        bootstrap = importlib.import_module(f"services.{service}.bootstrap")
        files[f"{service}.json"] = dump(bootstrap.build_app().openapi())
    return files


def stale_files(folder: Path = FOLDER) -> list[str]:
    """Documents missing, different from what the code serves, or left over."""
    return stale_against(folder, render(), "")


def write(folder: Path = FOLDER) -> list[str]:
    """Write every document and remove left-over ones; return the names that changed."""
    return write_all(folder, render(), "")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.dev.openapi", description=__doc__)
    parser.add_argument("--check", action="store_true", help="fail if documents are not current")
    if parser.parse_args(argv).check:
        return said_stale(stale_files(), "contracts/openapi/")
    for name in write():
        print(f"wrote contracts/openapi/{name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
