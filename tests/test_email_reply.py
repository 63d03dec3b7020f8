"""Finding the new text in email replies: real client fixtures, history markers, HTML, bad input."""

from __future__ import annotations

import email
import email.policy
from email.message import EmailMessage
from pathlib import Path

import pytest

from channels.email_inbound import inbound_text
from channels.email_reply import (
    Reply,
    html_to_text,
    read_reply,
    read_text,
    reply_text,
    strip_quoted,
)

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
    text = html_to_text(html_part.get_content(), quote_marks=True)
    assert read_text(text).text == CLIENT_REPLIES[fixture]


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
        '<div id="appendonsend"></div><hr><div>',
        '<div id="divRplyFwdMsg" dir="ltr">',
        '<div id="yahoo_quoted_8812" class="yahoo_quoted">',
        '<hr id="stopSpelling"><div>',
    ],
    ids=["appendonsend", "divRplyFwdMsg", "yahoo", "hotmail"],
)
def test_html_collection_stops_where_an_unquoted_old_message_follows(container: str) -> None:
    html = f"<div>Yes please</div>{container}From: Coproduce</div><p>Our message</p>"
    assert html_to_text(html) == "Yes please"


@pytest.mark.parametrize(
    "container",
    ['<div dir="ltr" class="gmail_attr">', '<div class="moz-cite-prefix">'],
    ids=["gmail_attr", "thunderbird"],
)
def test_html_attribution_container_is_dropped_and_text_after_it_kept(container: str) -> None:
    html = f"<div>Yes please</div>{container}On Mon, Coproduce wrote:</div><p>PS: Thursday</p>"
    assert html_to_text(html) == "Yes please\n\nPS: Thursday"


def test_html_reply_typed_below_a_gmail_quote_is_kept() -> None:
    html = (
        '<div dir="ltr"><br></div><div class="gmail_quote"><div class="gmail_attr">On Mon, 23 '
        "Nov 2026 at 10:00, Coproduce &lt;c@example.org&gt; wrote:<br></div><blockquote "
        'class="gmail_quote">Reply 1 to join</blockquote><div><br></div><div>1</div></div>'
    )
    assert reply_text(alternative(None, html)) == "1"


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


# --- bottom posting, inline answers and doubtful readings (issue 21) ----------------------


def test_answers_typed_between_quoted_lines_are_kept_in_order() -> None:
    assert read_text("> question\nmy answer\n> next\nanswer 2").text == "my answer\nanswer 2"


def test_reply_below_the_quote_is_kept_without_signature_or_footer() -> None:
    text = (
        "On Mon, 23 Nov 2026 at 10:00, Coproduce <c@example.org> wrote:\n\n> Reply 1 to join\n"
        "\nYes, 1 please.\n\n-- \nJo Bloggs\n\nSent from my Nokia 3310"
    )
    assert read_text(text).text == "Yes, 1 please."


@pytest.mark.parametrize(
    "history",
    [
        HISTORY_MARKERS["attribution without quotes"],
        HISTORY_MARKERS["outlook original message"],
        HISTORY_MARKERS["outlook underscore rule"],
        HISTORY_MARKERS["outlook header block with sent"],
        HISTORY_MARKERS["outlook header block with date"],
        "-------- Original message --------\nFrom: Coproduce <c@example.org>\nDate: 23/11/2026",
        "---- Coproduce wrote ----",
        "---- On Mon, 23 Nov 2026 10:00:00 +0000 Coproduce <c@example.org> wrote ----",
        "Date: Mon, 23 Nov 2026 10:00\nSubject: Buses\nFrom: c@example.org\nTo: jo@example.com",
        "*Od:* Coproduce <c@example.org>\n*Wysłano:* poniedziałek\n*Do:* Jo\n*Temat:* CARE1",
    ],
    ids=["attribution", "original message", "rule", "sent", "date", "android", "android name",
         "zoho", "hotmail", "bold polish"],
)  # fmt: skip
def test_unquoted_history_ends_the_reading(history: str) -> None:
    new_text = "Yes, I can come.\n\nThursday suits me best."
    assert read_text(f"{new_text}\n\n{history}\n\nOur earlier message.").text == new_text


def test_header_block_followed_by_quotes_is_dropped_and_text_after_them_kept() -> None:
    text = "From: Coproduce\nSent: Monday\nTo: Jo\n\n> Can you come?\n\nYes"
    assert read_text(text).text == "Yes"


