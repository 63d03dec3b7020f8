"""Questions: answer a member's question, ask the whole group, read the replies."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from flows import lead_actions
from flows.lead_actions import led_project_as
from flows.workspace_questions import already_answered, project_questions
from storage.errors import InvalidInput
from storage.questions import find_question

from .context import NotYours, SignedIn, Web
from .forms import N_, Errors, field, required_text
from .render import page

TEXT_LIMIT = 2000
ANSWERED = N_("This question already has an answer. Nothing was changed.")


def routes(web: Web) -> list[Route]:
    async def show(request: Request, web: Web, lead: SignedIn) -> Response:
        return await _page(request, web, lead, Errors(), {})

    async def act(request: Request, web: Web, lead: SignedIn) -> Response:
        form = await request.form()
        errors = Errors()
        code = request.path_params["code"]
        raw = form.get("question")
        number = int(raw) if isinstance(raw, str) and raw.isdigit() else None
        name = f"answer-{number}" if number else "ask"
        text = required_text(
            form,
            name,
            errors,
            empty=N_("Enter the answer") if number else N_("Enter the question"),
            limit=TEXT_LIMIT,
        )
        if errors:
            return await _page(request, web, lead, errors, dict(form), status=400)
        try:
            async with web.unit() as session:
                project, _ = await led_project_as(session, lead.actor, code)
                await lead_actions.once(session, lead.actor, field(form, "form_id"), now=web.now())
                if number is None:
                    await lead_actions.ask_group(session, lead.actor, code, text, now=web.now())
                    done = "asked"
                else:
                    question = await find_question(session, number)
                    if question.project_id != project.id:
                        raise NotYours
                    if question.direction != "to-leads" or await already_answered(session, number):
                        errors.add(name, ANSWERED)
                        raise _Refused
                    await lead_actions.answer_question(
                        session, lead.actor, number, text, now=web.now()
                    )
                    done = "answered"
        except _Refused:
            return await _page(request, web, lead, errors, {}, status=409)
        except InvalidInput as error:
            if isinstance(error, lead_actions.NOT_FOR_THE_FORM):
                raise
            errors.add(name, N_("This could not be done. Check it and try again."))
            return await _page(request, web, lead, errors, dict(form), status=400)
        return RedirectResponse(f"{request.url.path}?done={done}", status_code=303)

    return [
        Route("/p/{code}/questions", web.lead_page(show), methods=["GET"]),
        Route("/p/{code}/questions", web.lead_page(act), methods=["POST"]),
    ]


class _Refused(Exception):
    pass


async def _page(
    request: Request,
    web: Web,
    lead: SignedIn,
    errors: Errors,
    values: dict[str, object],
    status: int = 200,
) -> Response:
    async with web.unit() as session:
        project, kind = await led_project_as(session, lead.actor, request.path_params["code"])
        questions = await project_questions(session, project, kind)
    return page(
        request,
        "questions.html",
        status=status,
        project=project,
        questions=questions,
        errors=errors,
        values=values,
        limit=TEXT_LIMIT,
        done=request.query_params.get("done"),
    )
