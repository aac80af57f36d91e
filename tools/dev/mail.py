"""`warmlink dev`'s mail sink: a local SMTP server (aiosmtpd) that delivers every message it is
handed into a Maildir in the state folder, and sends nothing on. The portal's invitations and
alerts and the referral service's patient confirmations go to it in development; the portal's
development-only /dev/mailbox page reads the Maildir.

It keeps each Message-ID once: a sender that handed a message over and died before it recorded
so (the portal's alerts) sends it again under the same Message-ID, and the copy is dropped, as
a receiving system that deduplicates by Message-ID would."""

from __future__ import annotations

import mailbox
from email.message import Message
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Mailbox


class OncePerMessageId(Mailbox):
    """A Maildir that drops a message whose Message-ID it already holds (from earlier runs too).
    Messages without one are all kept. `duplicates` counts the copies dropped."""

    def __init__(self, maildir: Path) -> None:
        super().__init__(maildir)
        box = mailbox.Maildir(maildir, create=True)
        self.seen = {str(m["Message-ID"]) for m in box if m["Message-ID"]}
        self.duplicates = 0

    def handle_message(self, message: Message) -> None:
        message_id = message["Message-ID"]
        if message_id and str(message_id) in self.seen:
            self.duplicates += 1
            return
        if message_id:
            self.seen.add(str(message_id))
        super().handle_message(message)


class MailSink:
    def __init__(self, maildir: Path, port: int, host: str = "127.0.0.1") -> None:
        self.maildir, self.port, self.host = maildir, port, host
        self._controller: Controller | None = None
        self.handler: OncePerMessageId | None = None

    def start(self) -> None:
        """Serves on its own thread until `stop`; the Maildir (new/, cur/, tmp/) is made here."""
        self.maildir.parent.mkdir(parents=True, exist_ok=True)
        self.handler = self.handler_for(self.maildir)
        self._controller = Controller(self.handler, hostname=self.host, port=self.port)
        self._controller.start()

    def handler_for(self, maildir: Path) -> OncePerMessageId:
        """The handler it serves with (a test may serve a subclass)."""
        return OncePerMessageId(maildir)

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None