@pytest.mark.parametrize(
    "attribution",
    [
        "On Mon, 23 Nov 2026 at 10:00 Coproduce <coproduce@example.org\n> wrote:",
        "2026-11-23 10:00 GMT+00:00 Coproduce Riverside Buses <coproduce@example.org\n>:",
        "W dniu 23.11.2026 o 10:00 użytkownik Coproduce <coproduce@example.org>\nnapisał:",
    ],
    ids=["wrote", "iso date", "polish"],
)
def test_attribution_wrapped_at_the_address_is_dropped_whole(attribution: str) -> None:
    text = f"Tak\n\n{attribution}\n\n> Komentarze do CARE1"
    assert read_text(text) == Reply(text="Tak", unquoted="Tak", measured="Tak")


@pytest.mark.parametrize(
    "footer",
    ["Sent from my Fairphone 5", "Envoyé de mon Pixel", "Von meinem Sony Xperia gesendet",
     "Wysłane z mojego telefonu", "Anfonwyd o’m iPad", "Skickat från min Nothing Phone (2)",
     "Get Outlook for Android<https://aka.ms/AAb9ysg>"],
)  # fmt: skip
def test_mobile_footer_naming_any_device_is_dropped_at_the_end(footer: str) -> None:
    assert read_text(f"Yes please\n\n{footer}").text == "Yes please"


def test_a_sentence_starting_like_a_footer_is_kept_when_more_follows() -> None:
    text = "Sent from my office: the form is attached.\nThanks, Jo"
    assert read_text(text).text == text


def test_reading_is_unsure_when_nothing_is_kept_but_the_person_wrote_something() -> None:
    reply = read_text("--\nI think the stop by the school should stay where it is.")
    assert reply.text == "" and reply.unsure
    assert reply.unquoted == "I think the stop by the school should stay where it is."


def test_reading_is_unsure_when_the_kept_text_is_under_a_third_of_the_unquoted() -> None:
    reply = read_text("Yes\n-- \nBut also the 14 bus is always late and nobody tells us why.")
    assert reply.text == "Yes" and reply.unsure


@pytest.mark.parametrize(
    "text",
    [
        "Yes",
        "Yes\n\n> Reply 1 to join",
        "",
        "Yes\n-- \nJo",
        "> only a quote",
        "Yes\n-- \nAnn Smith\nCare Coordinator, Millbrook Carers' Centre\n"
        "12 High Street, Millbrook MB1 2AB\nTel 01234 567890\nhttps://millbrookcarers.org.uk",
    ],
    ids=["plain", "top posted", "empty", "short signature", "only a quote", "long signature"],
)
def test_reading_is_sure_for_ordinary_replies(text: str) -> None:
    assert not read_text(text).unsure


def test_reply_text_is_the_text_of_read_reply() -> None:
    message = load("gmail.eml")
    assert read_reply(message).text == reply_text(message) == CLIENT_REPLIES["gmail.eml"]
    assert not read_reply(message).unsure


def test_an_unsure_reading_gives_the_inbound_message_its_unquoted_text() -> None:
    message = alternative("Yes\n--\nAnd the stop by the school must stay, my son needs it.", None)
    read = inbound_text(message, limit=20_000)
    assert (read.text, read.unsure) == ("Yes", True)
    assert read.unquoted_text == "Yes\nAnd the stop by the school must stay, my son needs it."
    assert inbound_text(load("outlook.eml"), limit=20_000).unquoted_text is None


def test_a_sentence_that_begins_like_a_footer_at_the_end_is_kept() -> None:
    text = "Here is my answer.\n\nSent from my desk, as it is easier than my mobile phone."
    assert read_text(text).text == text


def test_attribution_with_the_address_on_a_line_of_its_own_is_dropped_whole() -> None:
    text = "Thanks!\n\nOn Dec 16, 2011, at 12:47 PM, John Doe\n<reply@example.com>\nwrote:\n\nHi"
    assert read_text(text).text == "Thanks!"


def test_a_short_line_just_above_an_attribution_is_not_taken_for_part_of_it() -> None:
    text = (
        "Thanks,\nJo\nMonday, 23 November 2026, 10:00 +00:00 from Coproduce <c@example.org>:\n> Hi"
    )
    assert read_text(text).text == "Thanks,\nJo"


@pytest.mark.parametrize(
    "text",
    ["Sent from my iPhone\n" * 3000, "From: a\nTo: b\n" * 3000, "\n>\n" * 3000, "-" * 50_000],
    ids=["footers", "header lines", "quotes and blanks", "one long rule"],
)
def test_long_repetitive_text_is_read_in_linear_time(text: str) -> None:
    assert isinstance(read_text(text).text, str)  # quadratic versions took minutes


