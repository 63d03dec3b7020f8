"""Reading one inbound email: who wrote it, whether that was checked, and what we cannot read.

Mail written by a machine (bounces, auto-replies, lists, our own mail come back) is never
answered: answering it is how mail loops start. A From address proves nothing by itself;
it counts only when the relay we trust checked it (DMARC pass in the Authentication-Results
header it added, RFC 8601). Attachments are counted, never kept.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from email.message import EmailMessage, Message
from email.utils import getaddresses, parseaddr

from .base import cut_text
from .email_reply import read_reply

# Headers and values that mark mail written by a machine (RFC 3834 and common practice).
_AUTOMATIC_PRECEDENCE = {"bulk", "junk", "list", "auto_reply"}
_AUTOMATIC_HEADERS = ("x-autoreply", "x-autorespond", "x-auto-response-suppress-reply")
_DAEMON_SENDERS = re.compile(r"^(mailer-daemon|postmaster)@", re.IGNORECASE)
# Our replies name only the message they answer in References, so a person's answer to one
# of ours cites one of our messages. A chain citing several was kept by a machine that
# answers every message in a thread (a ticket system, an autoresponder): a loop.
OWN_IDS_IN_A_LOOP = 2
# Parts that sign a message rather than carry something the person sent.
_SIGNATURE_TYPES = {
    "application/pgp-signature",
    "application/pkcs7-signature",
    "application/x-pkcs7-signature",
}


def own_message_id(domain: str) -> re.Pattern[str]:
    """Our Message-IDs: ``make_msgid(idstring="coproduce.<outbox id>", domain=<our domain>)``."""
    return re.compile(rf"\.coproduce\.\d+@{re.escape(domain)}>", re.IGNORECASE)


def automatic_reason(
    message: EmailMessage, envelope_from: str | None, own_address: str, own_ids: re.Pattern[str]
) -> str | None:
    """Why this mail was written by a machine or is a loop, or None for a person's mail."""
    if envelope_from is not None and envelope_from.strip("<> ") == "":
        return "null sender (a bounce)"
    auto = str(message.get("Auto-Submitted", "")).strip().lower()
    if auto and auto != "no":
        return f"Auto-Submitted: {auto}"
    precedence = str(message.get("Precedence", "")).strip().lower()
    if precedence in _AUTOMATIC_PRECEDENCE:
        return f"Precedence: {precedence}"
    for header in _AUTOMATIC_HEADERS:
        if message.get(header) is not None:
            return f"{header} header"
    if message.get_content_type() == "multipart/report":
        return "a delivery report"
    sender = parseaddr(str(message.get("From", "")))[1].lower()
    if _DAEMON_SENDERS.match(sender):
        return "from a mail system"
    if sender == own_address or (envelope_from or "").strip("<> ").lower() == own_address:
        return "from our own address (a loop)"
    if own_ids.search(str(message.get("Message-ID", ""))):
        return "our own message, come back (a loop)"
    cited = own_ids.findall(" ".join(str(v) for v in message.get_all("References", [])))
    if len(cited) >= OWN_IDS_IN_A_LOOP:
        return f"References cite {len(cited)} of our messages (a loop)"
    return None


def verified_sender(message: EmailMessage, trusted_authserv_id: str | None) -> bool:
    """True when the relay named ``trusted_authserv_id`` says the From address passed DMARC.

    Only the topmost Authentication-Results header with that id counts: the relay adds it
    on top and removes any with its own id that came from outside (RFC 8601 section 5), so
    a sender cannot forge it. A message with more than one From address is never verified.
    """
    if not trusted_authserv_id:
        return False
    senders = getaddresses([str(value) for value in message.get_all("From", [])])
    if len(senders) != 1 or "@" not in senders[0][1]:
        return False
    from_domain = senders[0][1].rpartition("@")[2].lower()
    for value in message.get_all("Authentication-Results", []):
        authserv_id, results = _split_results(str(value))
        if authserv_id == trusted_authserv_id.lower():
            return _dmarc_passed(results, from_domain)
    return False


def _split_results(value: str) -> tuple[str, list[str]]:
    text = _without_comments(value)
    parts = [part.strip() for part in text.split(";")]
    words = parts[0].split()
    return (words[0].lower() if words else ""), parts[1:]


def _without_comments(value: str) -> str:
    """The header without its (comments), which may nest: one pass, however deep."""
    kept, depth = [], 0
    for character in value:
        if character == "(":
            depth += 1
        elif character == ")" and depth:
            depth -= 1
            if not depth:
                kept.append(" ")
        elif not depth:
            kept.append(character)
    return "".join(kept)


def _dmarc_passed(results: list[str], from_domain: str) -> bool:
    for result in results:
        words = result.split()
        if not words or words[0].lower() != "dmarc=pass":
            continue
        properties = dict(word.lower().partition("=")[::2] for word in words[1:])
        checked = properties.get("header.from", from_domain).strip('"')
        if checked == from_domain:
            return True
    return False


def attachment_count(message: Message) -> int:
    """How many parts carry something other than the text we read: pictures, files, voice
    notes. The other version of the text (HTML beside plain), signature parts and images
    placed inside an HTML body (logos in a signature) are not counted."""
    count = 0
    for part in _leaves(message, inside_related=False):
        if part.get_content_type() in _SIGNATURE_TYPES:
            continue
        if part.get_content_maintype() == "multipart":
            continue  # a container whose boundary is missing: nothing we could read
        if (
            part.get_content_type() in ("text/plain", "text/html")
            and part.get_content_disposition() != "attachment"
        ):
            continue  # the text we read, or the other version of it
        count += 1
    return count


def _leaves(part: Message, inside_related: bool) -> list[Message]:
    if not part.is_multipart():
        embedded = inside_related and part.get("Content-ID") is not None
        return [] if embedded else [part]
    related = inside_related or part.get_content_subtype() == "related"
    payload = part.get_payload()
    children = payload if isinstance(payload, list) else []
    return [leaf for child in children for leaf in _leaves(child, related)]


def recipients(envelope_to: tuple[str, ...], message: EmailMessage) -> list[str]:
    """Where the mail was delivered: the SMTP envelope, else the headers."""
    if envelope_to:
        return list(envelope_to)
    found: list[str] = []
    for header in ("Delivered-To", "To", "Cc"):
        for value in message.get_all(header, []):
            found.extend(a for _, a in getaddresses([str(value)]))
    return found


@dataclass(frozen=True)
class InboundText:
    """The fields of an InboundMessage read from the body of an email reply."""

    text: str
    cut_from: int | None
    unsure: bool
    unquoted_text: str | None


def inbound_text(message: EmailMessage, limit: int) -> InboundText:
    """The person's new text (cut to `limit`), and, when the reading may be partial, every
    unquoted line of theirs for the leads to read (`read_reply`'s ``unsure``)."""
    reply = read_reply(message)
    text, cut_from = cut_text(reply.text, limit)
    unquoted = cut_text(reply.unquoted, limit)[0] if reply.unsure else None
    return InboundText(text, cut_from, reply.unsure, unquoted)
