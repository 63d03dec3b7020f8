"""Errors storage functions raise for input a person can correct."""


class InvalidInput(ValueError):
    """The request cannot be carried out as given; the message says why in one line."""


class NotFound(LookupError):
    """Nothing matches what was asked for; the message names what was looked for."""
