"""A real SMTP server in-process (aiosmtpd) that keeps what it receives, for the e-mail tests."""
import socket
from email import message_from_bytes, policy

from aiosmtpd.controller import Controller


class SmtpInbox:
    """Every message delivered, parsed: `.messages` (email.message.EmailMessage), `.to(address)`."""

    def __init__(self):
        self.messages = []
        port = _free_port()
        self.controller = Controller(self, hostname="127.0.0.1", port=port)
        self.host, self.port = "127.0.0.1", port

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
        self.messages.append(message_from_bytes(envelope.original_content or envelope.content, policy=policy.default))
        return "250 OK"

    def to(self, address: str) -> list:
        return [m for m in self.messages if m["To"] == address]

    def start(self):
        self.controller.start()
        return self

    def stop(self):
        self.controller.stop()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
