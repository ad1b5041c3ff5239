"""E-mail: render a message from Jinja2 templates, then hand it to SMTP or write it into a folder as .eml.

Rendering and building the MIME message happen once, when the worker turns an event into an e-mail message
of the outbox; sending that message again after a crash sends the same bytes, with the same Message-ID,
so a mail system and a customer can recognise a repeat.
"""

from __future__ import annotations

import contextlib
import enum
import hashlib
import os
import re
import smtplib
from dataclasses import dataclass
from email.message import EmailMessage
from email.policy import default as default_policy
from email.utils import formataddr, formatdate
from pathlib import Path
from typing import Any, Protocol

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, PackageLoader, StrictUndefined, select_autoescape

from restock.config import NotifySettings


class EmailKind(enum.StrEnum):
    """The e-mails there are; each is a set of templates named after it (see `Templates`)."""

    ORDER_CONFIRMATION = "order_confirmation"
    BACKORDER_FILLED = "backorder_filled"
    DELAY_NOTICE = "delay_notice"
    ORDER_SHIPPED = "order_shipped"
    ORDER_CANCELLED = "order_cancelled"
    STILL_WAITING = "still_waiting"
    BACK_IN_STOCK = "back_in_stock"
    PLAN_SUMMARY = "plan_summary"
    """To the purchasing contact, not a customer: a stored plan run's summary (RESTOCK_PLAN_NOTIFY)."""


@dataclass(frozen=True)
class RenderedEmail:
    to: str
    subject: str
    text: str
    html: str
    unsubscribe_url: str | None = None
    """Set on the e-mails a customer may opt out of (restock alerts, periodic updates): List-Unsubscribe."""


class Templates:
    """The built-in templates, each overridable by a file of the same name in the merchant's folder.

    Every kind of e-mail is three files: `KIND.subject.txt`, `KIND.txt` (plain text) and `KIND.html`.
    """

    def __init__(self, override_dir: str | None = None) -> None:
        loaders: list[Any] = [PackageLoader("restock.notify", "templates")]
        if override_dir:
            loaders.insert(0, FileSystemLoader(override_dir))
        self._text = Environment(loader=ChoiceLoader(loaders), autoescape=False, undefined=StrictUndefined)
        self._html = Environment(
            loader=ChoiceLoader(loaders), autoescape=select_autoescape(["html"]), undefined=StrictUndefined
        )

    def render(
        self, kind: EmailKind, to: str, context: dict[str, Any], unsubscribe_url: str | None = None
    ) -> RenderedEmail:
        context = {**context, "unsubscribe_url": unsubscribe_url}
        subject = self._text.get_template(f"{kind}.subject.txt").render(context)
        return RenderedEmail(
            to=to,
            subject=" ".join(subject.split()),
            text=self._text.get_template(f"{kind}.txt").render(context),
            html=self._html.get_template(f"{kind}.html").render(context),
            unsubscribe_url=unsubscribe_url,
        )


HEADERS_UNFOLDED = default_policy.clone(max_line_length=998)
"""RFC 5322's line limit: Python folds a long subject at 78 characters in a way that leaves readers a
leading space, so headers stay on one line."""
WIRE = HEADERS_UNFOLDED.clone(linesep="\r\n", cte_type="7bit")
"""What goes to the SMTP server: CRLF line ends, and only ASCII (non-ASCII text is encoded, headers too)."""


def message_id(dedup_key: str) -> str:
    """The same outbox message gives the same Message-ID, however often it is sent."""
    return f"<{hashlib.sha256(dedup_key.encode()).hexdigest()[:40]}@restock>"


def build_message(rendered: RenderedEmail, dedup_key: str, settings: NotifySettings) -> EmailMessage:
    """A multipart/alternative e-mail: plain text first, then HTML."""
    msg = EmailMessage(policy=HEADERS_UNFOLDED)
    msg["From"] = formataddr((settings.shop_name, settings.mail_from))
    msg["To"] = rendered.to
    msg["Subject"] = rendered.subject
    msg["Date"] = formatdate(usegmt=True)
    msg["Message-ID"] = message_id(dedup_key)
    msg["X-Restock-Dedup-Key"] = dedup_key
    if rendered.unsubscribe_url:
        msg["List-Unsubscribe"] = f"<{rendered.unsubscribe_url}>"
        msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"  # RFC 8058
    msg.set_content(rendered.text)
    msg.add_alternative(rendered.html, subtype="html")
    return msg


@dataclass(frozen=True)
class Outgoing:
    """An e-mail ready for the wire, as the outbox keeps it: built once, so every retry sends the same bytes.

    (Building MIME with the `email` package costs more than sending it: doing it once, when the event is
    expanded, is what lets the worker keep up with a plain SMTP loop.)
    """

    sender: str
    to: str
    data: str
    """The whole message, ASCII with CRLF line ends."""

    @classmethod
    def compose(cls, rendered: RenderedEmail, dedup_key: str, settings: NotifySettings) -> Outgoing:
        message = build_message(rendered, dedup_key, settings)
        return cls(settings.mail_from, rendered.to, message.as_string(policy=WIRE))

    def to_payload(self) -> dict[str, Any]:
        return {"from": self.sender, "to": self.to, "data": self.data}

    @classmethod
    def from_payload(cls, payload: dict[str, Any]) -> Outgoing:
        return cls(payload["from"], payload["to"], payload["data"])


class Mailer(Protocol):
    def send(self, mail: Outgoing, dedup_key: str) -> None: ...

    def close(self) -> None: ...


class SmtpMailer:
    """One SMTP connection kept open across messages (a handshake per message would halve throughput)."""

    def __init__(self, settings: NotifySettings) -> None:
        assert settings.smtp_host
        self.settings = settings
        self._smtp: smtplib.SMTP | None = None

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        assert s.smtp_host
        smtp = smtplib.SMTP(s.smtp_host, s.smtp_port, timeout=30)
        if s.smtp_starttls:
            smtp.starttls()
        if s.smtp_user:
            smtp.login(s.smtp_user, s.smtp_password or "")
        return smtp

    def send(self, mail: Outgoing, dedup_key: str) -> None:
        data = mail.data.encode("ascii")
        if self._smtp is None:
            self._smtp = self._connect()
        try:
            self._smtp.sendmail(mail.sender, [mail.to], data)
        except smtplib.SMTPServerDisconnected:
            self._smtp = self._connect()  # the server closed an idle connection: one fresh try
            self._smtp.sendmail(mail.sender, [mail.to], data)
        except smtplib.SMTPException:
            self.close()
            raise

    def close(self) -> None:
        if self._smtp is not None:
            with contextlib.suppress(smtplib.SMTPException, OSError):
                self._smtp.quit()
            self._smtp = None


class FolderMailer:
    """Without SMTP: each e-mail is a .eml file named after its deduplication key (a repeat overwrites it)."""

    def __init__(self, folder: str) -> None:
        self.folder = Path(folder)

    def send(self, mail: Outgoing, dedup_key: str) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        name = re.sub(r"[^A-Za-z0-9_.-]", "_", dedup_key)[:150]
        target = self.folder / f"{name}.eml"
        partial = target.with_suffix(f".{os.getpid()}.tmp")
        partial.write_bytes(mail.data.encode("ascii"))
        partial.replace(target)  # readers never see half a file

    def close(self) -> None:
        return None


def make_mailer(settings: NotifySettings) -> Mailer:
    return SmtpMailer(settings) if settings.smtp_host else FolderMailer(settings.mail_dir)
