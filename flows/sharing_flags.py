"""What a contributor's text holds that a lead should see before the group does: contact
details, an address, someone else's name, words about harm. English, Welsh, Polish and Urdu.

Regular expressions and ``phonenumbers`` only: offline, no model to download, well under a
millisecond a comment. Presidio and spaCy were left out because they need model downloads
(and know no Welsh or Urdu street words). The checks lean towards holding a comment: a lead
reads every flag, so a missed address costs more than a false one. The labelled set in
``tests/fixtures/sharing_flags.jsonl`` measures them (``python -m bench.flags``).
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Iterator
from enum import StrEnum

import phonenumbers
from phonenumbers import Leniency, PhoneNumberMatcher

from . import sharing_words as w


class Flag(StrEnum):
    CONTACT = "contact"  # a phone number or an email address
    ADDRESS = "address"  # a UK postcode, or a house number with a street name
    NAME = "name"  # a full name (two capitalised words) that is not the author's own
    SAFEGUARDING = "safeguarding"  # harm to self or others, abuse, neglect


# How far around a match the checks look for the words that decide it, in characters.
NEARBY = 120
# Longest run of capitalised words read as one name ("Elin Wyn Jones"); longer runs are cut.
LONGEST_NAME = 4


def find_flags(text: str, *, author_name: str | None = None) -> frozenset[Flag]:
    """The flags a comment raises. ``author_name`` is the contributor's own name, which is
    never flagged (in any order, any case, with or without accents)."""
    text = ascii_digits(text)
    checks = (
        (Flag.CONTACT, has_contact(text)),
        (Flag.ADDRESS, has_address(text)),
        (Flag.NAME, names_someone(text, author_name)),
        (Flag.SAFEGUARDING, mentions_harm(text)),
    )
    return frozenset(flag for flag, found in checks if found)


def ascii_digits(text: str) -> str:
    """Urdu and Arabic digits (۰۷۷۰۰) as 0-9, one character for one, so positions hold."""
    return "".join(
        str(unicodedata.digit(c)) if c.isdigit() and not c.isascii() else c for c in text
    )


def before(text: str, position: int) -> str:
    """The text just before a position: enough for the words around a match, and short, so
    a long comment costs time in step with its length."""
    return text[max(0, position - NEARBY) : position]


def after(text: str, position: int) -> str:
    return text[position : position + NEARBY]


def fold(word: str) -> str:
    """A word as the lists hold it: lower case, no accents, no possessive ("Siân's" -> sian)."""
    word = re.sub(r"['’]s$", "", word).casefold().replace("ł", "l")
    word = word.replace("'", "").replace("’", "")
    return "".join(c for c in unicodedata.normalize("NFKD", word) if not unicodedata.combining(c))


# --- Contact -----------------------------------------------------------------------------

# Repeats are bounded so that a long comment full of dots costs time in step with its length.
EMAIL = re.compile(r"[\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63}){1,6}")
_AT = r"\s*(?:@|\(at\)|\[at\]|\bat\b|\bmałpa\b|\bmalpa\b)\s*"
_DOT = r"\s*(?:\.|\(dot\)|\[dot\]|\bdot\b|\bkropka\b)\s*"
_TLD = r"(?:com|co|uk|org|net|pl|gov|ac|nhs|wales|cymru|info|me|eu|edu|io|ie|de)"
# "jo dot smith at gmail dot com", "claire_dunn88 (at) yahoo (dot) co (dot) uk".
SPELLED_EMAIL = re.compile(
    rf"\b[\w+-]{{1,64}}(?:{_DOT}[\w+-]{{1,64}}){{0,3}}{_AT}[\w-]{{1,63}}(?:{_DOT}[\w-]{{1,63}}){{0,3}}?"
    rf"{_DOT}{_TLD}\b",
    re.IGNORECASE,
)
DATE_LIKE = re.compile(r"\d{1,4}[/.]\d{1,2}(?:[/.]\d{2,4})?")
# Words just before a number that make it a reference, not a phone number.
REFERENCE_CUE = re.compile(
    r"(?:ref|reference|referencyjny|cyfeirnod|ریفرنس|account|order|case|invoice|nhs)\W+"
    r"(?:\w+\W+){0,2}$",
    re.IGNORECASE,
)
# Words just before a bare nine-digit number that make it a (Polish) phone number.
PHONE_CUE = re.compile(
    r"(?:numer|number|nr|telefon|tel|phone|mob|mobile|komórka|komórki|dzwoń\w*|call|ring"
    r"|rhif|ffôn|نمبر|فون)\W*(?:\w+\W+){0,2}$",
    re.IGNORECASE,
)


def has_contact(text: str) -> bool:
    return bool(EMAIL.search(text) or SPELLED_EMAIL.search(text) or any(phone_numbers(text)))


def phone_numbers(text: str) -> Iterator[str]:
    """Phone numbers as written. ``phonenumbers`` finds candidates at POSSIBLE leniency (Ofcom's
    drama ranges such as 07700 900123 are not VALID); their shape sorts out dates, years,
    references and NHS numbers."""
    for match in PhoneNumberMatcher(text, "GB", leniency=Leniency.POSSIBLE):
        raw = match.raw_string
        digits = re.sub(r"\D", "", raw)
        if DATE_LIKE.fullmatch(raw.strip()) or len(digits) < 9:
            continue
        if REFERENCE_CUE.search(before(text, match.start)):
            continue
        if raw.lstrip("(").startswith(("+", "00")):
            if phonenumbers.is_possible_number(match.number):
                yield raw
        elif raw.lstrip("(").startswith("0"):
            if len(digits) in (10, 11):
                yield raw
        elif (
            len(digits) == 9
            and digits[0] in "45678"
            and PHONE_CUE.search(before(text, match.start))
        ):
            yield raw  # a Polish number without its +48: "mój numer 601-234-567"


# --- Address -----------------------------------------------------------------------------

POSTCODE = re.compile(
    r"\b(?:[A-PR-UWYZ][A-HK-Y]?\d[A-Z\d]?\s?\d[ABD-HJLNP-UW-Z]{2}|GIR\s?0AA)\b", re.IGNORECASE
)
ORDINAL = re.compile(r"1st|2nd|3rd|[04-9]th")
# A house number: "14", "14a", not part of a time, a price, a date or "1,400".
HOUSE_NUMBER = re.compile(r"(?<![\w£$€.,:/-])(\d{1,4})[a-zA-Z]?(?!\w|[,.:/]\d)")
NUMBER_WORD = re.compile(r"(?:number|no\.?|nr|rhif|numer)\s*$", re.IGNORECASE)
WORD = re.compile(r"[^\W\d_][\w'’-]*")
POLISH_STREET = re.compile(
    rf"(?i:\b(?:{w.STREET_PREFIX_PL}))\s+(?:\d+\s+)?(?:[A-ZŁŚŻŹĆŃÓ][\w-]*\.?\s+){{1,3}}\d+[a-z]?\b"
)
URDU_STREET = re.compile(
    r"(?<!\d)\d{1,4}\s*،?\s*(?:[^\W\d]+\s+){1,3}?(?:" + "|".join(w.STREET_WORDS_UR) + r")\b"
)
URDU_HOUSE = re.compile(w.HOUSE_NUMBER_UR, re.IGNORECASE)
_STREETS_CY = "|".join(word.capitalize() for word in w.STREET_WORDS_CY | {"lôn", "sgwâr"})
_STREETS_EN = "|".join(word.capitalize() for word in w.STREET_WORDS_EN)
# The number after the street: "Heol y Parc, rhif 14", "Mill Lane, number 22".
STREET_THEN_NUMBER = re.compile(
    rf"(?:\b(?:{_STREETS_CY})(?:['’]r)?\s+(?:(?:y|yr)\s+)?|\b[A-Z][\w'’-]*\s+(?:{_STREETS_EN})\b)"
    r"[\w'’-]*,?\s+(?i:rhif|number|no\.?|nr|numer)\s*\d"
)


def has_address(text: str) -> bool:
    if has_postcode(text) or POLISH_STREET.search(text) or STREET_THEN_NUMBER.search(text):
        return True
    if URDU_STREET.search(text) or URDU_HOUSE.search(text):
        return True
    return any(street_after(text, number) for number in HOUSE_NUMBER.finditer(text))


def has_postcode(text: str) -> bool:
    """A UK postcode, in any case ("CF10 1AA", "sw1a1aa"), but not a code before an ordinal
    typed in lower case ("Block B2 3rd floor")."""
    return any(not ORDINAL.fullmatch(match.group()[-3:]) for match in POSTCODE.finditer(text))


def street_after(text: str, number: re.Match[str]) -> bool:
    """Whether a street name follows a house number: "14 Elm Road", "8 The Crescent",
    "22 on Mill Lane" (after "number"), "3 Heol y Frenhines", "9 Rhodfa'r Môr"."""
    if 1900 <= int(number.group(1)) <= 2099:  # a year: "In 2019 High Street had 3 banks"
        return False
    rest = after(text, number.end()).lstrip(", ")
    clause = re.split(r"[.,;:!?()\n—–]", rest, maxsplit=1)[0]
    following = WORD.findall(clause)[:5]
    after_number_word = NUMBER_WORD.search(before(text, number.start()))
    if following and after_number_word and fold(following[0]) in w.NUMBER_PREPOSITIONS:
        following = following[1:]
    return welsh_street(following) or english_street(following)


def english_street(following: list[str]) -> bool:
    for position, word in enumerate(following[:4]):
        street_word = fold(word)
        if position == 0 or street_word not in w.STREET_WORDS_EN:
            continue
        name = following[:position]
        if word[0].isupper():
            named = all(
                part[0].isupper() and fold(part) not in w.ADDRESS_STOPWORDS - {"the"}
                for part in name
            )
        else:  # typed in lower case: "27 mill lane"
            named = street_word in w.STREET_WORDS_LOWER and all(
                part.islower() and fold(part) not in w.ADDRESS_STOPWORDS for part in name
            )
        if named:
            return True
        if fold(name[-1]) in w.ADDRESS_STOPWORDS:
            return False
    return False


def welsh_street(following: list[str]) -> bool:
    """The street word first: "3 Heol y Frenhines", "12 Stryd Fawr", "9 Rhodfa'r Môr"."""
    if len(following) < 2:
        return False
    street, name = following[0], following[1]
    joined_article = bool(re.search(r"['’]r$", street))
    street_word = fold(re.sub(r"['’]r$", "", street))
    if street_word not in w.STREET_WORDS_CY:
        return False
    if street[0].isupper():
        return joined_article or name[0].isupper() or is_article(name)
    return street_word in w.STREET_WORDS_CY_LOWER and (joined_article or is_article(name))


def is_article(word: str) -> bool:
    return word.casefold() in ("y", "yr")


# --- Names -------------------------------------------------------------------------------

# A word as a name is written: capitalised, rest lower case ("O'Brien", "McDonald" allowed).
CAPITALISED = re.compile(r"(?:Mc|Mac|O['’])?[^\W\d_][^\W\d_A-Z]*(?:[-'’][^\W\d_][^\W\d_]*)*")
URDU_WORD = re.compile(r"[\u0600-\u06ff]+")


def names_someone(text: str, author_name: str | None) -> bool:
    own = {fold(part) for part in WORD.findall(author_name or "")}
    return any(not set(name) <= own for name in names_in(text))


def names_in(text: str) -> Iterator[tuple[str, ...]]:
    """Each person's name found, folded: a title and a name ("Mrs Patel"), a given name and
    another name ("Susan Jones"), a name and a known surname ("Mandeep Sandhu"), or in
    Urdu script a title or honorific ("مسز خان", "سلیم صاحب")."""
    for run, at_sentence_start in capitalised_runs(text):
        yield from names_in_run(run, at_sentence_start)
    yield from urdu_names(text)


def capitalised_runs(text: str) -> Iterator[tuple[list[str], bool]]:
    """Runs of capitalised words next to each other ("Susan Jones", "Mr. Ahmed"), and
    whether each run opens a sentence."""
    run: list[str] = []
    run_start = 0
    previous_end = 0
    for match in WORD.finditer(text):
        word = match.group()
        gap = text[previous_end : match.start()]
        joined = run and (
            gap.isspace() or (gap.startswith(".") and gap[1:].isspace() and is_title(run[-1]))
        )
        if run and (not joined or len(run) == LONGEST_NAME):
            yield run, sentence_starts_at(text, run_start)
            run = []
        if CAPITALISED.fullmatch(word) and word[0].isupper():
            if not run:
                run_start = match.start()
            run.append(word)
        elif run:
            yield run, sentence_starts_at(text, run_start)
            run = []
        previous_end = match.end()
    if run:
        yield run, sentence_starts_at(text, run_start)


def sentence_starts_at(text: str, position: int) -> bool:
    previous = before(text, position).rstrip(" \"'“‘")
    return not previous or previous[-1] in ".!?\n:—-"


def is_title(word: str) -> bool:
    return fold(word) in w.TITLES


def is_given_name(word: str) -> bool:
    """A known given name, also as Polish declines it ("Agnieszką", "Krzysztofem")."""
    folded = fold(word)
    stems = {folded[:-1] + "a", folded[:-1], folded[:-2], folded[:-3]}
    if folded.endswith(("ce", "ie")):
        stems.add(folded[:-2] + "ka")
    stems = {stem for stem in stems if len(stem) > 2} | {folded}
    return not stems.isdisjoint(w.GIVEN_NAMES)


def is_surname(word: str) -> bool:
    return fold(word) in w.SURNAMES or word.endswith(w.POLISH_SURNAME_ENDINGS)


def names_in_run(run: list[str], at_sentence_start: bool) -> Iterator[tuple[str, ...]]:
    """The names in a run of capitalised words, cut at greetings, days and months."""
    piece: list[str] = []
    for word in [*run, ""]:
        if word and fold(word) not in w.OPENING_WORDS:
            piece.append(word)
            continue
        yield from names_in_piece(piece, at_sentence_start)
        piece, at_sentence_start = [], False


def names_in_piece(piece: list[str], at_sentence_start: bool) -> Iterator[tuple[str, ...]]:
    """The name in words next to each other with no greeting among them, unless they name a
    place or an organisation ("Millbrook Library", "Age Cymru")."""
    if any(fold(word) in w.NOT_NAME_WORDS for word in piece if not is_title(word)):
        return
    for i, word in enumerate(piece[:-1]):
        rest = tuple(fold(part) for part in piece[i + 1 :])
        if is_title(word):
            yield rest
            return
        if is_given_name(word):
            yield (fold(word), *rest)
            return
        if is_surname(piece[i + 1]) and not (i == 0 and at_sentence_start):
            yield (fold(word), *rest)
            return


def urdu_names(text: str) -> Iterator[tuple[str, ...]]:
    found = URDU_WORD.findall(text)
    for before, after in itertools.pairwise(found):
        if before in w.URDU_TITLES and after not in w.URDU_NOT_NAMES:
            yield (w.URDU_LATIN.get(after, after),)
        elif after in w.URDU_HONORIFICS and before not in w.URDU_NOT_NAMES:
            yield (w.URDU_LATIN.get(before, before), w.URDU_LATIN.get(after, after))


# --- Harm --------------------------------------------------------------------------------

HARM = re.compile("|".join(w.HARM_PATTERNS), re.IGNORECASE)
NEGLECT = re.compile("|".join(w.NEGLECT_PATTERNS), re.IGNORECASE)
HARMLESS = re.compile("|".join(w.HARMLESS_PHRASES), re.IGNORECASE)
CONTEXT_WORD = re.compile(r"[^\W\d_]+")


def mentions_harm(text: str) -> bool:
    """Words about harm to self or others, abuse or neglect; prevention work ("suicide
    prevention training") and idioms ("my back is killing me") blanked out first."""
    text = HARMLESS.sub(" ", text)
    if HARM.search(text):
        return True
    return any(not about_a_place(text, match) for match in NEGLECT.finditer(text))


def about_a_place(text: str, match: re.Match[str]) -> bool:
    """Whether a neglect word is about a place: the nearest word before or after it, past
    "is", "totally" and the like, is a park, a road, a building (in lower case)."""
    previous = CONTEXT_WORD.findall(re.split(r"[.!?;]", before(text, match.start()))[-1])
    following = CONTEXT_WORD.findall(re.split(r"[.!?;,]", after(text, match.end()))[0])
    nearest = [
        next((word for word in words if fold(word) not in w.NEGLECT_FILLERS), "")
        for words in (reversed(previous), following)
    ]
    # A capitalised place word names where someone lives ("5 Park Street jest zaniedbana").
    return any(word.islower() and fold(word) in w.PLACE_WORDS for word in nearest)
