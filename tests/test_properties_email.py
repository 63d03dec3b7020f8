"""Property tests of reading mail: any MIME tree, however broken (nested multiparts, unknown or
lying charsets, broken base64 and quoted-printable, missing boundaries, raw non-ASCII and huge
headers), is either read into a message we can store or refused as malformed; finding the new
text of a reply never raises, and never keeps a quoted line."""

from __future__ import annotations

import base64
import quopri
import re
from datetime import UTC, datetime
from email import message_from_bytes, policy

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from channels.base import MalformedRequest, ProviderRequest
from channels.email import TEXT_LIMIT, EmailChannel, EmailSettings
from channels.email_reply import html_to_text, reply_text, strip_quoted

RECEIVED = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
TOKEN = "k7q2m4x3v3c4b5n6d2f7g2h4j6"  # a reply token: lower-case base32
PROPERTY = settings(
    deadline=None, max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

CHARSETS = [
    "utf-8", "us-ascii", "iso-8859-1", "windows-1252", "koi8-r", "shift_jis", "gb2312",
    "utf-16", "utf-7", "x-unknown", "base64", "idna", "punycode", "undefined", "unicode_escape",
    "hex", "rot13", "", '"', "utf-8''", "utf\x00-8",
]  # fmt: skip
CONTENT_TYPES = [
    "text/plain", "text/html", "text/plain; format=flowed; delsp=yes", "text/enriched",
    "image/png", "application/octet-stream", "application/pgp-signature", "message/delivery-status",
    "text", "text/", "/", ";", "text/plain; charset*=utf-8''%ZZ%", "text/plain; name*0*=x; name*1",
    'text/plain; charset="', "text/html; charset=utf-8; charset=latin-1",
]  # fmt: skip
ENCODINGS = ["base64", "quoted-printable", "7bit", "8bit", "binary", "x-uuencode", "b64", ""]
DISPOSITIONS = [
    "attachment", "inline", "attachment; filename*=utf-8''%E2%9C", 'attachment; filename="',
    "attachment; filename=\xe9t\xe9.txt", "form-data; name=x", ";;;",
    "inline; filename*", "attachment; =x; filename*0*",
]  # fmt: skip
# Lines a reply's body is made of: the person's words, and the history clients add below.
BODY_LINES = [
    "I can come on Tuesday.", "STOP", "HELP", "Diolch yn fawr.", "شکریہ", "Dziękuję!",
    "> Hello Jo.", ">> older", "On Mon, 23 Nov 2026 at 10:00, Coproduce <c@example.org> wrote:",
    "-- ", "Sent from my iPhone", "-----Original Message-----", "From: Coproduce", "Sent: Monday",
    "<p>Hi <b>there</b></p>", "<blockquote>quoted</blockquote>", '<div class="gmail_quote">',
    "&amp; &#0; &#xD800; &bogus;", "<!-- unclosed", "<![CDATA[x", "=?utf-8?q?caf=C3=A9?=",
    "", " ", "\t", "\x00", "\x0b\x0c\x1c", "\u2028", "😀", "\ufeff",
]  # fmt: skip

HEADER_NAMES = [
    "From", "To", "Cc", "Subject", "Message-ID", "References", "In-Reply-To", "Date",
    "Auto-Submitted", "Precedence", "Authentication-Results", "Delivered-To", "Reply-To",
    "Content-Type", "Content-Transfer-Encoding", "Content-Disposition", "MIME-Version",
]  # fmt: skip
HEADER_VALUES = [
    b"Jo <jo@example.net>", b"<coproduce+%s@example.org>" % TOKEN.encode(), b"<>", b'"',
    b"a@b, c@d", b"=?utf-8?b?!!!?= <x@y.z>", b"(((nested)) comment", b"no",
]  # fmt: skip
# Pieces of broken HTML.
SOUP = [
    "<", ">", "</", "<!", "<!--", "-->", "<![CDATA[", "]]>", "<?", "<script>", "</script>",
    "<style", "<head>", "<body>", "<blockquote>", "</blockquote>", "<ol>", "<li>", "</ol>",
    "<pre>", "</pre>", '<div class="gmail_quote">', "<div id='divRplyFwdMsg'>", "&", "&#",
    "&#x110000;", "&#99999999999;", "&lt", "<a href=", "'", '"', "=", "<br/>", "<td>", "<p/>",
    "<!DOCTYPE", "<![if", "<![endif]>",
]  # fmt: skip

_raw_line = st.binary(max_size=30).map(lambda b: b.replace(b"\r", b"").replace(b"\n", b""))
_unicode_line = st.text(st.characters(exclude_categories=("Cs",)), max_size=30)
_encoded_word = st.builds(
    lambda charset, encoding, payload: b"=?%s?%s?%s?=" % (charset.encode(), encoding, payload),
    st.sampled_from(CHARSETS),
    st.sampled_from([b"B", b"q", b"X", b""]),
    st.one_of(st.binary(max_size=12).map(base64.b64encode), _raw_line),
)


def _long(piece: st.SearchStrategy[bytes]) -> st.SearchStrategy[bytes]:
    """A header value of up to about 20 kB (the stdlib parser is slow beyond that)."""
    return st.tuples(piece, st.integers(50, 500)).map(lambda pair: (pair[0] * pair[1])[:20_000])


_header_value = st.one_of(
    _unicode_line.map(lambda s: s.replace("\r", "").replace("\n", "").encode()),
    _raw_line,
    _encoded_word,
    st.sampled_from(HEADER_VALUES),
    _long(_encoded_word | _raw_line | st.just(b"(")),  # "(((...": comments nested deep
)
_header_name = st.one_of(
    st.sampled_from(HEADER_NAMES),
    st.from_regex(r"[!-9;-~]{1,20}", fullmatch=True),
)
_header_line = st.one_of(
    st.builds(lambda name, value: name.encode() + b": " + value, _header_name, _header_value),
    st.builds(lambda value: b" " + value, _header_value),  # a continuation line
    _raw_line,  # no colon at all
)


def _body_text(lines: list[str], charset: str) -> bytes:
    text = "\r\n".join(lines)
    try:
        return text.encode(charset.strip('"') or "utf-8", errors="replace")
    except (LookupError, ValueError, TypeError):
        return text.encode("utf-8", errors="surrogatepass")


@st.composite
def _leaf(draw: st.DrawFn) -> tuple[list[bytes], bytes]:
    content_type = draw(st.sampled_from(CONTENT_TYPES))
    charset = draw(st.sampled_from(CHARSETS))
    encoding = draw(st.sampled_from(ENCODINGS))
    headers = [b"Content-Type: %s; charset=%s" % (content_type.encode(), charset.encode())]
    if encoding:
        headers.append(b"Content-Transfer-Encoding: " + encoding.encode())
    if draw(st.booleans()):
        headers.append(
            b"Content-Disposition: " + draw(st.sampled_from(DISPOSITIONS)).encode("latin-1")
        )
    lines = draw(st.lists(st.sampled_from(BODY_LINES) | _unicode_line, max_size=8))
    body = draw(st.sampled_from([_body_text(lines, charset), draw(st.binary(max_size=200))]))
    if encoding == "base64":
        body = base64.encodebytes(body)
    elif encoding == "quoted-printable":
        body = quopri.encodestring(body)
    if draw(st.booleans()):  # broken on the way: cut short, or garbage in the middle
        at = draw(st.integers(0, len(body)))
        body = body[:at] + draw(st.sampled_from([b"", b"=", b"=ZZ", b"!!!", b"\xff\x00", b"==="]))
    return headers, body


@st.composite
def mime_parts(draw: st.DrawFn, depth: int) -> bytes:
    """One MIME part as raw bytes: headers, a blank line, a body (maybe parts of its own)."""
    extra = draw(st.lists(_header_line, max_size=2))
    if depth > 0 and draw(st.integers(0, 2)) == 0:
        subtype = draw(
            st.sampled_from(["mixed", "alternative", "related", "signed", "digest", "report", "x"])
        )
        boundary = draw(st.sampled_from([b"b%d" % depth, b'"q b"', b"", b"\xff", b"-" * 75]))
        header = b"Content-Type: multipart/" + subtype.encode()
        if draw(st.booleans()):
            header += b"; boundary=" + boundary
        delimiter = b"--" + boundary.strip(b'"')
        children = draw(st.lists(mime_parts(depth - 1), max_size=3))
        body = draw(_raw_line) + b"".join(b"\r\n" + delimiter + b"\r\n" + c for c in children)
        if draw(st.booleans()):
            body += b"\r\n" + delimiter + b"--\r\n"  # else the closing delimiter is missing
        headers = [header]
    elif depth > 0 and draw(st.integers(0, 4)) == 0:
        headers, body = [b"Content-Type: message/rfc822"], draw(mime_parts(depth - 1))
    else:
        headers, body = draw(_leaf())
    separator = draw(st.sampled_from([b"\r\n\r\n", b"\n\n", b"\r\n"]))  # the last: no blank line
    return b"\r\n".join([*extra, *headers]) + separator + body


@st.composite
def mails(draw: st.DrawFn) -> bytes:
    top = [
        b"From: " + draw(_header_value | st.just(b"Jo <jo@example.net>")),
        b"To: coproduce+%s@example.org" % TOKEN.encode(),
        *draw(st.lists(_header_line, max_size=6)),
    ]
    mail = b"\r\n".join(draw(st.permutations(top))) + b"\r\n" + draw(mime_parts(depth=3))
    if draw(st.booleans()):
        mail = mail.replace(b"\r\n", b"\n")  # bare line feeds, as some relays pass them
    return mail


@pytest.fixture
def channel() -> EmailChannel:
    return EmailChannel(
        EmailSettings(
            smtp_host="127.0.0.1",
            email_from="Coproduce <coproduce@example.org>",
            trusted_authserv_id="mx.example.org",
        )
    )


@PROPERTY
@given(
    mail=mails() | st.binary(max_size=300),
    envelope_to=st.sampled_from([(), (f"coproduce+{TOKEN}@example.org",), ("x@example.org",)]),
    envelope_from=st.sampled_from([None, "jo@example.net", "<>", ""]),
)
def test_any_mail_is_read_into_a_storable_message_or_refused_as_malformed(
    channel: EmailChannel, mail: bytes, envelope_to: tuple[str, ...], envelope_from: str | None
) -> None:
    request = ProviderRequest(
        body=mail, received_at=RECEIVED, envelope_from=envelope_from, envelope_to=envelope_to
    )
    try:
        messages = channel.parse(request)
    except MalformedRequest:
        return
    assert len(messages) <= 1
    for message in messages:
        assert isinstance(message.text, str) and len(message.text) <= TEXT_LIMIT
        assert _quoted_lines(message.text) == []
        # What the inbound_messages columns hold.
        assert isinstance(message.sender, str) and len(message.sender) <= 320
        assert 0 < len(message.provider_id) <= 255
        assert message.subject is None or len(message.subject) <= 998
        token = message.routing_token
        assert token is None or re.fullmatch(r"[a-z2-7]{16,64}", token)
        assert message.attachments >= 0


def _nested_parts(depth: int) -> bytes:
    opening = b"".join(
        b"Content-Type: multipart/mixed; boundary=b%d\r\n\r\n--b%d\r\n" % (level, level)
        for level in range(depth)
    )
    return b"From: jo@example.net\r\n" + opening + b"Content-Type: text/plain\r\n\r\nhi\r\n"


NESTED_TOO_DEEP = {
    "comments in From": b"From: " + b"(" * 300 + b"\r\n\r\nhi\r\n",
    "comments in Content-Disposition": b"Content-Disposition: " + b"(" * 300 + b"\r\n\r\nhi\r\n",
    "600 nested multiparts": _nested_parts(600),
}


@pytest.mark.parametrize("mail", NESTED_TOO_DEEP.values(), ids=NESTED_TOO_DEEP.keys())
def test_mail_nested_too_deep_to_read_is_refused_as_malformed(
    channel: EmailChannel, mail: bytes
) -> None:
    with pytest.raises(MalformedRequest):
        channel.parse(ProviderRequest(body=mail, received_at=RECEIVED))


def test_a_nul_in_a_mail_is_not_passed_on(channel: EmailChannel) -> None:
    mail = b"From: jo@example.net\r\nSubject: a\x00b\r\n\r\nhelp\x00\r\n"
    [message] = channel.parse(ProviderRequest(body=mail, received_at=RECEIVED))
    assert "\x00" not in message.text + (message.subject or "") + message.sender


@PROPERTY
@given(mail=mails())
@example(mail=b"Content-Disposition: " + b"(" * 300 + b"\r\n\r\nhello\r\n")
def test_the_new_text_of_any_mail_is_found_without_error(mail: bytes) -> None:
    for parse_policy in (policy.default, policy.compat32):
        try:
            message = message_from_bytes(mail, policy=parse_policy)
        except Exception:  # EmailChannel.parse refuses what the parser cannot take apart
            continue
        text = reply_text(message)  # type: ignore[arg-type]
        assert isinstance(text, str)
        assert _quoted_lines(text) == []


def _quoted_lines(text: str) -> list[str]:
    return [line for line in text.replace("\r", "\n").split("\n") if line.lstrip(" \t")[:1] == ">"]


_reply_lines = st.lists(st.sampled_from(BODY_LINES) | _unicode_line, max_size=15)
_line_ends = st.sampled_from(["\n", "\r\n", "\r"])


@PROPERTY
@given(lines=_reply_lines, end=_line_ends)
@example(lines=["Yes", "", "On Monday, Coproduce wrote:", "> Hello"], end="\r\n")
@example(lines=["\x0c>"], end="\n")  # a form feed before the quote mark
def test_what_is_kept_of_a_reply_is_its_start_and_holds_no_quote_or_signature(
    lines: list[str], end: str
) -> None:
    text = end.join(lines)
    kept = strip_quoted(text)
    written = text.replace("\r\n", "\n").replace("\r", "\n")
    assert written.strip().startswith(kept)
    assert _quoted_lines(kept) == []
    assert "--" not in [line.strip() for line in kept.split("\n")]


_word = st.from_regex(r"[A-Za-z]{1,8}", fullmatch=True)
_inline_tags = st.sampled_from(["b", "i", "span", "p", "div", "a", "td", "font"])


@st.composite
def _marked_up(draw: st.DrawFn) -> tuple[str, list[str]]:
    """Words wrapped in harmless tags (some left open): the markup and the words."""
    words = draw(st.lists(_word, max_size=6))
    html = ""
    for word in words:
        tag = draw(_inline_tags)
        close = draw(st.sampled_from([f"</{tag}>", "", "<br>"]))
        html += f"<{tag} class='x'>{word}{close} "
    return html, words


@PROPERTY
@given(before=_marked_up(), quoted=_marked_up(), after=_marked_up())
def test_html_keeps_the_words_around_a_blockquote_and_drops_the_words_in_it(
    before: tuple[str, list[str]],
    quoted: tuple[str, list[str]],
    after: tuple[str, list[str]],
) -> None:
    html = before[0] + "<blockquote>" + quoted[0].upper() + "</blockquote>" + after[0]
    text = html_to_text(html)
    assert text.split() == before[1] + after[1]


_soup = st.lists(
    st.sampled_from(SOUP) | _unicode_line,
    max_size=25,
).map("".join)


@PROPERTY
@given(html=_soup)
@example(html="<![if !supportLists]>x<![endif]>")
def test_any_tag_soup_becomes_text_without_error(html: str) -> None:
    text = html_to_text(html)
    assert isinstance(text, str) and text == text.strip()
    assert "\n\n\n" not in text
