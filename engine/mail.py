"""Outgoing e-mail over SMTP. Messages carry links to the case, never its content."""

from __future__ import annotations

import logging
import re
import smtplib
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Any

log = logging.getLogger(__name__)

LINK = re.compile(r"https?://\S+")


class Mailer:
    def __init__(self, config: dict[str, Any]) -> None:
        self.host = config.get("SMTP_HOST") or ""
        self.port = int(config.get("SMTP_PORT") or 25)
        self.sender = config.get("MAIL_FROM") or "sloyfe@localhost"
        self.timeout = 10

    @property
    def configured(self) -> bool:
        return bool(self.host)

    def send(self, to_address: str, subject: str, body: str) -> bool:
        """Send one plain-text message; returns False when no SMTP host is configured.

        Without a host (development), the links in the message go to the log instead, so
        they can still be followed. The address, subject and text stay out of the log, since
        they name people and cases. Raises OSError or smtplib errors when sending fails.
        """
        if not self.configured:
            log.info("mail not sent, no SMTP host configured links=%s",
                     " ".join(LINK.findall(body)) or "-")
            return False
        message = EmailMessage()
        message["From"] = self.sender
        message["To"] = to_address
        message["Subject"] = subject
        message["Date"] = formatdate(localtime=False, usegmt=True)
        message["Message-ID"] = make_msgid(domain=self.sender.rpartition("@")[2] or None)
        message.set_content(body)
        with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
            smtp.send_message(message)
        log.info("mail sent host=%s port=%s", self.host, self.port)
        return True
