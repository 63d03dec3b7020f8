"""Finding the new text in email replies: real client fixtures, history markers, HTML, bad input."""

from __future__ import annotations

import email
import email.policy
from email.message import EmailMessage
from pathlib import Path

import pytest

from channels.email_reply import html_to_text, reply_text, strip_quoted

FIXTURES = Path(__file__).parent / "fixtures" / "email"
REPLY_TO = "coproduce+k7q2m4x9v3c8b5n6d1f0g2h4j6@example.org"


def load(name: str) -> EmailMessage:
    return email.message_from_bytes((FIXTURES / name).read_bytes(), policy=email.policy.default)


def raw(headers: str, body: bytes) -> EmailMessage:
    """Parse a message from raw header lines and body bytes, as it would arrive."""
    source = headers.strip().replace("\n", "\r\n").encode() + b"\r\n\r\n" + body
    return email.message_from_bytes(source, policy=email.policy.default)


def alternative(plain: str | None, html: str | None) -> EmailMessage:
    message = EmailMessage()
    message["From"] = "Jo Bloggs <jo@example.com>"
    message["To"] = REPLY_TO
    if plain is not None:
        message.set_content(plain)
    if html is not None and plain is not None:
        message.add_alternative(html, subtype="html")
    elif html is not None:
        message.set_content(html, subtype="html")
    return message


CLIENT_REPLIES = {
    "gmail.eml": (
        "Yes, I'd like to join the panel.\n\n"
        "I can do Tuesdays and Thursdays after 4pm, but not Fridays."
    ),
    "outlook.eml": (
        "Yes, I’d like to join the panel – Thursday evenings suit me best.\n\nThanks,\nSam"
    ),
    "apple_mail.eml": "Thursday works for me.\n\nI can’t do Fridays, I look after my grandson.",
    "plain_text_client.eml": (
        "Hello,\n\n"
        "I'd like to hear more before I decide. Could you send me the route maps for 12 and 14? "
        "I use a screen reader, so a plain text description of the stops would be even better "
        "than a PDF.\n\n"
        "Thanks for asking us."
    ),
    "html_only.eml": (
        "Diolch am y neges – dw i eisiau ymuno â’r panel.\n\n"
        "Mae’r bws 12 yn stopio wrth fy nhŷ, felly mae’r newid yn bwysig i mi.\n"
        "Bydd fy ŵyr yn dod gyda fi i’r cyfarfod."
    ),
    "welsh_reply.eml": (
        "Diolch am y neges.\n\nHoffwn i ymuno â’r panel. Dw i’n defnyddio’r bws 12 bob dydd."
    ),
}


@pytest.mark.parametrize(
    ("fixture", "expected"),
    list(CLIENT_REPLIES.items()),
    ids=[name.removesuffix(".eml") for name in CLIENT_REPLIES],
)
def test_reply_from_each_client_keeps_only_the_new_text(fixture: str, expected: str) -> None:
    assert reply_text(load(fixture)) == expected


@pytest.mark.parametrize("fixture", ["gmail.eml", "outlook.eml", "apple_mail.eml"])
def test_html_alternative_gives_the_same_new_text_as_the_plain_part(fixture: str) -> None:
    html_part = load(fixture).get_body(preferencelist=("html",))
    assert html_part is not None
    assert strip_quoted(html_to_text(html_part.get_content())) == CLIENT_REPLIES[fixture]


@pytest.mark.parametrize("fixture", list(CLIENT_REPLIES))
def test_every_client_fixture_is_a_reply_sent_to_our_reply_to_address(fixture: str) -> None:
    message = load(fixture)
    assert REPLY_TO in message["To"]
    assert message["Subject"].startswith("Re: ")
    assert message["In-Reply-To"].endswith("@example.org>")
    assert message["In-Reply-To"] in message["References"]


def test_welsh_subject_is_decoded_from_its_encoded_words() -> None:
    assert load("welsh_reply.eml")["Subject"] == "Re: Newidiadau i’r bysiau – dweud eich dweud"


def test_auto_reply_fixture_is_marked_as_auto_replied() -> None:
    assert load("auto_reply.eml")["Auto-Submitted"] == "auto-replied"


