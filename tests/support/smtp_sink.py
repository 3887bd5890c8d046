"""A minimal SMTP server on 127.0.0.1 for the alert tests: it speaks HELO/EHLO, MAIL, RCPT, DATA, RSET, NOOP and QUIT,
keeps every message it receives, and offers neither TLS nor login (a client that insists on them fails, as it
should against such a server)."""

from __future__ import annotations

import socketserver
import threading
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message


@dataclass
class ReceivedMail:
    sender: str
    recipients: list[str]
    message: Message


@dataclass
class SmtpSink:
    host: str
    port: int
    received: list[ReceivedMail] = field(default_factory=list)


class _Handler(socketserver.StreamRequestHandler):
    def reply(self, line: str) -> None:
        self.wfile.write(f"{line}\r\n".encode())

    def handle(self) -> None:
        sink: SmtpSink = self.server.sink  # type: ignore[attr-defined]
        sender, recipients = "", []
        self.reply("220 sink ready")
        while line := self.rfile.readline():
            command = line.decode().strip()
            verb = command[:4].upper()
            if verb == "EHLO":
                self.reply("250-sink")
                self.reply("250 8BITMIME")
            elif verb == "HELO" or verb == "NOOP":
                self.reply("250 ok")
            elif verb == "MAIL":
                sender, recipients = command.partition(":")[2].strip().split()[0].strip("<>"), []
                self.reply("250 ok")
            elif verb == "RCPT":
                recipients.append(command.partition(":")[2].strip().strip("<>"))
                self.reply("250 ok")
            elif verb == "DATA":
                self.reply("354 end with <CRLF>.<CRLF>")
                body = b""
                while (data := self.rfile.readline()) not in (b".\r\n", b""):
                    body += data[1:] if data.startswith(b"..") else data
                sink.received.append(ReceivedMail(sender, recipients, message_from_bytes(body)))
                self.reply("250 queued")
            elif verb == "RSET":
                sender, recipients = "", []
                self.reply("250 ok")
            elif verb == "QUIT":
                self.reply("221 bye")
                return
            else:
                self.reply("502 not implemented")


def start_smtp_sink() -> tuple[SmtpSink, socketserver.ThreadingTCPServer]:
    """A running sink on a free port; call ``server.shutdown()`` and ``server.server_close()`` when done."""
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    sink = SmtpSink(*server.server_address[:2])
    server.sink = sink  # type: ignore[attr-defined]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return sink, server
