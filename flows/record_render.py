"""The project record written out: an accessible HTML page, Markdown, CSV or JSON.

HTML and Markdown have the same sections and tables (:mod:`flows.record_sections`); the
HTML page draws each poll's result as a chart with its sentence and data table. CSV has one
row per contribution; JSON holds everything with ISO 8601 times.
"""

from __future__ import annotations

import csv
import html
import io
import json
from dataclasses import asdict
from datetime import datetime
from typing import Any

from .poll_chart import chart_rows, poll_chart
from .record import Record
from .record_review import ReviewRecord, shown, spread
from .record_sections import POLLS, sections, status_line

FORMATS = ("html", "md", "csv", "json")


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
ul.poll-chart { list-style: none; padding: 0; }
.poll-label { display: block; }
svg.poll-bar { display: block; max-width: 100%; margin-bottom: 8px; }
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
    body = [f"<h1>{html.escape(_title(record))}</h1>", f"<p>{html.escape(status_line(record))}</p>"]
    for heading, sentence, table in sections(record):
        body.append(f"<h2>{html.escape(heading)}</h2>")
        if sentence:
            body.append(f"<p>{html.escape(sentence)}</p>")
        if heading == POLLS and record.polls:
            # Each poll as its chart, with its sentence and data table, instead of one table.
            body += [poll_chart(poll, heading_level=3) for poll in record.polls]
        elif table:
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
    out = [f"# {_title(record)}", "", status_line(record), ""]
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
    "count",
    "share",
    # The review's statements: the middle rating, and the lowest to the highest.
    "median",
    "spread",
)


def _iso(moment: datetime | None) -> str:
    """ISO 8601 to the second, as spreadsheets and other tools read it."""
    return moment.replace(microsecond=0).isoformat() if moment else ""


def to_csv(record: Record) -> str:
    """One row per contribution: every comment, every question, every question the leads
    asked the group followed by its replies (and, for the leads, every declaration,
    departure and opt-out)."""
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
    for g in record.group_questions:
        writer.writerow(
            {"kind": "group-question", "number": g.number, "at": _iso(g.asked_at), "text": g.text}
        )
        for r in g.replies:
            writer.writerow(
                {
                    "kind": "group-reply",
                    "number": g.number,
                    "from": r.author,
                    "channel": r.channel or "",
                    "at": _iso(r.received_at),
                    "text": r.text,
                    "shared": r.check,
                    "as_sent": r.original or "",
                }
            )
    for p in record.polls:
        writer.writerow(
            {"kind": "poll", "number": p.number, "at": _iso(p.opened_at), "text": p.question,
             "answer": p.summary, "answered_at": _iso(p.closed_at), "count": p.total}
        )  # fmt: skip
        for label, count, share in chart_rows(p):
            writer.writerow(
                {"kind": "poll-answer", "number": p.number, "text": label, "count": count,
                 "share": share}
            )  # fmt: skip
    if record.review is not None:
        _review_rows(writer, record.review)
    for d in record.details:
        writer.writerow({"kind": "detail", "from": d.name, "at": _iso(d.at), "text": d.what})
    return buffer.getvalue()


def _review_rows(writer: csv.DictWriter[str], review: ReviewRecord) -> None:
    """The latest round, then a row per statement (how many rated it, the median, the
    spread), per sign-off on the panel and per comment the record shows."""
    writer.writerow(
        {"kind": "review", "number": review.number, "at": _iso(review.closes_at),
         "text": f"The {review.year} review", "count": review.rated}
    )  # fmt: skip
    for s in review.statements:
        writer.writerow(
            {"kind": "review-statement", "number": s.number, "text": s.text, "count": s.ratings,
             "median": shown(s.median), "spread": spread(s)}
        )  # fmt: skip
    for p in review.panel:
        writer.writerow(
            {"kind": "review-sign-off", "number": review.number, "from": p.name,
             "at": _iso(p.signed_off_at), "text": p.words or "",
             "response": "signed off" if p.signed_off_at else "not yet"}
        )  # fmt: skip
    for c in review.comments:
        writer.writerow(
            {"kind": "review-comment", "number": review.number, "from": c.author,
             "at": _iso(c.received_at), "text": c.text}
        )  # fmt: skip


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
