"""Signatures typed without the "-- " delimiter, and the notices organisations put below them.

Outlook, Zoho and most work accounts add a signature under what a person typed with no "-- "
line above it: their name again, a role, an organisation, phone numbers, a website, often a
confidentiality notice. It is dropped only when it is unmistakable: it follows the person's own
sign-off ("Best wishes,\\nAlan"), starts with that name again ("Alan Meredith | ..."), holds a
contact detail, and nothing after it reads as a sentence (except a legal notice). A list of
days, or an address the person was asked for, has no repeated sign-off name and is kept.
"""

from __future__ import annotations

import re

__all__ = ["is_prose", "typed_signature_start"]

# A line that reads as a sentence: six words or more, ending as a sentence ends or mostly in
# lower case. Names, roles, numbers and addresses are shorter or written in capitals.
_PROSE_WORDS = 6
_SENTENCE_END = re.compile(r"[.!?۔؟]\s*$")
_LINK = re.compile(r"<(?:https?|mailto):[^<>\s]*>")


def is_prose(line: str) -> bool:
    """Whether a line reads as a sentence rather than a name, role, number or address."""
    words = line.split()
    if len(words) < _PROSE_WORDS or _LINK.search(line):
        return False
    lower = sum(word[0].islower() for word in words)
    return bool(_SENTENCE_END.search(line)) or lower * 2 >= len(words)


# A signature and its notices are no longer than this many lines, blank ones included.
_LONGEST_SIGNATURE = 30
_LONGEST_SIGNATURE_LINE_WORDS = 12
# A signature with no contact detail: the full name, a role and an organisation or two.
_LONGEST_UNMARKED_SIGNATURE = 4
_NAME_WORD = re.compile(r"^[^\W\d_][\w'’.-]*$")
# A contact detail: a phone number of seven digits or more, a web or email address, the "|"
# that separates a signature's fields, or a company's legal form.
_CONTACT = re.compile(
    r"""\+?\d[\d\s().-]{5,}\d | https?:// | \bwww\. | [\w.+-]+@[\w-]+\.\w | \|
      | (?<!\w)(?:Ltd|Limited|LLP|PLC|plc|CIC|CIO|Inc|LLC|GmbH|gGmbH|AG|e\.\s?V|SARL|SAS|S\.A
          |S\.L|S\.p\.A|S\.r\.l|B\.V|BV|N\.V|AB|Oy|ASA|A/S|ApS|sp\.\s?z\s?o\.\s?o|s\.r\.o|Kft
          |ООО|Cyf)(?![\w])""",
    re.VERBOSE,
)
# The first line of a legal or environmental notice under a signature, in the languages we
# read most; the lines wrapped after it, up to a blank line, belong to it.
_NOTICE = re.compile(
    r"""confidential | disclaimer | privileged | intended\s(?:solely\s|only\s)?for
      | received\sthis\s(?:e-?mail|message) | registered\s(?:charity|office|company|in\s)
      | (?:company|charity)\s(?:registration\s)?(?:no\b|number) | before\sprinting
      | vertraulich | Haftungsausschluss | Geschäftsführ | Amtsgericht | Handelsregister
      | Registergericht | confidentiel | destinataire | riservat | confidencial | destinatario
      | poufn | konfidencj | vertrouwelijk | sekretess | fortrolig | konfidentiel | конфиденц
      | cyfrinachol | elusen\sgofrestredig""",
    re.VERBOSE | re.IGNORECASE,
)


def typed_signature_start(lines: list[str]) -> int | None:
    """Where a signature typed without "-- " starts in `lines` (what the person wrote, last
    line at the end), or None when there is none to be sure of."""
    last = len(lines)
    while last and not lines[last - 1].strip():
        last -= 1
    for name_index in range(max(0, last - _LONGEST_SIGNATURE), last):
        name = _sign_off_name(lines, name_index)
        if name is None:
            continue
        start = _next_written(lines, name_index + 1, last)
        if start is not None and _is_signature(lines[start:last], name):
            return name_index + 1
    return None


def _sign_off_name(lines: list[str], index: int) -> str | None:
    """The first word of the person's name if `lines[index]` signs off ("Alan", "Katrin
    Vogel", "Thanks, Aisha"): a name of one to three words on a line of its own, not under a
    line that introduces what follows (as "My address is:" does)."""
    line = lines[index].strip()
    valediction, _, name = line.rpartition(",")
    words = name.split()
    if not 1 <= len(words) <= 3 or len(valediction.split()) > 4:
        return None
    if not all(_NAME_WORD.match(word) and not word[0].islower() for word in words):
        return None
    if not valediction and index and lines[index - 1].rstrip().endswith(":"):
        return None
    return words[0]


def _is_signature(block: list[str], name: str) -> bool:
    """Whether `block` is a signature starting with `name` again and nothing but short lines
    and legal notices, with a contact detail, or starting with the person's full name on a
    line of its own ("Linnea Berg" under "Linnea") above at most a role and an organisation."""
    first = block[0].split()
    if not first or first[0].strip(",|").casefold() != name.casefold():
        return False
    contact = False
    written: list[str] = []
    in_notice = False
    for line in block:
        if not line.strip():
            in_notice = False
        elif in_notice or _NOTICE.search(line):
            in_notice = True
        elif _is_signature_line(line):
            contact = contact or bool(_CONTACT.search(line))
            written.append(line)
        else:
            return False
    return contact or _name_role_and_organisation(first, written)


def _name_role_and_organisation(first: list[str], written: list[str]) -> bool:
    """The full name, then a role and an organisation or two, with no number among them (a
    postal address the person was asked for has some)."""
    return (
        _full_name(first)
        and len(written) <= _LONGEST_UNMARKED_SIGNATURE
        and not any(character.isdigit() for line in written for character in line)
    )


def _full_name(words: list[str]) -> bool:
    return 2 <= len(words) <= 3 and all(
        _NAME_WORD.match(word) and word[0].isupper() for word in words
    )


def _is_signature_line(line: str) -> bool:
    """A name, role, organisation, address or number: short, not a sentence."""
    words = line.split()
    if len(words) > _LONGEST_SIGNATURE_LINE_WORDS or is_prose(line):
        return False
    end = line.rstrip()
    if end.endswith(("?", "!", ":")):
        return False
    # "Ltd." and "e.V." end with a full stop; a sentence ends with a longer word.
    return not end.endswith(".") or len(words[-1]) <= 5


def _next_written(lines: list[str], start: int, end: int) -> int | None:
    return next((i for i in range(start, end) if lines[i].strip()), None)
