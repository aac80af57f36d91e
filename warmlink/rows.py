"""One way to turn a database row into a domain dataclass, instead of a hand-written mapper each.

Columns are matched to the dataclass's fields by name; `computed` supplies the fields the row holds
in another shape (a tuple from an array, a nested value object). A field the row lacks keeps its
default, and a missing field without one fails loudly, as the constructor would.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import fields, is_dataclass
from typing import Any, Protocol, TypeVar

T = TypeVar("T")


class Row(Protocol):
    """What an asyncpg Record (or a dict) offers: its column names and a value by name."""

    def keys(self) -> Iterable[str]: ...

    def __getitem__(self, key: str, /) -> Any: ...


def from_row(cls: type[T], row: Row, **computed: Any) -> T:
    """`cls(**{field: row[field]}, **computed)` for every field of `cls` the row has."""
    assert is_dataclass(cls), f"{cls.__name__} is not a dataclass"
    columns = set(row.keys())
    values = {
        f.name: row[f.name] for f in fields(cls) if f.name in columns and f.name not in computed
    }
    return cls(**values, **computed)
