"""`warmlink dev`'s mail sink: a local SMTP server (aiosmtpd) that delivers every message it is
handed into a Maildir in the state folder, and sends nothing on. The portal's invitations and the
referral service's patient confirmations go to it in development; the portal's development-only
/dev/mailbox page reads the Maildir."""

from __future__ import annotations

from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Mailbox


class MailSink:
    def __init__(self, maildir: Path, port: int, host: str = "127.0.0.1") -> None:
        self.maildir, self.port, self.host = maildir, port, host
        self._controller: Controller | None = None

    def start(self) -> None:
        """Serves on its own thread until `stop`; the Maildir (new/, cur/, tmp/) is made here."""
        self.maildir.parent.mkdir(parents=True, exist_ok=True)
        self._controller = Controller(Mailbox(self.maildir), hostname=self.host, port=self.port)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None
