"""What a message is, when it is not a command: a question, or small talk.

A question ends with a question mark (``?`` or the Arabic-script ``؟``) or starts with a
question word of the writer's language (or English). Small talk ("Thanks", "Diolch yn fawr
am bopeth", "ok", a thumbs-up) is answered kindly and kept as nothing more: it is not a
comment and asks nobody to respond. The words come from the catalog, so every language we
write has its own, and the English ones always count too.
"""

from __future__ import annotations

import re
import unicodedata

from .i18n import Translator
from .keywords import QUESTION_MARKS, _fold

# Pictures that say thanks or yes in any language: a thumbs-up (any skin tone), OK hand,
# folded hands, smiles, hearts, a tick, clapping.
_KIND_PICTURES = frozenset("👍👌🙏😊🙂😀😃☺❤💕💖💙💚💛💜🧡✅✔👏🤝💐🌹😁🥰")
# Skin tones, the variation selector and the joiner ride along with a picture.
_RIDERS = re.compile("[\U0001f3fb-\U0001f3ff\ufe0f\ufe0e\u200d]")
_WORDS = re.compile(r"[^\W_]+", re.UNICODE)


def _question_words(t: Translator) -> str:
    # TRANSLATORS: words that, as the first word of a message, show it is a question, in
    # lower case and separated by spaces. People often leave out the question mark; these
    # words let us still pass their question to the leads. List only words that begin
    # questions, not words that also often begin statements.
    return t.pgettext(
        "question words",
        "what why how when where who whom whose which will would can could should shall is "
        "are was were does did",
    )


def _thanks_words(t: Translator) -> str:
    # TRANSLATORS: words that, alone, say thanks or OK ("Thanks", "ok", "cheers"), in lower
    # case and separated by spaces. A message of only these words (and the words in the
    # next list) is answered kindly and not kept as a comment.
    return t.pgettext("small talk", "thanks thank thankyou thx ty ok okay cheers ta noted")


def _filler_words(t: Translator) -> str:
    # TRANSLATORS: words that often go with "thanks" or "ok" in a message that says nothing
    # more ("thank you very much for everything", "ok thanks again"), in lower case and
    # separated by spaces.
    return t.pgettext(
        "small talk", "you very much so for everything all a lot lots again that great"
    )


def small_talk_reply(t: Translator) -> str:
    return t.gettext("Thank you for your message. You do not need to reply.")


def _folded_set(*texts: str) -> frozenset[str]:
    return frozenset(_fold(word) for text in texts for word in text.split())


def looks_like_question(text: str, t: Translator, english: Translator) -> bool:
    """Ends with a question mark, or starts with a question word."""
    stripped = text.rstrip()
    if stripped.endswith(QUESTION_MARKS):
        return True
    words = _WORDS.findall(stripped)
    if not words:
        return False
    asking = _folded_set(_question_words(t), _question_words(english))
    return _fold(words[0]) in asking


def is_small_talk(text: str, t: Translator, english: Translator) -> bool:
    """Only thanks, OK, their companions and kind pictures, with at least one thanks, OK or
    picture: nothing anyone needs to answer or act on."""
    bare = _RIDERS.sub("", unicodedata.normalize("NFC", text))
    pictures = [c for c in bare if c in _KIND_PICTURES]
    others = [c for c in bare if unicodedata.category(c).startswith("S") and c not in pictures]
    if others:
        return False  # a picture we do not read as kind (an angry face) may matter
    words = [_fold(word) for word in _WORDS.findall(bare)]
    thanks = _folded_set(_thanks_words(t), _thanks_words(english))
    filler = _folded_set(_filler_words(t), _filler_words(english))
    if any(word not in thanks and word not in filler for word in words):
        return False
    return bool(pictures) or any(word in thanks for word in words)
