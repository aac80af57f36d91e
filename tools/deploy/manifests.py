"""Writing generated Kubernetes manifests and checking that the committed ones are current.

Each generator renders {path relative to the repository: text}; `main` writes them, or with
`--check` lists the stale ones and exits 1 (the tests call `stale` directly)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
Rendered = Mapping[str, str]


def documents(header: str, resources: Iterable[Mapping[str, Any]]) -> str:
    """A multi-document YAML file, keys in the order written, `header` as its opening comment."""
    comment = "".join(f"# {line}\n".replace("# \n", "#\n") for line in header.splitlines())
    body = "---\n".join(yaml.safe_dump(dict(r), sort_keys=False, width=100) for r in resources)
    return comment + body


def stale(rendered: Rendered, root: Path = ROOT) -> list[str]:
    """The rendered files that are missing on disk or differ from it."""
    return [
        path
        for path, text in rendered.items()
        if not (root / path).is_file() or (root / path).read_text(encoding="utf-8") != text
    ]


def main(render: Callable[[], Rendered], argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(render.__doc__ or "").strip())
    parser.add_argument("--check", action="store_true", help="exit 1 if the files are not current")
    args = parser.parse_args(argv)
    rendered = render()
    if args.check:
        out_of_date = stale(rendered)
        for path in out_of_date:
            print(f"stale: {path} (run `make contracts`)", file=sys.stderr)
        return 1 if out_of_date else 0
    for path, text in rendered.items():
        target = ROOT / path
        target.parent.mkdir(parents=True, exist_ok=True)
        if not target.is_file() or target.read_text(encoding="utf-8") != text:
            target.write_text(text, encoding="utf-8")
            print(f"wrote {path}")
    return 0
