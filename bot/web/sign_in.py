"""Signing in by a one-time link, and signing out."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from flows.lead_sign_in import link_holder, redeem_link, request_link, sign_out

from .context import LANGUAGE_COOKIE, SESSION_COOKIE, Web, safe_next
from .forms import N_, Errors, field
from .limits import LINK_WINDOW, PER_ADDRESS, PER_CLIENT, SlidingLimit
from .render import WORKSPACE_LANGUAGES, page

ADDRESS_LIMIT = 320


def routes(web: Web) -> list[Route]:
    per_address = SlidingLimit(PER_ADDRESS, LINK_WINDOW)
    per_client = SlidingLimit(PER_CLIENT, LINK_WINDOW)

    async def login(request: Request) -> Response:
        request.state.language = web.language(request)
        next_path = safe_next(request.query_params.get("next"))
        if request.method == "GET":
            return page(request, "login.html", errors=Errors(), address="", next=next_path)
        form = await request.form()
        address = field(form, "address")
        next_path = safe_next(field(form, "next"))
        errors = Errors()
        if not address:
            errors.add("address", N_("Enter the email address or phone number we have for you"))
        elif len(address) > ADDRESS_LIMIT:
            errors.add("address", N_("The address must be 320 characters or fewer"))
        if errors:
            return page(
                request, "login.html", status=400, errors=errors, address=address, next=next_path
            )
        now = web.now()
        client = request.client.host if request.client else "unknown"
        if not per_client.allow(client, now) or not per_address.allow(
            " ".join(address.casefold().split()), now
        ):
            return page(request, "login_wait.html", status=429)
        async with web.unit() as session:
            await request_link(
                session,
                address,
                base_url=web.base_url(request),
                region=web.services.settings.default_region,
                now=now,
            )
        return page(request, "login_sent.html", address=address)

    async def link(request: Request) -> Response:
        request.state.language = web.language(request)
        token = request.path_params["token"]
        next_path = safe_next(request.query_params.get("next"))
        if request.method == "GET":
            async with web.unit() as session:
                holder = await link_holder(session, token, web.now())
                name = holder.name if holder else None
            if name is None:
                return page(request, "link_used.html", status=410)
            return page(request, "sign_in.html", name=name, next=next_path)
        async with web.unit() as session:
            redeemed = await redeem_link(
                session, token, hours=web.services.settings.session_hours, now=web.now()
            )
            language = redeemed[0].language if redeemed else None
        if redeemed is None:
            return page(request, "link_used.html", status=410)
        answer = RedirectResponse(next_path, status_code=303)
        answer.set_cookie(
            SESSION_COOKIE,
            redeemed[1],
            max_age=web.services.settings.session_hours * 3600,
            path="/lead",
            httponly=True,
            samesite="lax",
            secure=web.secure_cookies,
        )
        if language in WORKSPACE_LANGUAGES and LANGUAGE_COOKIE not in request.cookies:
            _remember_language(answer, language, web.secure_cookies)
        return answer

    async def signed_out(request: Request) -> Response:
        request.state.language = web.language(request)
        if request.method == "POST":
            token = request.cookies.get(SESSION_COOKIE)
            if token:
                async with web.unit() as session:
                    await sign_out(session, token, web.now())
            answer = RedirectResponse("/lead/signed-out", status_code=303)
            answer.delete_cookie(SESSION_COOKIE, path="/lead")
            return answer
        return page(request, "signed_out.html")

    async def language(request: Request) -> Response:
        chosen = request.query_params.get("to", "")
        answer = RedirectResponse(safe_next(request.query_params.get("next")), status_code=303)
        if chosen in WORKSPACE_LANGUAGES:
            _remember_language(answer, chosen, web.secure_cookies)
        return answer

    return [
        Route("/login", login, methods=["GET", "POST"]),
        Route("/sign-in/{token}", link, methods=["GET", "POST"]),
        Route("/sign-out", signed_out, methods=["POST"]),
        Route("/signed-out", signed_out, methods=["GET"]),
        Route("/language", language, methods=["GET"]),
    ]


def _remember_language(answer: Response, language: str, secure: bool) -> None:
    answer.set_cookie(
        LANGUAGE_COOKIE,
        language,
        max_age=365 * 24 * 3600,
        path="/lead",
        httponly=True,
        samesite="lax",
        secure=secure,
    )