def test_bounce_fixture_is_a_delivery_status_report_with_an_empty_return_path() -> None:
    bounce = load("bounce.eml")
    assert bounce["Return-Path"] == "<>"
    assert bounce.get_content_type() == "multipart/report"
    assert bounce.get_param("report-type") == "delivery-status"
    assert "message/delivery-status" in [part.get_content_type() for part in bounce.walk()]


HISTORY_MARKERS = {
    "quoted lines": "> Reply 1 to join the panel.",
    "attribution above quotes": "On Mon, 23 Nov 2026 at 10:00, Jo <jo@example.com> wrote:\n> Hi",
    "attribution wrapped over two lines": (
        "On Mon, 23 Nov 2026 at 10:00, Jo Bloggs <\njo@example.com> wrote:\n\n> Hi"
    ),
    "attribution without quotes": (
        "On Mon, 23 Nov 2026 at 10:00, Coproduce <coproduce@example.org> wrote:\nHello Jo,"
    ),
    "apple mail attribution": "On 23 Nov 2026, at 10:02, Coproduce <c@example.org> wrote:\nHi",
    "french attribution": (
        "Le lun. 23 nov. 2026 à 10:00, Coproduce <c@example.org> a écrit\u202f:\nBonjour"
    ),
    "german attribution": "Am Mo., 23. Nov. 2026 um 10:00 Uhr schrieb Coproduce <c@example.org>:",
    "spanish attribution": "El lun, 23 nov 2026 a las 10:00, Coproduce (<c@example.org>) escribió:",
    "welsh attribution": "Ar ddydd Llun, 23 Tach 2026 am 10:00, Coproduce <c@ex.org> ysgrifennodd:",
    "polish thunderbird attribution": "W dniu 23.11.2026 o 10:00, Coproduce pisze:\nCześć",
    "polish gmail attribution": "pon., 23 lis 2026 o 10:00 Coproduce <c@example.org> napisał(a):",
    "unknown language attribution above quotes": (
        "Op ma 23 nov 2026 om 10:00 schreef Coproduce <c@example.org>:\n> Hallo"
    ),
    "unknown language attribution wrapped above quotes": (
        "Op ma 23 nov 2026 om 10:00 schreef Coproduce <\nc@example.org>:\n\n> Hallo"
    ),
    "outlook original message": "-----Original Message-----\nFrom: Coproduce\nHello Sam,",
    "outlook underscore rule": (
        "________________________________\nFrom: Coproduce <coproduce@example.org>\nHello Sam,"
    ),
    "outlook header block with sent": (
        "From: Coproduce <coproduce@example.org>\nSent: Monday, November 23, 2026 10:00 AM\n"
        "To: Sam Jones\nSubject: Bus routes"
    ),
    "outlook header block with date": (
        "From: Coproduce <coproduce@example.org>\nTo: Sam Jones\n"
        "Date: Monday, 23 November 2026 at 10:00"
    ),
    "signature delimiter": "-- \nAlex Morgan\nRiverside Tenants' Forum",
    "bare signature delimiter": "--\nAlex Morgan",
    "sent from my iphone": "Sent from my iPhone",
    "sent from my ipad": "Sent from my iPad",
    "sent from my android": "Sent from my Android",
    "sent from my samsung": "Sent from my Samsung Galaxy smartphone.",
    "get outlook for ios": "Get Outlook for iOS<https://aka.ms/o0ukef>",
    "get outlook for android": "Get Outlook for Android",
    "sent from mail for windows": "Sent from Mail for Windows",
    "sent from yahoo mail": "Sent from Yahoo Mail on Android",
}


@pytest.mark.parametrize("history", list(HISTORY_MARKERS.values()), ids=list(HISTORY_MARKERS))
def test_text_is_cut_where_history_starts(history: str) -> None:
    new_text = "Yes, I can come.\n\nThursday suits me best."
    assert strip_quoted(f"{new_text}\n\n{history}\n\nOur earlier message.") == new_text


