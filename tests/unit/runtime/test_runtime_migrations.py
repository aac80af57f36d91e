"""Migration discovery and checksums (applying them is covered by the database tests)."""

from pathlib import Path

from warmlink.migrations import RUNTIME_MIGRATIONS, Migration, discover


def write(folder: Path, files: dict[str, str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, sql in files.items():
        (folder / name).write_text(sql)
    return folder


def test_discover_orders_by_name_within_each_namespace(tmp_path: Path) -> None:
    runtime = write(tmp_path / "a", {"002_outbox.sql": "B;", "001_init.sql": "A;"})
    service = write(tmp_path / "b", {"010_late.sql": "D;", "003_more.sql": "C;"})
    found = discover(("runtime", runtime), ("svc", service))
    assert [m.name for m in found] == [
        "runtime/001_init.sql",
        "runtime/002_outbox.sql",
        "svc/003_more.sql",
        "svc/010_late.sql",
    ]
    assert [m.sql for m in found] == ["A;", "B;", "C;", "D;"]


def test_namespaces_keep_folder_order_not_alphabetical(tmp_path: Path) -> None:
    first = write(tmp_path / "z", {"001_x.sql": "Z;"})
    second = write(tmp_path / "y", {"001_x.sql": "Y;"})
    found = discover(("zeta", first), ("alpha", second))
    assert [m.name for m in found] == ["zeta/001_x.sql", "alpha/001_x.sql"]


def test_discover_ignores_non_sql_files(tmp_path: Path) -> None:
    folder = write(tmp_path / "m", {"001_x.sql": "X;", "README.md": "#", "002_y.sql.bak": "Y;"})
    assert [m.name for m in discover(("ns", folder))] == ["ns/001_x.sql"]


def test_discover_of_an_empty_folder_is_empty(tmp_path: Path) -> None:
    assert discover(("ns", write(tmp_path / "empty", {}))) == []


def test_runtime_migrations_ship_with_the_package() -> None:
    names = [m.name for m in discover(("runtime", RUNTIME_MIGRATIONS))]
    assert names
    assert names == sorted(names)
    assert all(n.startswith("runtime/") and n.endswith(".sql") for n in names)


def test_checksum_is_sha256_hex_and_changes_with_the_sql() -> None:
    original = Migration("ns/001_x.sql", "CREATE TABLE t (id int);")
    assert len(original.checksum) == 64
    assert original.checksum == Migration("other/name.sql", original.sql).checksum
    assert original.checksum != Migration(original.name, "CREATE TABLE t (id bigint);").checksum
    assert original.checksum != Migration(original.name, original.sql + "\n").checksum


def test_checksum_is_the_sha256_of_the_sql_text() -> None:
    empty_sha256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    assert Migration("ns/001_x.sql", "").checksum == empty_sha256
