"""The project record written out: an accessible HTML page, Markdown, CSV or JSON.

HTML and Markdown have the same sections and tables: the checklist first (each criterion
says "Met" or "Not met" in words, never by colour alone), then the leads, brief versions,
meetings, comment windows with every extension and its reason, reach per channel, every
comment with its response, every question with its answer. Dates are written out with the
weekday in the project's time zone. CSV has one row per contribution; JSON holds everything
with ISO 8601 times.
"""

from __future__ import annotations

import csv
import html
import io
import json
from dataclasses import asdict
from datetime import datetime, timedelta
from typing import Any

from storage.models import CheckState

from .i18n import format_when
from .record import Record

FORMATS = ("html", "md", "csv", "json")

Table = tuple[str, list[str], list[list[str]]]  # caption, headers, rows


def render(record: Record, form: str) -> str:
    match form:
        case "html":
            return to_html(record)
        case "md":
            return to_markdown(record)
        case "csv":
            return to_csv(record)
        case "json":
            return to_json(record)
    raise ValueError(f"'{form}' is not a format; choose one of {', '.join(FORMATS)}")


def _when(record: Record, moment: datetime | None) -> str:
    return format_when(moment, "en", record.time_zone) if moment else ""


def _days(length: timedelta) -> str:
    """How long a window was open, written out: '7 days', '1 day 5 hours'."""
    hours = max(int(length.total_seconds() // 3600), 0)
    days, hours = divmod(hours, 24)
    parts = [f"{days} day" + ("" if days == 1 else "s")] if days else []
    if hours or not days:
        parts.append(f"{hours} hour" + ("" if hours == 1 else "s"))
    return " ".join(parts)


def _status(record: Record) -> str:
    state = (
        f"Closed on {_when(record, record.closed_at)}"
        if record.closed_at
        else record.status.capitalize()
    )
    review = f"review on {record.review_on}" if record.review_on else "no review date"
    return f"{state}; {review}."


Section = tuple[str, str | None, Table | None]  # heading, a sentence, a table


def _listed(
    heading: str, empty: str, caption: str, headers: list[str], rows: list[list[str]]
) -> Section:
    """A section that is its table, or a sentence saying there is nothing to list."""
    return (heading, None, (caption, headers, rows)) if rows else (heading, empty, None)


def sections(record: Record) -> list[Section]:
    """(heading, a sentence, a table) for each part of the record, in order."""
    met = sum(check.passed for check in record.checklist)
    parts: list[Section] = [
        (
            "Checklist",
            f"{met} of {len(record.checklist)} co-production criteria met.",
            (
                "The co-production criteria",
                ["Criterion", "Result", "What we found"],
                [
                    [c.criterion, "Met" if c.passed else "Not met", c.detail]
                    for c in record.checklist
                ],
            ),
        ),
        (
            "Leads",
            None,
            (
                "The project's leads",
                ["Name", "Lead as"],
                [[lead.name, str(lead.kind)] for lead in record.leads],
            ),
        ),
        _listed(
            "Brief versions",
            "No brief has been published.",
            "Every version of the brief",
            ["Version", "Sent on", "What changed"],
            [
                [str(b.version), _when(record, b.published_at), b.change_note or ""]
                for b in record.briefs
            ],
        ),
        _listed(
            "Meetings",
            "No meetings are recorded.",
            "Meetings",
            ["When", "Minutes", "Place", "Cancelled"],
            [
                [
                    _when(record, m.starts_at),
                    str(m.minutes),
                    m.place or "",
                    f"on {_when(record, m.cancelled_at)}: {m.cancel_reason}"
                    if m.cancelled_at
                    else "no",
                ]
                for m in record.meetings
            ],
        ),
        _listed(
            "Comment windows",
            "Comments have not been opened.",
            "Comment windows and every extension",
            [
                "Opened",
                "Closes",
                "Days for comments",
                "After the meeting on",
                "Extensions and reasons",
            ],
            [
                [
                    _when(record, w.opens_at),
                    _when(record, w.closes_at),
                    _days(w.closes_at - w.opens_at),
                    _when(record, w.after_meeting),
                    "; ".join(
                        f"on {_when(record, e.extended_at)}, to "
                        f"{_when(record, e.new_closes_at)}: {e.reason}"
                        for e in w.extensions
                    )
                    or "none",
                ]
                for w in record.windows
            ],
        ),
        _listed(
            "Reach",
            "No messages have been sent.",
            "Messages by channel",
            ["Channel", "Sent", "Delivered", "Failed", "Waiting"],
            [
                [str(r.channel), str(r.sent), str(r.delivered), str(r.failed), str(r.waiting)]
                for r in record.reach
            ],
        ),
        _listed(
            "Comments",
            "No comments were sent.",
            "Every comment and its response",
            [
                "Number",
                "From",
                "By",
                "Received",
                "Late",
                "Comment",
                "Response",
                "Reason",
                *_as_sent_header(record),
            ],
            [
                [
                    str(c.number),
                    c.author,
                    str(c.channel or ""),
                    _when(record, c.received_at),
                    "Late" if c.late else "On time",
                    c.text,
                    str(c.response or "No response yet"),
                    c.reason or "",
                    *_as_sent(record, c.original),
                ]
                for c in record.comments
            ],
        ),
        _listed(
            "Questions",
            "No questions were asked.",
            "Every question and its written answer",
            [
                "Number",
                "From",
                "Asked",
                "Question",
                "Answer",
                "Sent to everyone",
                *_as_sent_header(record),
            ],
            [
                [
                    str(q.number),
                    q.asked_by,
                    _when(record, q.asked_at),
                    q.text,
                    q.answer or "Not answered yet",
                    _when(record, q.broadcast_at) or _not_sent(q.check),
                    *_as_sent(record, q.original),
                ]
                for q in record.questions
            ],
        ),
        (
            "Declarations and opt-outs",
            f"{record.declarations} declarations of an interest; "
            f"{record.nothing_to_declare} said they had nothing to declare; "
            f"{record.left} members left; {record.stopped} stopped messages on a channel.",
            (
                "Details, for the leads only",
                ["Who", "When", "What"],
                [[d.name, _when(record, d.at), d.what] for d in record.details],
            )
            if record.for_leads and record.details
            else None,
        ),
    ]
    return parts


def _as_sent_header(record: Record) -> list[str]:
    return ["As sent (leads only)"] if record.for_leads else []


def _as_sent(record: Record, original: str | None) -> list[str]:
    """The leads' version shows the words as sent beside a redaction, or what was held."""
    return [original or ""] if record.for_leads else []


def _not_sent(check: CheckState) -> str:
    return "Not yet" if check == CheckState.SHARED else "No: the question was not shared"


def _title(record: Record) -> str:
    version = " (leads' version)" if record.for_leads else ""
    return f"Project record: {record.title} ({record.code}){version}"


# At 40em and narrower (a phone, or a window zoomed to 200%) each table row becomes a block
# with each cell's column name before it, so nothing scrolls sideways; the ARIA roles keep
# the table's meaning for screen readers when its display changes.
_STYLE = """
body { font-family: Arial, Helvetica, sans-serif; font-size: 19px; line-height: 1.5;
  color: #0b0c0c; background: #ffffff; margin: 16px; }
.skip-link { position: absolute; left: -9999px; }
.skip-link:focus { position: static; display: inline-block; padding: 4px 8px;
  background: #ffdd00; color: #0b0c0c; outline: 3px solid #0b0c0c; }
a:focus { outline: 3px solid #ffdd00; box-shadow: 0 0 0 6px #0b0c0c; }
main:focus { outline: none; }
table { border-collapse: collapse; margin-bottom: 1em; }
caption { text-align: left; font-weight: bold; padding: 4px 0; }
th, td { border: 1px solid #505a5f; padding: 4px 8px; text-align: left; vertical-align: top;
  overflow-wrap: anywhere; }
@media (max-width: 40em) {
  table, caption, tbody, tr, td { display: block; width: auto; }
  thead { position: absolute; left: -9999px; }
  tr { border: 1px solid #505a5f; margin-bottom: 8px; }
  td { border: none; border-bottom: 1px solid #b1b4b6; }
  td::before { content: attr(data-label) ": "; font-weight: bold; }
}
"""


def _html_table(caption: str, headers: list[str], rows: list[list[str]]) -> str:
    head = "".join(f'<th scope="col" role="columnheader">{html.escape(h)}</th>' for h in headers)
    lines = "\n".join(
        '<tr role="row">'
        + "".join(
            f'<td role="cell" data-label="{html.escape(label)}">{html.escape(cell)}</td>'
            for label, cell in zip(headers, row, strict=True)
        )
        + "</tr>"
        for row in rows
    )
    return (
        f'<table role="table">\n<caption>{html.escape(caption)}</caption>\n'
        f'<thead role="rowgroup"><tr role="row">{head}</tr></thead>\n'
        f'<tbody role="rowgroup">\n{lines}\n</tbody>\n</table>'
    )


def to_html(record: Record) -> str:
    body = [f"<h1>{html.escape(_title(record))}</h1>", f"<p>{html.escape(_status(record))}</p>"]
    for heading, sentence, table in sections(record):
        body.append(f"<h2>{html.escape(heading)}</h2>")
        if sentence:
            body.append(f"<p>{html.escape(sentence)}</p>")
        if table:
            body.append(_html_table(*table))
    return (
        '<!DOCTYPE html>\n<html lang="en" dir="ltr">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{html.escape(_title(record))}</title>\n"
        f"<style>{_STYLE}</style>\n</head>\n<body>\n"
        '<a class="skip-link" href="#main">Skip to the record</a>\n'
        '<main id="main" tabindex="-1">\n' + "\n".join(body) + "\n</main>\n</body>\n</html>\n"
    )


def _md_cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def to_markdown(record: Record) -> str:
    out = [f"# {_title(record)}", "", _status(record), ""]
    for heading, sentence, table in sections(record):
        out += [f"## {heading}", ""]
        if sentence:
            out += [sentence, ""]
        if table:
            caption, headers, rows = table
            out += [
                f"{caption}:",
                "",
                "| " + " | ".join(headers) + " |",
                "|" + "---|" * len(headers),
            ]
            out += ["| " + " | ".join(_md_cell(cell) for cell in row) + " |" for row in rows]
            out.append("")
    return "\n".join(out)


CSV_COLUMNS = (
    "kind",
    "number",
    "from",
    "channel",
    "at",
    "late",
    "text",
    "response",
    "reason",
    "answer",
    "answered_at",
    "broadcast_at",
    "shared",
    "as_sent",
)


def _iso(moment: datetime | None) -> str:
    """ISO 8601 to the second, as spreadsheets and other tools read it."""
    return moment.replace(microsecond=0).isoformat() if moment else ""


def to_csv(record: Record) -> str:
    """One row per contribution: every comment and every question (and, for the leads,
    every declaration, departure and opt-out)."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for c in record.comments:
        writer.writerow(
            {
                "kind": "comment",
                "number": c.number,
                "from": c.author,
                "channel": c.channel or "",
                "at": _iso(c.received_at),
                "late": "yes" if c.late else "no",
                "text": c.text,
                "response": c.response or "",
                "reason": c.reason or "",
                "shared": c.check,
                "as_sent": c.original or "",
            }
        )
    for q in record.questions:
        writer.writerow(
            {
                "kind": "question",
                "number": q.number,
                "from": q.asked_by,
                "at": _iso(q.asked_at),
                "text": q.text,
                "answer": q.answer or "",
                "answered_at": _iso(q.answered_at),
                "broadcast_at": _iso(q.broadcast_at),
                "shared": q.check,
                "as_sent": q.original or "",
            }
        )
    for d in record.details:
        writer.writerow({"kind": "detail", "from": d.name, "at": _iso(d.at), "text": d.what})
    return buffer.getvalue()


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return _iso(value)
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return value


def to_json(record: Record) -> str:
    data = _plain(asdict(record))
    if not record.for_leads:
        data.pop("details")
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