def test_a_sentence_ending_in_wrote_and_a_colon_is_not_an_attribution() -> None:
    text = "On 3 May I wrote:\nthe stop by the school is dangerous.\nIt still is."
    assert read_text(text).text == text


# --- footers, separators, header blocks and signatures in any language -------------------

QUOTED = "\n\nOn Mon, 7 Dec 2026 at 09:12, Coproduce <c@example.org> wrote:\n> Comments are open"


@pytest.mark.parametrize(
    "footer",
    ["Išsiųsta iš mano iPhone", "Odesláno z iPhonu", "iPhone'umdan gönderildi",
     "Στάλθηκε από το iPhone μου", "从我的iPhone发送", "Lähetetty Samsung Galaxy -puhelimesta",
     "Sent with [Tuta](https://tuta.com)", "Odesláno z Outlooku pro Android<https://aka.ms/x>",
     "Trimis cu aplicația Yahoo Mail pentru iOS<https://yho.com/x>."],
    ids=["lithuanian", "czech", "turkish", "greek", "chinese", "finnish", "markdown link",
         "outlook link", "linked with a full stop"],
)  # fmt: skip
def test_footer_naming_a_product_in_any_language_is_dropped(footer: str) -> None:
    assert read_text(f"Da, vin joi.\n\n{footer}").text == "Da, vin joi."
    assert read_text(f"Da, vin joi.\n\n{footer}{QUOTED}").text == "Da, vin joi."


@pytest.mark.parametrize(
    "last_line",
    ["I will bring my iPhone to the meeting.", "I will bring my iPhone", "Will bring my iPad",
     "Bringing my iPad.", "Yes, Android", "iPhone", "It doesn't open on my iPad",
     "Je peux venir avec mon iPad", "Call me on my mobile", "will bring my iphone"],
)  # fmt: skip
def test_a_last_line_about_a_device_is_kept(last_line: str) -> None:
    text = f"Yes, I can come.\n\n{last_line}"
    assert read_text(text + QUOTED).text == text


def test_a_reply_that_is_only_a_footer_known_by_its_product_is_unsure() -> None:
    reply = read_text("Išsiųsta iš mano iPhone" + QUOTED)
    assert reply.text == "" and reply.unsure


@pytest.mark.parametrize(
    "history",
    [
        "-------- Původní zpráva --------\nOd: Coproduce <c@example.org>\nDatum: 7.12.2026",
        "===== Alkuperäinen viesti =====\nLähettäjä: Coproduce <c@example.org>",
        "----- Originalbericht -----\nVon: Coproduce",
        # Header blocks whose labels no list holds: an address and a date or time decide.
        "Nuo: Coproduce <c@example.org>\nIšsiųsta: 2026 m. gruodžio 7 d. 09:12\nKam: Jo\nTema: x",
        "Lähettäjä: Coproduce <c@example.org>\nLähetetty: 7. joulukuuta 2026 9.12\nAihe: x",
        "*Feladó:* Coproduce <c@example.org>\n*Elküldve:* 2026. december 7. 9:12\n*Tárgy:* x",
        "差出人: Coproduce <c@example.org>\n送信日時: 2026年12月7日 9:12\n件名: CARE1",
        "Από: Coproduce [mailto:c@example.org]\nΣτάλθηκε: Δευτέρα 9:12 πμ\nΠρος: Jo\nΘέμα: x",
        "________________________________\nKimden: Coproduce <c@example.org>\n"
        "Gönderildi: 7 Aralık 2026 09:12\nKime: Jo\nKonu: CARE1",
    ],
    ids=["czech separator", "finnish equals", "separator above a header", "lithuanian",
         "finnish", "bold hungarian", "japanese", "greek mailto", "turkish under a rule"],
)  # fmt: skip
def test_separators_and_header_blocks_in_any_language_end_the_reading(history: str) -> None:
    new_text = "Yes, I can come.\n\nThursday suits me best."
    assert read_text(f"{new_text}\n\n{history}\n\nOur earlier message.").text == new_text


def test_a_separator_in_any_language_above_quotes_keeps_the_reply_below_them() -> None:
    text = "----- Pôvodná správa -----\n> Can you come?\n\nÁno, prídem."
    assert read_text(text).text == "Áno, prídem."


@pytest.mark.parametrize(
    "text",
    [
        "--- Summary ---\nThe bus stop should stay.\n\n--- Other points ---\nMore lights.",
        "My details:\nName: Jo Bloggs\nEmail: jo@example.com\nPhone: 07700 900123\nBest: 10:30",
        "Date: 10/12/2026\nTime: 10:30\nPlace: Millbrook Hall",
    ],
    ids=["headings", "contact details", "meeting details"],
)
def test_the_persons_own_headings_and_labelled_lines_are_kept(text: str) -> None:
    assert read_text(text + QUOTED).text == text