def test_text_without_history_is_returned_unchanged() -> None:
    text = "Dear team,\n\nTwo things:\n- buses after 6pm\n- the stop by the school\n\nThanks, Jo"
    assert strip_quoted(text) == text


def test_the_word_wrote_in_a_sentence_is_kept() -> None:
    text = "I wrote to the council on Monday.\nOn Tuesday they wrote back to say no."
    assert strip_quoted(text) == text


def test_a_greater_than_sign_inside_a_line_is_kept() -> None:
    text = "Buses > trains for me, and 5 > 3."
    assert strip_quoted(text) == text


def test_a_sentence_starting_with_on_just_above_the_attribution_is_kept() -> None:
    text = "On Monday I can come.\nOn Mon, 23 Nov 2026 at 10:00, Coproduce <c@example.org> wrote:"
    assert strip_quoted(text + "\n> Hello") == "On Monday I can come."


def test_a_plain_colon_line_above_a_quote_is_kept() -> None:
    assert strip_quoted("My answer to this:\n> Can you come?\nYes") == "My answer to this:"


def test_line_endings_are_normalised_and_surrounding_whitespace_trimmed() -> None:
    assert strip_quoted("\r\n  Yes\r\n\r\nplease  \r\n\r\n\r\n> q") == "Yes\n\nplease"


def test_html_paragraphs_are_separated_by_a_blank_line() -> None:
    html = "<p>One   paragraph\n  here.</p><p>Two</p><div>a</div><div><br></div><div>b<br>c</div>"
    assert html_to_text(html) == "One paragraph here.\n\nTwo\n\na\n\nb\nc"


def test_html_entities_are_decoded() -> None:
    html = "<p>Tom &amp; Jerry &lt;3 &ndash; caf&eacute; &#8217;n&nbsp;&nbsp;x</p>"
    assert html_to_text(html) == "Tom & Jerry <3 – café ’n x"


def test_html_lists_become_one_item_a_line() -> None:
    html = "<ul><li>Buses</li><li>Trains</li></ul><ol><li>Yes</li><li><p>No</p></li></ol>"
    assert html_to_text(html) == "- Buses\n- Trains\n1. Yes\n2. No"


def test_html_script_style_and_head_are_dropped() -> None:
    html = (
        "<html><head><title>Re: Buses</title><style>p { color: red }</style></head>"
        "<body><script>alert('hi')</script><p>Hi <b>there</b> <i>you</i></p></body></html>"
    )
    assert html_to_text(html) == "Hi there you"


def test_html_head_left_open_does_not_hide_the_body() -> None:
    assert html_to_text("<head><title>Re: Buses</title><body><p>Hi</p>") == "Hi"


def test_html_blockquote_is_dropped_and_text_after_it_kept() -> None:
    html = "<p>Yes</p><blockquote>We asked<blockquote>nested</blockquote>more</blockquote>After"
    assert html_to_text(html) == "Yes\n\nAfter"


@pytest.mark.parametrize(
    "container",
    [
        '<div class="gmail_quote gmail_quote_container">',
        '<div dir="ltr" class="gmail_attr">',
        '<div id="appendonsend"></div><hr><div>',
        '<div id="divRplyFwdMsg" dir="ltr">',
        '<div id="yahoo_quoted_8812" class="yahoo_quoted">',
        '<div class="moz-cite-prefix">',
    ],
    ids=["gmail_quote", "gmail_attr", "appendonsend", "divRplyFwdMsg", "yahoo", "thunderbird"],
)
def test_html_collection_stops_at_a_reply_history_container(container: str) -> None:
    html = f"<div>Yes please</div>{container}From: Coproduce</div><p>Our message</p>"
    assert html_to_text(html) == "Yes please"


def test_html_gmail_signature_is_dropped() -> None:
    html = (
        '<div>Yes</div><span class="gmail_signature_prefix">-- </span><br>'
        '<div class="gmail_signature"><div>Jo</div><div>Bus users</div></div><div>PS: thanks</div>'
    )
    assert html_to_text(html) == "Yes\n\nPS: thanks"


def test_html_apple_mail_signature_container_keeps_the_reply_typed_inside_it() -> None:
    html = '<div id="AppleMailSignature">Yes please<br><br>Sent from my iPhone</div>'
    assert html_to_text(html) == "Yes please\n\nSent from my iPhone"


