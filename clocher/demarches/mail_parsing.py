"""Reading an e-mail received in a commune's mailbox: sender, subject, text, attachments.

Any bytes give a :class:`ParsedMail`: a message that breaks the rules (a header in an unknown
charset, a body in a charset it does not declare, no Message-ID, only HTML) is read as well as it
can be and never raises. Parsing uses :mod:`email` with ``policy.default`` (RFC 2047 headers
decoded, quoted-printable and base64 bodies decoded to text in their declared charset); the text
prefers ``text/plain`` and falls back to the HTML part stripped to plain text.
"""

from __future__ import annotations

import hashlib
import html
import re
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage, Message
from email.utils import getaddresses, parseaddr
from html.parser import HTMLParser

MAX_SUBJECT = 500
MAX_BODY = 100_000

_BLOCK_TAGS = {
    "address", "article", "blockquote", "br", "div", "footer", "h1", "h2", "h3", "h4", "h5",
    "h6", "header", "hr", "li", "ol", "p", "pre", "section", "table", "tr", "ul",
}  # fmt: skip
_SKIPPED_TAGS = {"head", "script", "style", "title", "template"}


@dataclass(frozen=True)
class ParsedAttachment:
    name: str
    content_type: str  # as the message declares it; the real type is checked by content later
    data: bytes


@dataclass(frozen=True)
class ParsedMail:
    message_key: str  # SHA-256 of the Message-ID, or of the raw bytes when there is none
    message_id: str
    sender: str  # the e-mail address ("" when the From header is unreadable)
    sender_name: str
    subject: str
    body: str
    attachments: list[ParsedAttachment] = field(default_factory=list)


def message_key(raw: bytes, message_id: str) -> str:
    """The key that makes a message stored once per mailbox."""
    basis = message_id.strip().strip("<>").strip()
    if basis:
        return hashlib.sha256(basis.encode("utf-8", "surrogateescape")).hexdigest()
    return hashlib.sha256(raw).hexdigest()


def parse_message(raw: bytes) -> ParsedMail:
    message = message_from_bytes(raw, policy=policy.default)
    message_id = _header(message, "Message-ID")
    sender_name, sender = _sender(message)
    body_part = _body_part(message)
    body = _text_of(body_part) if body_part is not None else ""
    attachments = [
        attachment
        for part in message.walk()
        if part is not body_part and (attachment := _attachment(part, len(raw))) is not None
    ]
    return ParsedMail(
        message_key=message_key(raw, message_id),
        message_id=message_id[:998],
        sender=sender,
        sender_name=sender_name,
        subject=_clean_text(_header(message, "Subject"))[:MAX_SUBJECT],
        body=body[:MAX_BODY],
        attachments=attachments,
    )


def _header(message: Message, name: str) -> str:
    """A header decoded to text, or "" when it is missing or cannot be read."""
    try:
        value = message.get(name)
    except Exception:  # a malformed header may fail in the header registry
        value = None
        try:
            raw_value = message.get_all(name, failobj=[])
            value = str(raw_value[0]) if raw_value else None
        except Exception:
            return ""
    if value is None:
        return ""
    return " ".join(str(value).split())


def _sender(message: Message) -> tuple[str, str]:
    """(display name, address) of the From header (or Sender, Reply-To as fallbacks)."""
    for name in ("From", "Sender", "Reply-To"):
        text = _header(message, name)
        if not text:
            continue
        addresses = getaddresses([text])
        for display, address in addresses or [parseaddr(text)]:
            if "@" in address:
                return _clean_text(display)[:200], address.strip()[:254]
    return "", ""


def _body_part(message: Message) -> Message | None:
    if isinstance(message, EmailMessage):
        try:
            preferred: Message | None = message.get_body(preferencelist=("plain", "html"))
        except Exception:  # a broken structure: look for any text part below
            preferred = None
        if preferred is not None:
            return preferred
    for candidate in message.walk():
        if candidate.get_content_maintype() == "text" and not candidate.get_filename():
            return candidate
    return None


def _text_of(part: Message) -> str:
    text = _decoded_text(part)
    if part.get_content_subtype() == "html":
        text = html_to_text(text)
    return _clean_text(text, keep_lines=True)


def _decoded_text(part: Message) -> str:
    try:
        content = part.get_content()  # type: ignore[attr-defined]
    except Exception:  # unknown charset, broken encoding: decode the bytes below
        content = None
    if isinstance(content, str):
        return content
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        return str(part.get_payload() or "")
    charset = part.get_content_charset() or "utf-8"
    for candidate in (charset, "utf-8", "cp1252"):
        try:
            return payload.decode(candidate)
        except (LookupError, UnicodeDecodeError):
            continue
    return payload.decode("latin-1")


def _attachment(part: Message, raw_size: int) -> ParsedAttachment | None:
    if part.is_multipart():
        return None
    try:
        name = part.get_filename() or ""
    except Exception:
        name = ""
    disposition = part.get_content_disposition()
    if not name and disposition != "attachment":
        return None
    try:
        data = part.get_payload(decode=True)
    except Exception:
        return None
    if not isinstance(data, bytes) or not data or len(data) > raw_size:
        return None
    name = _clean_text(name).replace("/", "_").replace("\\", "_")[:200] or "piece-jointe"
    return ParsedAttachment(name=name, content_type=part.get_content_type(), data=data)


def _clean_text(text: str, *, keep_lines: bool = False) -> str:
    """Text without NUL, lone surrogates or control characters (they cannot be stored)."""
    text = text.encode("utf-8", "replace").decode("utf-8")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = "".join(ch for ch in text if ch in "\n\t" or (ch >= " " and ch != "\x7f"))
    if keep_lines:
        text = re.sub(r"[ \t]+\n", "\n", text)
        text = re.sub(r"\n{3,}", "\n\n", text)
        return text.strip()
    return " ".join(text.split())


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIPPED_TAGS:
            self.skipping += 1
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED_TAGS:
            self.skipping = max(0, self.skipping - 1)
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(data)


def html_to_text(markup: str) -> str:
    """The readable text of an HTML e-mail: tags, styles and scripts removed, blocks on lines."""
    extractor = _TextExtractor()
    try:
        extractor.feed(markup)
        extractor.close()
    except Exception:
        return html.unescape(re.sub(r"<[^>]*>", " ", markup))
    lines = [" ".join(line.split()) for line in "".join(extractor.parts).split("\n")]
    return "\n".join(lines)
