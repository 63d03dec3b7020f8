"""A poll's result as an accessible bar chart in HTML, for the record and the workspace.

Words first: the summary sentence is the chart's text alternative, and a data table beneath
holds every number. The bars themselves are drawn for sighted readers only (hidden from
screen readers, who have the sentence and the table): each is a small SVG whose width is an
attribute, so no inline style is needed and the page's Content-Security-Policy holds. Each
bar has its label and numbers written beside it, so nothing is carried by length or colour
alone, and the chart narrows with the page down to 320 pixels.
"""

from __future__ import annotations

import html

from .poll_reports import PollReport

BAR_COLOUR = "#1d70b8"
BAR_EDGE = "#0b0c0c"


def _bar(share: float) -> str:
    width = max(0.0, min(share, 1.0)) * 100
    return (
        '<svg class="poll-bar" aria-hidden="true" focusable="false" width="100%" height="20">'
        f'<rect x="0" y="0" width="100%" height="20" fill="#ffffff" stroke="{BAR_EDGE}"/>'
        f'<rect x="0" y="0" width="{width:.1f}%" height="20" fill="{BAR_COLOUR}"/></svg>'
    )


def chart_rows(report: PollReport) -> list[tuple[str, int, str]]:
    """(label, count, share) for each choice, and the answers in people's own words."""
    rows = [(choice.label, choice.count, choice.share) for choice in report.choices]
    if report.allows_other or report.own_words:
        share = f"{round(100 * report.own_words / report.total) if report.total else 0}%"
        rows.append(("In their own words", report.own_words, share))
    return rows


def poll_chart(report: PollReport, heading_level: int = 3) -> str:
    """The chart, its sentence and its table, as one HTML fragment (already escaped)."""
    rows = chart_rows(report)
    bars = "\n".join(
        f'<li><span class="poll-label">{html.escape(label)}: {count} ({html.escape(share)})'
        f"</span>{_bar(count / report.total if report.total else 0)}</li>"
        for label, count, share in rows
    )
    table_rows = "\n".join(
        f'<tr><th scope="row">{html.escape(label)}</th><td data-label="People">{count}</td>'
        f'<td data-label="Share">{html.escape(share)}</td></tr>'
        for label, count, share in rows
    )
    state = "closed" if report.closed_at else "open"
    heading = f"h{heading_level}"
    return (
        f'<section class="poll" aria-labelledby="poll-{report.number}">\n'
        f'<{heading} id="poll-{report.number}">Poll {report.number} ({state}): '
        f"{html.escape(report.question)}</{heading}>\n"
        f"<p>{html.escape(report.summary)}</p>\n"
        f'<ul class="poll-chart" aria-hidden="true">\n{bars}\n</ul>\n'
        f"<table>\n<caption>How many chose each answer in poll {report.number}</caption>\n"
        '<thead><tr><th scope="col">Answer</th><th scope="col">People</th>'
        '<th scope="col">Share</th></tr></thead>\n'
        f"<tbody>\n{table_rows}\n</tbody>\n</table>\n</section>"
    )