def test_html_table_cells_are_spaced_and_rows_broken() -> None:
    html = "<table><tr><td>Mon</td><td>yes</td></tr><tr><td>Tue</td><td>no</td></tr></table>"
    assert html_to_text(html) == "Mon yes\nTue no"


def test_html_preformatted_text_keeps_its_line_breaks() -> None:
    assert html_to_text("<pre>One\nTwo</pre><p>After</p>") == "One\nTwo\n\nAfter"


def test_html_that_the_parser_gives_up_on_keeps_what_came_before() -> None:
    assert html_to_text("<p>Yes</p><![foo bar") == "Yes"


def test_html_reply_without_a_known_container_loses_its_attribution_and_quote() -> None:
    html = (
        "<p>Yes</p><p>On Mon, 23 Nov 2026 at 10:00, Coproduce &lt;c@example.org&gt; wrote:</p>"
        "<blockquote><p>Reply 1 to join</p></blockquote>"
    )
    assert reply_text(alternative(None, html)) == "Yes"


def test_plain_part_is_preferred_over_html() -> None:
    assert reply_text(alternative("From plain", "<p>From html</p>")) == "From plain"


def test_text_attachment_is_not_taken_for_the_reply() -> None:
    message = alternative(None, "<p>The reply</p>")
    message.add_attachment("notes", filename="notes.txt")
    assert reply_text(message) == "The reply"


def test_message_without_a_text_part_gives_empty_text() -> None:
    message = EmailMessage()
    message.add_attachment(b"%PDF-1.7", maintype="application", subtype="pdf", filename="a.pdf")
    assert reply_text(message) == ""


def test_unknown_charset_falls_back_to_utf8() -> None:
    message = raw('Content-Type: text/plain; charset="x-unknown"', "Yes, café please".encode())
    assert reply_text(message) == "Yes, café please"


def test_utf8_text_labelled_as_ascii_is_read_as_utf8() -> None:
    message = raw("Content-Type: text/plain; charset=us-ascii", "Dw i’n dod".encode())
    assert reply_text(message) == "Dw i’n dod"


def test_invalid_utf8_bytes_are_replaced_not_raised() -> None:
    headers = "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit"
    message = raw(headers, b"Yes \xff\xfe please\r\n\r\n> quoted")
    assert reply_text(message) == "Yes \ufffd\ufffd please"


@pytest.mark.parametrize("charset", ["base64", "idna"], ids=["not a text codec", "strict codec"])
def test_charset_that_cannot_decode_with_replacement_falls_back_to_utf8(charset: str) -> None:
    message = raw(f"Content-Type: text/plain; charset={charset}", b"Yes \xc3\xa9 \xff")
    assert reply_text(message) == "Yes é \ufffd"


def test_flowed_text_with_delsp_joins_words_split_across_lines() -> None:
    headers = "Content-Type: text/plain; charset=utf-8; format=flowed; delsp=yes"
    message = raw(headers, b"I can come on Thurs \r\nday.\r\n\r\n-- \r\nAlex\r\n")
    assert reply_text(message) == "I can come on Thursday."


def test_malformed_mime_parameter_does_not_hide_the_reply() -> None:
    # The stdlib header parser raises IndexError on a parameter name with nothing after it.
    message = raw("Content-Type: text/plain\nContent-Disposition: inline; filename*", b"hello")
    assert reply_text(message) == "hello"


def test_multipart_part_without_a_boundary_gives_empty_text_instead_of_raising() -> None:
    headers = "MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=outer"
    body = b"--outer\r\nContent-Type: multipart/alternative\r\n\r\nhello\r\n--outer--\r\n"
    assert reply_text(raw(headers, body)) == ""


def test_message_parsed_with_the_legacy_policy_still_gives_its_text() -> None:
    source = (FIXTURES / "gmail.eml").read_bytes()
    legacy = email.message_from_bytes(source)  # compat32: no get_body()
    assert reply_text(legacy) == CLIENT_REPLIES["gmail.eml"]  # type: ignore[arg-type]
