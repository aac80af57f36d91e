"""The whole network on one machine: embedded PostgreSQL, broker and mail sink, five services as
processes.

Used by `warmlink dev` (what `make run` runs) and by the end-to-end test fixtures. State (database
files, signing keys, logs) lives in one folder so a second run resumes where the first stopped.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from tools.dev.broker import EmbeddedBroker
from tools.dev.mail import MailSink
from tools.dev.postgres import EmbeddedPostgres
from tools.dev.processes import env_with, spawn, stop, wait_until
from tools.dev.roles import ServiceRoles, provision_all
from warmlink.crypto import new_key
from warmlink.tokens import ensure_key_pair

SERVICE_PORTS = {
    "screening": 8001,
    "directory": 8002,
    "referral": 8003,
    "followup": 8004,
    "portal": 8005,
}


@dataclass
class Infra:
    """Where the broker and the database are; embedded unless external ones were given."""

    kafka_bootstrap: str
    database_url_for: dict[str, str]  # an administrator's URL (tests and tools read through it)
    kafka_profile: str = "tansu"
    # Each service's owner and runtime roles (warmlink.db_roles): the service connects as its
    # runtime role and migrates as its owner. A service without an entry connects as the admin.
    roles_for: dict[str, ServiceRoles] = field(default_factory=dict)


@dataclass
class DevStack:
    state_dir: Path
    # Fixed ports sit below Linux's ephemeral range (32768-60999): an outgoing connection that
    # happened to take 55432 as its local port once kept PostgreSQL from starting.
    pg_port: int = 15432
    kafka_port: int = 19092
    mail_port: int = 11025
    ports: Mapping[str, int] = field(default_factory=lambda: dict(SERVICE_PORTS))
    fsync: bool = True
    postgres: EmbeddedPostgres | None = None
    broker: EmbeddedBroker | None = None
    mail_sink: MailSink | None = None
    infra: Infra | None = None
    common_env: dict[str, str] = field(default_factory=dict)  # <PREFIX>_KEY for every service
    services: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    @property
    def logs(self) -> Path:
        return self.state_dir / "logs"

    @property
    def public_key(self) -> Path:
        return ensure_key_pair(self.state_dir / "keys")[1]

    def _secret(self, name: str) -> str:
        """A 256-bit key made on first run and kept in the state folder (dev and tests only):
        the directory's key-encryption key, the referral service's PHI key, the screening one."""
        path = self.state_dir / "keys" / name
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(new_key())
            path.chmod(0o600)
        return path.read_text().strip()

    @property
    def signing_key(self) -> Path:
        return ensure_key_pair(self.state_dir / "keys")[0]

    def start_infra(self) -> Infra:
        self.postgres = EmbeddedPostgres(
            self.state_dir / "postgres", self.pg_port, self.logs / "postgres.log", fsync=self.fsync
        )
        self.postgres.start()
        self.postgres.ensure_databases(list(self.ports))
        roles = provision_all(self.postgres.url(), {name: name for name in self.ports})
        self.broker = EmbeddedBroker(self.kafka_port, self.logs / "broker.log")
        self.broker.start()
        self.infra = Infra(
            kafka_bootstrap=self.broker.bootstrap_servers,
            database_url_for={name: self.postgres.url(name) for name in self.ports},
            roles_for=roles,
        )
        return self.infra

    @property
    def maildir(self) -> Path:
        return self.state_dir / "mail"

    def start_mail_sink(self) -> MailSink:
        """Mail from the portal and the referral service lands in `<state>/mail` (a Maildir)
        from now on: services started after this are pointed at it."""
        self.mail_sink = MailSink(self.maildir, self.mail_port)
        self.mail_sink.start()
        return self.mail_sink

    def _mail_env(self, name: str) -> dict[str, str]:
        if self.mail_sink is None:
            return {}
        relay = {"SMTP_HOST": self.mail_sink.host, "SMTP_PORT": str(self.mail_sink.port)}
        if name == "portal":
            return relay | {
                "SMTP_STARTTLS": "false",
                "DEV_MAILBOX_DIR": str(self.maildir),
            }
        if name == "referral":
            return relay | {"NOTIFY_CHANNEL": "smtp"}
        return {}

    def service_env(self, name: str, extra: Mapping[str, str] | None = None) -> dict[str, str]:
        assert self.infra is not None, "start_infra first"
        prefix = name.upper() + "_"
        env = self._database_env(name) | {
            "KAFKA_BOOTSTRAP_SERVERS": self.infra.kafka_bootstrap,
            "KAFKA_PROFILE": self.infra.kafka_profile,
            "JWT_PUBLIC_KEY_FILE": str(self.public_key),
            "HTTP_PORT": str(self.ports[name]),
        }
        if "directory" in self.ports:  # tokens from POST /oauth/token verify against its JWKS
            env["JWKS_URL"] = f"http://127.0.0.1:{self.ports['directory']}/.well-known/jwks.json"
        if name == "screening":  # seals screens' answers; a rotation adds keys to the ring
            env["SEAL_KEYS"] = "screening-1:" + self._secret("screening-seal")
        if name == "directory":
            env["KEY_ENCRYPTION_KEY"] = self._secret("directory-kek")
        if name == "referral":
            env["PHI_KEY"] = self._secret("referral-phi")
            if "directory" in self.ports:
                env["DIRECTORY_URL"] = f"http://127.0.0.1:{self.ports['directory']}"
            if "portal" in self.ports:  # her messages link to her status page there
                env["PORTAL_URL"] = f"http://127.0.0.1:{self.ports['portal']}"
        if name == "portal":  # calls the others' APIs for people; its client is made at seeding
            env["SECRETS_KEY"] = self._secret("portal-secrets")
            env["CLIENT_FILE"] = str(self.state_dir / "portal-client.json")
            # Where browsers reach it: organizations' providers send people back there.
            env["PUBLIC_URL"] = f"http://127.0.0.1:{self.ports[name]}"
            for other in ("screening", "directory", "referral", "followup"):
                if other in self.ports:
                    env[f"{other.upper()}_URL"] = f"http://127.0.0.1:{self.ports[other]}"
        env |= self._mail_env(name) | self.common_env | dict(extra or {})
        return env_with({prefix + k: v for k, v in env.items()})

    def _database_env(self, name: str) -> dict[str, str]:
        assert self.infra is not None, "start_infra first"
        roles = self.infra.roles_for.get(name)
        if roles is None:
            return {"DATABASE_URL": self.infra.database_url_for[name]}
        return {"DATABASE_URL": roles.runtime_url, "MIGRATION_DATABASE_URL": roles.owner_url}

    def start_service(self, name: str, extra: Mapping[str, str] | None = None) -> None:
        argv = [sys.executable, "-m", f"services.{name}"]
        self.services[name] = spawn(
            argv, log_path=self.logs / f"{name}.log", env=self.service_env(name, extra)
        )

    def wait_ready(self, name: str, timeout: float = 60.0) -> None:
        url = f"http://127.0.0.1:{self.ports[name]}/ready"

        def ready() -> bool:
            try:
                return httpx.get(url, timeout=1.0).status_code == 200
            except httpx.HTTPError:
                return False

        wait_until(ready, timeout=timeout, what=f"{name} service", proc=self.services.get(name))

    def stop_service(self, name: str) -> None:
        proc = self.services.pop(name, None)
        if proc is not None:
            stop(proc, timeout=30)

    def exited(self) -> dict[str, int]:
        return {n: p.returncode for n, p in self.services.items() if p.poll() is not None}

    def stop(self) -> None:
        for name in list(self.services):
            self.stop_service(name)
        if self.broker is not None:
            self.broker.stop()
        if self.mail_sink is not None:
            self.mail_sink.stop()
        if self.postgres is not None:
            self.postgres.stop()

    def log_tail(self, name: str, lines: int = 20) -> str:
        path = self.logs / f"{name}.log"
        if not path.exists():
            return ""
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
