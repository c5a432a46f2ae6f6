"""E-mail over SMTP: one German digest per recipient, plain text plus HTML.

The Message-ID is fixed by the outbox before the first attempt, so a message resent
after a crash carries the same ID and mail clients and servers can recognise it.
"""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Callable
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, parseaddr

from tracker.alerts import render
from tracker.alerts.channels import DeliveryError, OutgoingMessage
from tracker.settings import SmtpSettings


def sender_domain(smtp: SmtpSettings) -> str:
    """The domain of the sender address: the right-hand side of every Message-ID we make."""
    return parseaddr(smtp.sender)[1].rpartition("@")[2] or "konsultationsradar.local"


def build_email(message: OutgoingMessage, *, sender: str, base: str, now: datetime | None = None) -> EmailMessage:
    mail = EmailMessage()
    mail["Subject"] = render.subject(message.alerts, message.today)
    name, address = parseaddr(sender)
    mail["From"] = formataddr((name or "Konsultationsradar", address or sender))
    mail["To"] = message.recipient
    mail["Date"] = format_datetime(now or datetime.now(UTC))
    mail["Message-ID"] = message.message_id
    mail["Auto-Submitted"] = "auto-generated"
    mail["Content-Language"] = "de"
    mail.set_content(render.text_body(message.alerts, base, message.coverage), charset="utf-8")
    mail.add_alternative(render.html_body(message.alerts, base, message.coverage), subtype="html", charset="utf-8")
    return mail


class EmailChannel:
    def __init__(self, smtp: SmtpSettings, *, base: str | None = None) -> None:
        self.smtp = smtp
        self.base = base or render.base_url()

    def send(self, message: OutgoingMessage, accepted: Callable[[], None] | None = None) -> None:
        if not self.smtp.host:
            raise DeliveryError("SMTP_HOST ist nicht gesetzt (Umgebung oder .streamlit/secrets.toml)",
                                channel_down=True)
        mail = build_email(message, sender=self.smtp.sender, base=self.base)
        try:
            if self.smtp.use_ssl:
                client = smtplib.SMTP_SSL(self.smtp.host, self.smtp.port, timeout=self.smtp.timeout,
                                          context=ssl.create_default_context())
            else:
                client = smtplib.SMTP(self.smtp.host, self.smtp.port, timeout=self.smtp.timeout)
            with client:
                if self.smtp.starttls and not self.smtp.use_ssl:
                    client.ehlo()
                    if client.has_extn("starttls"):
                        client.starttls(context=ssl.create_default_context())
                        client.ehlo()
                    elif self.smtp.user:
                        raise DeliveryError("SMTP-Server bietet kein STARTTLS an; Passwort wird nicht "
                                            "unverschlüsselt gesendet", channel_down=True)
                if self.smtp.user:
                    client.login(self.smtp.user, self.smtp.password or "")
                client.send_message(mail, from_addr=parseaddr(self.smtp.sender)[1] or self.smtp.sender,
                                    to_addrs=[message.recipient])
                if accepted is not None:  # the server's 250 to DATA: accepted, whatever QUIT brings
                    accepted()
        except smtplib.SMTPRecipientsRefused as exc:
            codes = "; ".join(f"{rcpt}: {code} {text.decode(errors='replace')}"
                              for rcpt, (code, text) in exc.recipients.items())
            raise DeliveryError(f"Empfänger abgelehnt: {codes}") from exc
        except smtplib.SMTPResponseException as exc:
            text = exc.smtp_error.decode(errors="replace") if isinstance(exc.smtp_error, bytes) else exc.smtp_error
            # Connect, login, sender and "421 closing" failures hit every recipient alike.
            down = isinstance(exc, smtplib.SMTPConnectError | smtplib.SMTPAuthenticationError
                              | smtplib.SMTPSenderRefused) or exc.smtp_code == 421
            raise DeliveryError(f"SMTP {exc.smtp_code}: {text}", channel_down=down) from exc
        except (smtplib.SMTPException, OSError) as exc:
            raise DeliveryError(f"SMTP {self.smtp.host}:{self.smtp.port}: {type(exc).__name__}: {exc}",
                                channel_down=True) from exc
