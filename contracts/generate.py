"""Write the checked-in contract artifacts; ``make contracts`` runs this.

    python -m contracts.generate            # schemas/, asyncapi.json, README topic table
    python -m contracts.generate --check    # exit 1 if the files on disk are not current
    python -m contracts.generate --release  # also freeze new versions into released/

``released/`` is append-only: a file there is never rewritten, because consumers were built
against it; tests check that the current schema of every released version is still compatible.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from contracts.asyncapi import build_asyncapi
from contracts.privacy import free_text_properties, phi_like_properties
from contracts.readme_table import with_topic_table
from contracts.registry import EVENTS
from contracts.schemas_build import envelope_schema, event_schema, schema_file_name

CONTRACTS_DIR = Path(__file__).resolve().parent
SCHEMAS = "schemas"
RELEASED = "released"
ENVELOPE_FILE = "envelope.json"
README = "README.md"


def dump(document: Any) -> str:
    """Deterministic JSON text: sorted keys, 2-space indent, trailing newline."""
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def render() -> dict[str, str]:
    """Every generated artifact, by path relative to the contracts package."""
    files = {f"{SCHEMAS}/{ENVELOPE_FILE}": dump(envelope_schema())}
    for key in sorted(EVENTS):
        cls = EVENTS[key]
        schema = event_schema(cls)
        # Refuse to publish a contract that could carry PHI or free text.
        suspicious = phi_like_properties(schema) + free_text_properties(schema)
        if suspicious:
            raise SystemExit(f"{cls.TYPE}: properties look like PHI or free text: {suspicious}")
        files[f"{SCHEMAS}/{schema_file_name(cls)}"] = dump(schema)
    files["asyncapi.json"] = dump(build_asyncapi())
    readme = CONTRACTS_DIR / README
    if readme.is_file():
        files[README] = with_topic_table(readme.read_text(encoding="utf-8"))
    return files


def stale_files(root: Path = CONTRACTS_DIR) -> list[str]:
    """Artifacts that are missing, different, or left over from an event that no longer exists."""
    return stale_against(root, render(), SCHEMAS)


def write(root: Path = CONTRACTS_DIR) -> list[str]:
    """Write every artifact, removing schemas of events that no longer exist; return changes."""
    return write_all(root, render(), SCHEMAS)


def _leftovers(root: Path, expected: dict[str, str], owned: str) -> list[str]:
    on_disk = {f"{owned}/{p.name}" if owned else p.name for p in (root / owned).glob("*.json")}
    return sorted(on_disk - expected.keys())


def stale_against(root: Path, expected: dict[str, str], owned: str) -> list[str]:
    """Paths of `expected` (relative to `root`) missing or different on disk, then JSON files in
    the generated folder `owned` that nothing generates any more."""
    problems = [
        path
        for path, text in expected.items()
        if not (root / path).is_file() or (root / path).read_text(encoding="utf-8") != text
    ]
    return problems + _leftovers(root, expected, owned)


def write_all(root: Path, expected: dict[str, str], owned: str) -> list[str]:
    """Write what differs and remove the leftovers of `stale_against`; return what changed."""
    changed = []
    (root / owned).mkdir(parents=True, exist_ok=True)
    for path, text in expected.items():
        target = root / path
        if not target.is_file() or target.read_text(encoding="utf-8") != text:
            target.write_text(text, encoding="utf-8", newline="\n")
            changed.append(path)
    for leftover in _leftovers(root, expected, owned):
        (root / leftover).unlink()
        changed.append(leftover)
    return changed


def release(root: Path = CONTRACTS_DIR) -> list[str]:
    """Copy current schemas into released/ for versions not released yet. Returns new paths."""
    (root / RELEASED).mkdir(exist_ok=True)
    added = []
    for source in sorted((root / SCHEMAS).glob("*.json")):
        target = root / RELEASED / source.name
        if not target.exists():  # released versions are frozen: never overwrite
            target.write_bytes(source.read_bytes())
            added.append(f"{RELEASED}/{source.name}")
    return added


def said_stale(stale: list[str], where: str) -> int:
    """`--check`'s answer: each stale file named with the command that regenerates it."""
    for path in stale:
        print(f"not current: {where}{path} (run `make contracts`)", file=sys.stderr)
    return 1 if stale else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m contracts.generate", description=__doc__)
    parser.add_argument("--check", action="store_true", help="fail if artifacts are not current")
    parser.add_argument("--release", action="store_true", help="freeze new versions in released/")
    args = parser.parse_args(argv)
    if args.check:
        return said_stale(stale_files(), "contracts/")
    for path in write():
        print(f"wrote contracts/{path}")
    if args.release:
        for path in release():
            print(f"released contracts/{path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
