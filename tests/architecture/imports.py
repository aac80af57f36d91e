"""What each module of the repository imports, read with `ast` (nothing is imported or run)."""

from __future__ import annotations

import ast
from dataclasses import dataclass
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("contracts", "warmlink", "services", "tools")


@dataclass(frozen=True)
class Module:
    name: str  # dotted, e.g. services.referral.domain.referral
    path: Path
    imports: tuple[str, ...]  # every dotted name imported, absolute

    def imports_any(self, *prefixes: str) -> list[str]:
        """The imports that are, or lie inside, one of `prefixes`."""
        return [i for i in self.imports if any(i == p or i.startswith(p + ".") for p in prefixes)]


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path, name: str) -> tuple[str, ...]:
    tree = ast.parse(path.read_text(), filename=str(path))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            found.append(base)
            found.extend(f"{base}.{alias.name}" for alias in node.names)
    return tuple(found)


@cache
def modules(package: str) -> tuple[Module, ...]:
    """Every Python module under the top-level `package` (empty if it does not exist)."""
    top = ROOT / package
    found = []
    for path in sorted(top.rglob("*.py")) if top.is_dir() else []:
        name = module_name(path)
        found.append(Module(name, path, _imports(path, name)))
    return tuple(found)


def services() -> list[str]:
    return sorted(p.name for p in (ROOT / "services").iterdir() if (p / "bootstrap.py").is_file())
