"""Newsletter messages as bytes, built by string formatting instead of the ``email`` package.

Django's ``EmailMultiAlternatives`` builds and serialises a tree of ``email`` objects per message
(about a millisecond each); thousands of messages that differ only in their recipient, their
Message-ID and a token in their links need none of that. The parts are encoded quoted-printable
(``binascii``, in C), so the ``=_`` boundary can never occur inside them, and every line ends in
CRLF as SMTP wants. Whatever this does not handle plainly (a non-ASCII address, a header value
that is not one short ASCII line, attachments, several recipients) is left to Django: ``build``
returns None and the caller uses ``portal.outbox.build_message``.

``smtp_send`` then hands such a message to the server on an open ``smtplib`` connection, with
pipelining when the server offers it.
"""

from __future__ import annotations

import binascii
import contextlib
import re
import secrets
import smtplib
from collections.abc import Mapping, Sequence
from email.header import Header
from email.utils import formataddr, formatdate, parseaddr

from django.conf import settings

# Headers the builder writes itself; a row's own headers may not repeat them.
OWN_HEADERS = frozenset({"from", "to", "subject", "date", "message-id", "mime-version", "content-type"})
MAX_PLAIN_HEADER = 900  # below SMTP's 998-character line limit, with room for the name


def _plain(value: str) -> bool:
    return value.isascii() and len(value) <= MAX_PLAIN_HEADER and not any(char in value for char in "\r\n\0")


def _body(text: str) -> bytes:
    # CRLF in, CRLF out: b2a_qp keeps the line ending it finds first.
    crlf = text.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\r\n")
    return binascii.b2a_qp(crlf.encode("utf-8"), istext=True)


class RawMessages:
    """Builds the messages of one batch; the subject and sender encodings are computed once."""

    def __init__(self) -> None:
        self.boundary = "=_" + secrets.token_hex(12)
        # One date per batch: the batch is sent within seconds.
        self.date = formatdate(localtime=settings.EMAIL_USE_LOCALTIME)
        self._subjects: dict[str, str] = {}
        self._senders: dict[str, str | None] = {}

    def _subject(self, subject: str) -> str:
        encoded = self._subjects.get(subject)
        if encoded is None:
            one_line = " ".join(subject.split())
            if _plain(one_line) and len(one_line) <= 200:
                encoded = one_line
            else:
                encoded = Header(one_line, "utf-8", header_name="Subject").encode(linesep="\r\n")
            self._subjects[subject] = encoded
        return encoded

    def _sender(self, from_email: str) -> str | None:
        if from_email not in self._senders:
            name, address = parseaddr(from_email)
            self._senders[from_email] = formataddr((name, address), charset="utf-8") if address.isascii() else None
        return self._senders[from_email]

    def sender_address(self, from_email: str) -> str:
        """The bare address of ``from_email`` (the envelope sender without VERP), parsed once."""
        key = "address:" + from_email
        if key not in self._senders:
            self._senders[key] = parseaddr(from_email or settings.DEFAULT_FROM_EMAIL)[1]
        return self._senders[key]

    def build(
        self,
        *,
        to: Sequence[str],
        from_email: str,
        subject: str,
        text: str,
        html: str,
        headers: Mapping[str, str],
        message_id: str,
    ) -> bytes | None:
        """The message as bytes with CRLF line ends, or None when Django should build it instead."""
        if len(to) != 1 or not _plain(to[0]) or not _plain(message_id):
            return None
        sender = self._sender(from_email or settings.DEFAULT_FROM_EMAIL)
        if sender is None or not _plain(sender):
            return None
        lines = [
            f"From: {sender}",
            f"To: {to[0]}",
            f"Subject: {self._subject(subject)}",
            f"Date: {self.date}",
            f"Message-ID: {message_id}",
        ]
        for name, value in headers.items():
            if name.lower() in OWN_HEADERS or not name.isascii() or not _plain(value):
                return None
            lines.append(f"{name}: {value}")
        lines.append("MIME-Version: 1.0")
        boundary = self.boundary
        text_part = "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n"
        if not html:
            lines += ["Content-Type: text/plain; charset=utf-8", "Content-Transfer-Encoding: quoted-printable"]
            return ("\r\n".join(lines) + "\r\n\r\n").encode("ascii") + _body(text) + b"\r\n"
        lines.append(f'Content-Type: multipart/alternative; boundary="{boundary}"')
        head = "\r\n".join(lines) + f"\r\n\r\n--{boundary}\r\n" + text_part
        middle = (
            f"\r\n--{boundary}\r\n"
            "Content-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n"
        )
        return b"".join(
            [
                head.encode("ascii"),
                _body(text),
                middle.encode("ascii"),
                _body(html),
                f"\r\n--{boundary}--\r\n".encode("ascii"),
            ]
        )


_LEADING_DOT = re.compile(rb"(?m)^\.")
_ACCEPTED_RECIPIENT = (250, 251)


def smtp_prepare(smtp: smtplib.SMTP) -> bool:
    """Greet the server once per connection; whether it takes pipelined commands (RFC 2920)."""
    smtp.ehlo_or_helo_if_needed()
    return smtp.has_extn("pipelining")