SIGNED = {
    "english": (
        "Happy to help.\n\nBest wishes,\nAlan",
        "Alan Meredith | Community Development Worker\nValley Voices CIC\nT: 01443 555 210\n"
        "This email is confidential and intended only for the addressee.",
    ),
    "french": (
        "D'accord pour jeudi.\n\nCordialement,\nMarie Dupont",
        "Marie Dupont\nChargée de mission\nLes Amis SARL\nTél. : 01 23 45 67 89\n\n"
        "Ce message est confidentiel et destiné exclusivement à son destinataire.",
    ),
    "polish": (
        "Zgadzam się.\n\nPozdrawiam,\nAnna",
        "Anna Kowalska\nKoordynatorka\nFundacja Razem Sp. z o.o.\ntel. +48 601 234 567",
    ),
    "german": (
        "Einverstanden.\n\nViele Grüße\nJonas",
        "Jonas Weber\nReferent Teilhabe\nwww.teilhabe-nord.de\n\nDiese E-Mail ist vertraulich.\n"
        "Wenn Sie nicht der richtige Adressat sind, löschen Sie sie bitte.",
    ),
    "swedish, name, role and organisation only": (
        "Jag kommer.\n\nHälsningar\nElin",
        "Elin Lund\nSamordnare\nMalmö Anhörigcentrum",
    ),
    "english, name and role above a notice": (
        "Count me in.\n\nMany thanks\nRaj",
        "Raj Patel\nLink Worker\n\n"
        "This message may contain confidential information. If you are not the intended "
        "recipient please tell the sender.",
    ),
    "welsh, sign-off on one line": (
        "Iawn gyda fi.\n\nDiolch, Siân",
        "Siân Hughes\nSwyddog Cymunedol | Cymdeithas Tai Bro\n01970 555 123",
    ),
}


@pytest.mark.parametrize(("written", "signature"), SIGNED.values(), ids=list(SIGNED))
def test_a_signature_typed_without_a_delimiter_is_dropped(written: str, signature: str) -> None:
    for between in ("\n\n", "\n"):
        assert read_text(written + between + signature + QUOTED).text == written
        assert read_text(written + between + signature).text == written


def test_a_typed_signature_and_its_notice_are_not_measured() -> None:
    signature = SIGNED["english"][1]
    reply = read_text(f"Yes\n\nThanks,\nAlan\n\n{signature}")
    assert reply.text == "Yes\n\nThanks,\nAlan" and not reply.unsure


@pytest.mark.parametrize(
    "text",
    [
        "I can do:\n\nThanks,\nJo\n\nMonday\nTuesday\nThursday",
        "Thanks,\nJo\n\nMy address is:\n12 High Street\nMillbrook MB1 2AB",
        "Here it is.\n\nJo Bloggs\n\nJo Bloggs\n12 High Street\nMillbrook MB1 2AB",
        "Yes.\n\nThanks,\nJo\n\nAlex Smith\nT: 07700 900123",
        "Yes.\n\nThanks,\nJo\n\nJo Bloggs\nT: 07700 900123\n\n"
        "PS I forgot to say that Thursday is better for me than Monday.",
        "Yes.\n\nThanks,\nJo\n\nJo here again. Call me on 07700 900123.",
        "My details:\nJo\nJo Bloggs\n07700 900123",
    ],
    ids=["list of days", "address asked for", "name and address, no contact detail",
         "name not repeated", "sentence after it", "sentence in it", "details asked for"],
)  # fmt: skip
def test_lines_that_only_look_like_a_signature_are_kept(text: str) -> None:
    assert read_text(text + QUOTED).text == text


def test_html_word_paragraphs_are_lines_and_empty_ones_blank_lines() -> None:
    html = (
        '<p class="MsoNormal">Ja.<o:p></o:p></p><p class="MsoNormal"><o:p>&nbsp;</o:p></p>'
        '<p class="MsoNormal">Viele Grüße</p><p class="MsoNormal">Jonas</p><p>Next</p>'
    )
    assert html_to_text(html) == "Ja.\n\nViele Grüße\nJonas\n\nNext"


def test_html_proton_footer_container_is_dropped_in_any_language() -> None:
    html = (
        "<div>Oui</div><div class='protonmail_signature_block'><div class='protonmail_signature"
        "_block-user'>Marie</div><div class='protonmail_signature_block-proton'>Envoyé avec "
        "<a href='https://proton.me'>Proton Mail</a>.</div></div>"
    )
    assert html_to_text(html) == "Oui\nMarie"
