"""Footers that mail apps add under what a person typed: "Sent from my iPhone" in any language.

Two readings. The known forms start with the words the apps use in the languages of the UK's
readers ("Sent from my ...", "Von meinem ... gesendet", "Anfonwyd o'm ..."), whatever device
follows. Every other language is read by shape: a short line naming a device, an operating
system or a mail product ("Изпратено от моя iPhone", "Sūtīts no mana iPhone", "iPhone'umdan
gönderildi"), possibly linked to the app's page. Either is a footer only at the end of what the
person wrote (the caller checks that), so "Sent from my office: ..." above more text is kept.
"""

from __future__ import annotations

import re

__all__ = ["is_footer", "is_known_footer"]

# No footer is longer; longer lines are never tested.
_LONGEST_FOOTER = 400
# The known forms, with a tail of a few words ("Sent from my desk, as it is easier than my
# phone." is a sentence, not a footer).
_KNOWN_FOOTER = re.compile(
    r"""^\s*(?:
        (?:Sent|Sent\sfrom|Sent\swith|Sent\svia|Sent\susing|Get\sOutlook\sfor|Envoyé\sde
          |Envoyé\sdepuis|Envoyé\sà\spartir\sde|Gesendet\svon|Gesendet\smit|Wysłane\sz
          |Wysłano\sz|Anfonwyd\so|Anfonwyd\sgyda|Enviado\sdesde|Enviado\sde|Enviado\sdo
          |Enviada\sdo|Inviato\sda|Inviato\sdal|Skickat\sfrån|Verzonden\svanaf|Verzonden\smet
          |Verstuurd\svanaf|Отправлено\sс|Отправлено\sиз|Sendt\sfra|Trimis\sde\spe|Trimis\sdin
          |Lähetetty)[\s'’]\S*(?:\s+\S+){0,5}
      | Von\smeinem\s\S+(?:\s\S+){0,4}\sgesendet
      | میرے\s.{1,40}\sسے\sبھیجا\sگیا
    )\s*$""",
    re.VERBOSE | re.IGNORECASE,
)
# Links as clients write them in plain text: Outlook's "words<https://...>", Proton's markdown
# "[words](https://...)", and bare addresses.
_ANGLE_LINK = re.compile(r"<(?:https?|mailto):[^<>\s]*>")
_MARKDOWN_LINK = re.compile(r"\[([^\[\]]{1,80})\]\((?:https?|mailto):[^()\s]*\)")
_BARE_LINK = re.compile(r"(?:https?://|www\.)\S+")

# Devices, systems and mail products as the apps spell them: a person typing "my iphone" in a
# sentence rarely capitalises it the vendor's way. Inflected forms count ("iPhonu", "iPhone'a",
# "iPhone-ról", "iPhoneから"); names that are ordinary words (Honor, Spark, Orange) are left out.
_PRODUCT = re.compile(
    r"""(?<![A-Za-z0-9.])(?:
        (?:iPhon|iPad|iPod|Android|Samsung|SAMSUNG|Galax|Huawei|HUAWEI|HONOR|Xiaomi|Redmi
          |Pixel|Fairphone|Nokia|Motorola|OnePlus|OPPO|Xperia|BlackBerry|Outlook|Gmail|Yahoo
          |Proton\s?Mail|Tutanota|Thunderbird|BlueMail|FairEmail|Windows|MacBook|Яндекс
          |Yandex|Mail\.ru)[A-Za-zÀ-ɏ'’-]{0,8}
      | (?:iOS|iPadOS|AOL|GMX|WEB\.DE|Tuta|Zoho|Sony|Nothing\sPhone|Wear\sOS|K-9\sMail)(?![A-Za-z])
    )""",
    re.VERBOSE,
)
# Words that make a line a sentence about a device rather than an app's footer ("I will bring
# my iPhone", "Can use Gmail"): subject pronouns, auxiliaries and modals in the languages we
# read most, never words that the footers themselves use.
_SENTENCE_WORD = re.compile(
    r"""(?:
        i | i['’](?:m|ll|ve|d) | we | you | he | she | they | it | it['’]s | will | would | can
      | can['’]t | could | should | shall | may | might | must | please | is | are | was | were
      | am | be | been | do | does | did | don['’]t | not | have | has | had | use | bring
      | call | ring | text | buy | bought | lost | need | got | tried | works? | worked | open
      | opened | thanks? | love | regards | best | better | sorry | but | also | only | just
      | \w+n['’]t
      | ich | wir | du | er | es | ist | bin | sind | habe | hat | kann | werde | wird | bitte
      | nicht | kein | je | j['’]ai | nous | vous | il | elle | ils | est | suis | sont | ai
      | peux | vais | pas | ne | yo | tengo | estoy | soy | puedo | voy | io | ho | sono
      | posso | non | ja | mam | jest | jestem | mogę | będę | nie | ik | heb | ben | niet
      | kan | dw | rwy | mae | bydd | я | мы | меня | есть | не
    )[,.]?""",
    re.VERBOSE | re.IGNORECASE,
)
_LONGEST_FOOTER_WORDS = 10
# Words after the last product name: "Sent with Proton Mail secure email" has two.
_WORDS_AFTER_PRODUCT = 2


def is_footer(line: str) -> bool:
    """Whether a line reads as a mail app's footer, when it ends what the person wrote."""
    return is_known_footer(line) or (len(line) <= _LONGEST_FOOTER and _names_a_product(line))


def is_known_footer(line: str) -> bool:
    """Whether a line starts as the apps' footers do in the languages we list."""
    return len(line) <= _LONGEST_FOOTER and bool(_KNOWN_FOOTER.match(_ANGLE_LINK.sub("", line)))


def _names_a_product(line: str) -> bool:
    """A short line naming a device or mail product in any language: "Изпратено от моя
    iPhone", "Sent from the all new AOL app for iOS<https://...>"."""
    text = _BARE_LINK.sub("", _MARKDOWN_LINK.sub(r"\1", _ANGLE_LINK.sub("", line))).strip()
    linked = text != line.strip()
    if linked:
        # Proton ends its linked footer with a full stop; a sentence is what ends with one.
        text = text.removesuffix(".").rstrip()
    words = text.split()
    if not 1 <= len(words) <= _LONGEST_FOOTER_WORDS or re.search(r"[.!?…;:]$|[!?]", text):
        return False
    products = list(_PRODUCT.finditer(text))
    if not products or not _PRODUCT.sub("", text).strip(" \t'’-"):
        return False  # "iPhone" alone answers a question
    if "," in text[: products[0].start()]:
        return False  # "Yes, Android"
    if len(text[products[-1].end() :].split()) > _WORDS_AFTER_PRODUCT:
        return False  # "I will bring my iPhone to the meeting"
    first = words[0]
    if first[:1].islower() and not _PRODUCT.match(first):
        return False  # apps start their footers with a capital, or with the product
    return not any(_SENTENCE_WORD.fullmatch(word) for word in words)
