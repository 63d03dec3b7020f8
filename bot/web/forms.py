"""Reading form fields and collecting what is wrong with them, for the error summary.

Messages are catalog ids marked with ``N_``; the page translates them as it shows them.
"""

from __future__ import annotations

from starlette.datastructures import FormData, UploadFile


def N_(message: str) -> str:
    """Mark a workspace string for the catalog; the template translates it."""
    return message


class Errors:
    """Field name -> what is wrong, in the order the fields come on the page."""

    def __init__(self) -> None:
        self.items: dict[str, str] = {}

    def add(self, name: str, message: str) -> None:
        self.items.setdefault(name, message)

    def get(self, name: str) -> str | None:
        return self.items.get(name)

    def __bool__(self) -> bool:
        return bool(self.items)


def field(form: FormData, name: str) -> str:
    """A text field, trimmed; an absent or file field reads as empty."""
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def upload(form: FormData, name: str) -> UploadFile | None:
    value = form.get(name)
    return value if isinstance(value, UploadFile) and value.filename else None


def required_text(form: FormData, name: str, errors: Errors, *, empty: str, limit: int) -> str:
    """A text field that must be given and fit the limit the page states."""
    value = field(form, name)
    if not value:
        errors.add(name, empty)
    elif len(value) > limit:
        errors.add(name, N_("This is too long. Shorten it to the limit shown."))
    return value


def page_number(value: str | None) -> int:
    """The page asked for in ``?page=``; anything that is not a sensible number is page 1."""
    return int(value) if value and value.isdigit() and 0 < int(value) < 100_000 else 1
