"""Translations per recipient, and dates written out the way people read them.

Catalogs are read from the ``.po`` files at first use and compiled in memory, so there is no
build step to forget; entries marked fuzzy are left out, so an unreviewed guess never reaches
a person. Nothing here is process-wide: each message is rendered with the translator of the
person it is for.
"""

from __future__ import annotations

import io
from datetime import date, datetime
from functools import cache
from typing import Protocol
from zoneinfo import ZoneInfo

from babel import Locale, UnknownLocaleError
from babel.dates import format_date, format_time
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_percent
from babel.support import NullTranslations, Translations

from locales import CATALOG_DIR, DOMAIN

SOURCE_LANGUAGE = "en"


class Translator(Protocol):
    def gettext(self, message: str) -> str: ...

    def ngettext(self, singular: str, plural: str, n: int) -> str: ...

    def pgettext(self, context: str, message: str) -> str: ...


@cache
def available_languages() -> tuple[str, ...]:
    """English (the source) and every language that has a catalog (read once: catalogs
    change with a release, not while the service runs)."""
    found = sorted(
        path.parent.parent.name for path in CATALOG_DIR.glob(f"*/LC_MESSAGES/{DOMAIN}.po")
    )
    return (SOURCE_LANGUAGE, *(code for code in found if code != SOURCE_LANGUAGE))


def parse_language(code: str) -> str:
    """``CY``, ``cy-GB`` or ``cy_GB`` → ``cy``; raises ValueError for something that is not a
    language code. The language may not have a catalog yet: see :func:`available_languages`."""
    cleaned = code.strip().replace("-", "_")
    try:
        return Locale.parse(cleaned).language
    except (ValueError, TypeError, UnknownLocaleError) as error:
        raise ValueError(f"'{code}' is not a language code") from error


@cache
def translator(language: str) -> Translator:
    path = CATALOG_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"
    if language == SOURCE_LANGUAGE or not path.exists():
        return NullTranslations()
    with path.open("rb") as po_file:
        catalog = read_po(po_file, locale=language)
    compiled = io.BytesIO()
    write_mo(compiled, catalog, use_fuzzy=False)
    compiled.seek(0)
    return Translations(fp=compiled, domain=DOMAIN)


# Babel's plain "en" is American English; our readers write dates the British way, and
# GOV.UK style drops the comma after the weekday ("Tuesday 1 December 2026").
_FORMAT_LOCALES = {"en": "en_GB"}
_DATE_PATTERNS = {"en": "EEEE d MMMM y"}


@cache
def _format_locale(language: str) -> Locale:
    """Parsed once per language: a digest or a record writes thousands of dates."""
    return Locale.parse(_FORMAT_LOCALES.get(language, language))


def format_share(part: int, whole: int, language: str) -> str:
    """A share as a whole percentage, written the reader's way ("67%", "67 %")."""
    return format_percent(part / whole if whole else 0, locale=_format_locale(language))


def format_when(moment: datetime, language: str, time_zone: str) -> str:
    """A time written out with its weekday, in the reader's language and the project's zone:
    'Tuesday 1 December 2026 at 18:00'."""
    local = moment.astimezone(ZoneInfo(time_zone))
    locale = _format_locale(language)
    day = format_date(local, format=_DATE_PATTERNS.get(language, "full"), locale=locale)
    time = format_time(local, format="HH:mm", locale=locale)
    # The joining word comes from the catalog so each language says "at" its own way.
    return translator(language).gettext("{date} at {time}").format(date=day, time=time)


def format_day(day: date, language: str) -> str:
    """A day written out with its weekday, in the reader's language: 'Monday 1 March 2027'."""
    locale = _format_locale(language)
    return format_date(day, format=_DATE_PATTERNS.get(language, "full"), locale=locale)


def usable_language(code: str | None, fallback: str = SOURCE_LANGUAGE) -> str:
    """The language to write in: the person's if we have a catalog for it, else the fallback
    (then English). A date is never written in a language the rest of the message is not."""
    languages = available_languages()
    for candidate in (code, fallback):
        if candidate and candidate in languages:
            return candidate
    return SOURCE_LANGUAGE


def language_name(code: str, in_language: str | None = None) -> str:
    """A language's name, as its speakers write it ("Cymraeg") or in another language."""
    try:
        locale = Locale.parse(code)
        name = locale.get_display_name(in_language or code) or code
    except (ValueError, UnknownLocaleError):
        return code
    return name[:1].upper() + name[1:]


def find_language(asked: str) -> str | None:
    """The language someone asked for by code ("cy") or by its name in any language we write
    ("Cymraeg", "Welsh", "walijski"), if we can write in it."""
    wanted = asked.strip().casefold()
    languages = available_languages()
    for code in languages:
        names = {code} | {language_name(code, other).casefold() for other in languages}
        if wanted in names or wanted.replace("_", "-").split("-")[0] == code:
            return code
    return None
