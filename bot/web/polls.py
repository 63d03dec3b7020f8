"""Polls: ask the group to choose (from choices the leads write, a scale from 1, or yes and
no), see each poll's tally as a chart with its numbers, and close an open poll early.

Every lead, from the team or a contributor, sees only the totals here, even of a named poll:
who chose what is for the command line's ``poll results``.
"""

from __future__ import annotations

import re
from zoneinfo import ZoneInfo

from markupsafe import Markup
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from flows import lead_actions, lead_polls
from flows.lead_actions import led_project_as
from flows.poll_chart import poll_chart
from flows.poll_choices import MOST_CHOICES, SCALE, SHAPES, YES_NO, PollShape, shape_of
from flows.polls import OPEN_FOR
from storage.errors import InvalidInput

from .context import NotYours, SignedIn, Web
from .forms import N_, Errors, field, required_text
from .render import page

QUESTION_LIMIT = 500
SCALE_TOPS = [str(top) for top in range(2, MOST_CHOICES + 1)]
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_TIME = re.compile(r"^\d{1,2}:\d{2}$")
ALREADY_CLOSED = N_("This poll is already closed. Nothing was changed.")

# The flow's refusals (English, one line each: see flows.poll_choices and flows.polls), as
# the field they belong to and a workspace sentence the page can translate. The flow's own
# words would be English on a Welsh page, and a lead's words quoted in them could break the
# page's formatting.
_REFUSALS: tuple[tuple[str, str, str], ...] = (
    ("choices;", "choices", N_("Write from 2 to 7 choices, one on each line")),
    ("are the same", "choices", N_("Two of the choices are the same. Make each one different.")),
    ("too long for a choice", "choices", N_("Keep each choice to 40 characters or fewer")),
    (
        "or 2 for its ends",
        "scale-low",
        N_("Give words for both ends of the scale, or for neither"),
    ),
    ("at least an hour", "closes-date", N_("Choose a closing time at least an hour from now")),
    (
        "at most three months",
        "closes-date",
        N_("Choose a closing time no more than three months from now"),
    ),
    ("not a real date", "closes-date", N_("Enter a real date and time")),
    ("is closed", "question", N_("The project is closed")),
)


def routes(web: Web) -> list[Route]:
    async def show(request: Request, web: Web, lead: SignedIn) -> Response:
        return await _page(request, web, lead, Errors(), {})

    async def act(request: Request, web: Web, lead: SignedIn) -> Response:
        form = await request.form()
        if field(form, "action") == "close":
            return await _close(request, web, lead, form)
        return await _create(request, web, lead, form)

    return [
        Route("/p/{code}/polls", web.lead_page(show), methods=["GET"]),
        Route("/p/{code}/polls", web.lead_page(act), methods=["POST"]),
    ]


async def _create(request: Request, web: Web, lead: SignedIn, form: FormData) -> Response:
    errors = Errors()
    question = required_text(
        form, "question", errors, empty=N_("Enter the question"), limit=QUESTION_LIMIT
    )
    shape = _shape(form, errors)
    closes = _closing(form, errors)
    if errors:
        return await _page(request, web, lead, errors, dict(form), status=400)
    assert shape is not None  # no errors: the shape was read
    try:
        async with web.unit() as session:
            await lead_actions.once(session, lead.actor, field(form, "form_id"), now=web.now())
            _, poll, reached = await lead_polls.create_poll(
                session,
                lead.actor,
                request.path_params["code"],
                question,
                shape,
                now=web.now(),
                closes=closes,
                allows_other=field(form, "other") == "yes",
                named=field(form, "named") == "yes",
            )
    except InvalidInput as error:
        if isinstance(error, lead_actions.NOT_FOR_THE_FORM):
            raise
        errors.add(*_refusal(str(error), field(form, "kind")))
        return await _page(request, web, lead, errors, dict(form), status=400)
    return RedirectResponse(
        f"{request.url.path}?created={poll.id}&reached={reached}", status_code=303
    )