def smtp_send(smtp: smtplib.SMTP, sender: str, recipient: str, message: bytes, *, pipelining: bool) -> None:
    """Send ``message`` (CRLF line ends, 7-bit) from ``sender`` to ``recipient`` on an open connection.

    What ``smtplib.SMTP.sendmail`` does for one recipient, raising the same exceptions
    (``SMTPSenderRefused``, ``SMTPRecipientsRefused``, ``SMTPDataError``, ``SMTPServerDisconnected``),
    minus its per-message address parsing. With ``pipelining`` MAIL, RCPT and DATA go out in one
    write and their answers are read together: one round trip instead of three. The addresses are
    the builder's plain ASCII ones (no CR or LF).
    """
    commands = [f"MAIL FROM:<{sender}>", f"RCPT TO:<{recipient}>", "DATA"]
    replies: list[tuple[int, bytes]] = []
    if pipelining:
        smtp.send("".join(f"{command}\r\n" for command in commands).encode("ascii"))
        replies = [smtp.getreply() for _command in commands]
    else:
        for command, expected in zip(commands, ((250,), _ACCEPTED_RECIPIENT, (354,)), strict=True):
            smtp.send(f"{command}\r\n".encode("ascii"))
            replies.append(smtp.getreply())
            if replies[-1][0] not in expected:
                break
    (mail_code, mail_answer), *rest = replies
    if mail_code != 250:
        _reset(smtp)
        raise smtplib.SMTPSenderRefused(mail_code, mail_answer, sender)
    rcpt_code, rcpt_answer = rest[0]
    if rcpt_code not in _ACCEPTED_RECIPIENT:
        _reset(smtp)
        raise smtplib.SMTPRecipientsRefused({recipient: (rcpt_code, rcpt_answer)})
    data_code, data_answer = rest[1]
    if data_code != 354:
        _reset(smtp)
        raise smtplib.SMTPDataError(data_code, data_answer)
    body = _LEADING_DOT.sub(b"..", message)
    if not body.endswith(b"\r\n"):
        body += b"\r\n"
    smtp.send(body + b".\r\n")
    code, answer = smtp.getreply()
    if code != 250:
        _reset(smtp)
        raise smtplib.SMTPDataError(code, answer)


def _reset(smtp: smtplib.SMTP) -> None:
    # As sendmail does after a refusal: the connection stays usable for the next message.
    with contextlib.suppress(smtplib.SMTPServerDisconnected):
        smtp.rset()


class SMTPPipeline:
    """Messages one after another on one connection: one round trip each with PIPELINING.

    RFC 2920 lets a client send a message's content and end marker together with the next
    message's MAIL, RCPT and DATA, and read the answers together. ``send`` therefore holds each
    accepted message's content until the next ``send`` (or ``finish``) and returns the outcomes
    that became known: ``(key, None)`` for a message the server took, ``(key, exception)`` (the
    exception ``sendmail`` would raise) for one it refused. Without PIPELINING each message is
    sent and answered at once. A broken connection raises out of ``send`` or ``finish``; then the
    held message's and the current message's outcomes are unknown (``unsettled`` names them).
    """

    def __init__(self, smtp: smtplib.SMTP, *, pipelining: bool) -> None:
        self.smtp = smtp
        self.pipelining = pipelining
        self._held: tuple[object, bytes] | None = None
        self.unsettled: list[object] = []

    def send(self, key: object, sender: str, recipient: str, message: bytes) -> list[tuple[object, Exception | None]]:
        self.unsettled.append(key)
        if not self.pipelining:
            try:
                smtp_send(self.smtp, sender, recipient, message, pipelining=False)
            except (smtplib.SMTPSenderRefused, smtplib.SMTPRecipientsRefused, smtplib.SMTPDataError) as exc:
                return self._settle([(key, exc)])
            return self._settle([(key, None)])
        commands = f"MAIL FROM:<{sender}>\r\nRCPT TO:<{recipient}>\r\nDATA\r\n".encode("ascii")
        held, self._held = self._held, None
        self.smtp.send((_content(held[1]) if held else b"") + commands)
        outcomes = [self._content_outcome(held[0])] if held else []
        replies = [self.smtp.getreply() for _command in range(3)]
        refusal = _refusal(replies, sender, recipient)
        if refusal is None:
            self._held = (key, message)
        else:
            _reset(self.smtp)
            outcomes.append((key, refusal))
        return self._settle(outcomes)

    def finish(self) -> list[tuple[object, Exception | None]]:
        """Send the held message's content and return its outcome (the batch's last)."""
        held, self._held = self._held, None
        if held is None:
            return []
        self.smtp.send(_content(held[1]))
        return self._settle([self._content_outcome(held[0])])

    def _content_outcome(self, key: object) -> tuple[object, Exception | None]:
        code, answer = self.smtp.getreply()
        return key, None if code == 250 else smtplib.SMTPDataError(code, answer)

    def _settle(self, outcomes: list[tuple[object, Exception | None]]) -> list[tuple[object, Exception | None]]:
        for key, _outcome in outcomes:
            self.unsettled.remove(key)
        return outcomes


def _content(message: bytes) -> bytes:
    body = _LEADING_DOT.sub(b"..", message)
    if not body.endswith(b"\r\n"):
        body += b"\r\n"
    return body + b".\r\n"


def _refusal(replies: list[tuple[int, bytes]], sender: str, recipient: str) -> Exception | None:
    """The exception for the first refused of MAIL, RCPT and DATA, or None when all were accepted."""
    (mail_code, mail_answer), (rcpt_code, rcpt_answer), (data_code, data_answer) = replies
    if mail_code != 250:
        return smtplib.SMTPSenderRefused(mail_code, mail_answer, sender)
    if rcpt_code not in _ACCEPTED_RECIPIENT:
        return smtplib.SMTPRecipientsRefused({recipient: (rcpt_code, rcpt_answer)})
    if data_code != 354:
        return smtplib.SMTPDataError(data_code, data_answer)
    return None
