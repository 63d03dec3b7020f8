"""Pages as Jinja2 templates, in the lead's language.

The workspace speaks English and Welsh from its own catalog (``workspace.po``, a separate
domain from the messages people receive). One Jinja2 environment per language, with the
translations installed, so no request can leak its language into another.
"""

from __future__ import annotations

import io
import secrets
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse

from flows.i18n import format_day, format_when, language_name
from locales import CATALOG_DIR

WORKSPACE_DOMAIN = "workspace"
# Welsh public bodies must offer Welsh no less favourably than English.
WORKSPACE_LANGUAGES = ("en", "cy")
TEMPLATES = Path(__file__).parent / "templates"


@cache
def workspace_translations(language: str) -> NullTranslations:
    path = CATALOG_DIR / language / "LC_MESSAGES" / f"{WORKSPACE_DOMAIN}.po"
    if language == "en" or not path.exists():
        return NullTranslations()
    with path.open("rb") as po_file:
        catalog = read_po(po_file, locale=language)
    compiled = io.BytesIO()
    write_mo(compiled, catalog, use_fuzzy=False)
    compiled.seek(0)
    return Translations(fp=compiled, domain=WORKSPACE_DOMAIN)


@cache
def environment(language: str) -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_translations(workspace_translations(language), newstyle=True)  # type: ignore[attr-defined]
    env.globals["language"] = language
    env.globals["language_name"] = language_name
    # Each form that must be acted on once carries a new id (flows.lead_actions.once).
    env.globals["new_form_id"] = lambda: secrets.token_urlsafe(24)
    env.filters["when"] = lambda moment, zone="Europe/London": (
        format_when(moment, language, zone) if isinstance(moment, datetime) else ""
    )
    env.filters["day"] = lambda day: format_day(day, language) if isinstance(day, date) else ""
    # Only the day: for a contributor lead, an exact time could tell who wrote an anonymous
    # comment that arrived at that minute.
    env.filters["day_of"] = lambda moment, zone="Europe/London": (
        format_day(moment.astimezone(ZoneInfo(zone)).date(), language)
        if isinstance(moment, datetime)
        else ""
    )
    return env


def gettext(language: str, text: str, **values: Any) -> str:
    """A workspace string outside a template (a page title chosen in code, say)."""
    found = workspace_translations(language).gettext(text)
    return found % values if values else found


def page(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    """Render a page for this request's lead, in their language."""
    language = getattr(request.state, "language", "en")
    csrf = request.scope.get("csrftoken")
    body = (
        environment(language)
        .get_template(template)
        .render(
            request=request,
            lead=getattr(request.state, "lead", None),
            csrf_token=csrf() if csrf else "",
            **context,
        )
    )
    headers = {
        # Pages hold people's words: never cached by a shared machine's browser or a proxy.
        "Cache-Control": "no-store",
        "X-Frame-Options": "DENY",
        "Referrer-Policy": "same-origin",
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": (
            "default-src 'self'; style-src 'self'; script-src 'self'; img-src 'self' data:; "
            "frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
        ),
    }
    return HTMLResponse(body, status_code=status, headers=headers)