async def _close(request: Request, web: Web, lead: SignedIn, form: FormData) -> Response:
    number = _count(field(form, "poll"))
    if number is None:
        raise NotYours
    errors = Errors()
    try:
        async with web.unit() as session:
            # Only a lead of this page's project gets as far as the one-time form id.
            await led_project_as(session, lead.actor, request.path_params["code"])
            await lead_actions.once(session, lead.actor, field(form, "form_id"), now=web.now())
            # Another project's poll is not found.
            reached = await lead_polls.close_poll(
                session, lead.actor, number, now=web.now(), code=request.path_params["code"]
            )
    except InvalidInput as error:
        if isinstance(error, lead_actions.NOT_FOR_THE_FORM):
            raise
        # Closed a moment ago by its own time, or by another lead.
        errors.add(f"poll-{number}", ALREADY_CLOSED)
        return await _page(request, web, lead, errors, {}, status=409)
    return RedirectResponse(
        f"{request.url.path}?closed={number}&reached={reached}", status_code=303
    )


def _shape(form: FormData, errors: Errors) -> PollShape | None:
    """What the chosen kind of answers offers; the fields of the other kinds are ignored."""
    kind = field(form, "kind")
    if kind not in SHAPES:
        errors.add("kind", N_("Choose the kind of answers"))
        return None
    try:
        if kind == YES_NO:
            return shape_of(yes_no=True)
        if kind == SCALE:
            top = field(form, "scale-top")
            if top not in SCALE_TOPS:
                errors.add("scale-top", N_("Choose the top of the scale, from 2 to 7"))
                return None
            ends = [end for end in (field(form, "scale-low"), field(form, "scale-high")) if end]
            return shape_of(scale=f"1-{top}", labels=ends or None)
        choices = [line.strip() for line in field(form, "choices").splitlines() if line.strip()]
        if not choices:
            errors.add("choices", N_("Write the choices, one on each line"))
            return None
        return shape_of(choices=choices)
    except InvalidInput as error:
        errors.add(*_refusal(str(error), kind))
        return None


def _closing(form: FormData, errors: Errors) -> str | None:
    """'YYYY-MM-DD HH:MM' in the project's zone; both fields left empty: the usual week."""
    day, at = field(form, "closes-date"), field(form, "closes-time")
    if not day and not at:
        return None
    if not _DATE.match(day):
        errors.add("closes-date", N_("Enter the date like 2027-03-25"))
    if not _TIME.match(at):
        errors.add("closes-time", N_("Enter the time like 18:30"))
    return f"{day} {at}" if _DATE.match(day) and _TIME.match(at) else None


def _refusal(reason: str, kind: str) -> tuple[str, str]:
    """The field a refusal of the flow belongs to, and what the page says."""
    for words, name, message in _REFUSALS:
        if words in reason:
            # A scale's labels are its ends' words, not choices.
            return ("scale-low" if kind == SCALE and name == "choices" else name), message
    return "question", N_("This could not be done. Check it and try again.")


def _count(value: str | None) -> int | None:
    return int(value) if value and value.isascii() and value.isdigit() and len(value) < 9 else None


async def _page(
    request: Request,
    web: Web,
    lead: SignedIn,
    errors: Errors,
    values: dict[str, object],
    status: int = 200,
) -> Response:
    code = request.path_params["code"]
    async with web.unit() as session:
        project, _ = await led_project_as(session, lead.actor, code)
        reports = await lead_polls.polls_of(session, lead.actor, code)
    if not values:
        closes = (web.now() + OPEN_FOR).astimezone(ZoneInfo(project.time_zone))
        values = {"closes-date": f"{closes:%Y-%m-%d}", "closes-time": f"{closes:%H:%M}"}
    query = request.query_params
    return page(
        request,
        "polls.html",
        status=status,
        project=project,
        # Newest first; the chart never lists who answered, only how many chose each answer.
        polls=[(report, Markup(poll_chart(report, heading_level=3))) for report in reports[::-1]],
        errors=errors,
        values=values,
        limit=QUESTION_LIMIT,
        scale_tops=SCALE_TOPS,
        created=_count(query.get("created")),
        closed=_count(query.get("closed")),
        reached=_count(query.get("reached")) or 0,
    )
