"""Contact details written in free text (sections, partners, governance…), found in linear time.

A card's contacts are protected (hidden on pages, exported only with consent); an email address or a
phone number typed in a section would bypass that. The validator refuses them unless they belong to a
contact declared exportable (with consent) or, for a phone number, to a public switchboard.
"""

from __future__ import annotations

import re
from typing import NamedTuple

# Bounded quantifiers only: each match is found in constant time around its anchor.
_LOCAL = re.compile(r"[\w.+-]{1,64}\Z")
_DOMAIN = re.compile(r"[\w-]{1,63}(?:\.[\w-]{1,63}){1,8}")
PHONE = re.compile(r"(?<![\w+])(?:\+33[ .\u00a0-]?(?:\(0\)[ .\u00a0]?)?|0)[1-9](?:[ .\u00a0-]?[0-9]{2}){4}(?![0-9])")


class Detail(NamedTuple):
    kind: str  # "courriel" or "téléphone"
    value: str
    offset: int


def phone_key(number: str) -> str:
    """Digits of a French number, national form: « +33 (0)5 49… » and « 05.49… » compare equal."""
    digits = re.sub(r"[^0-9+]", "", number.replace("(0)", ""))
    return "0" + digits[3:] if digits.startswith("+33") else digits


def details(text: str) -> list[Detail]:
    found = []
    at = text.find("@")
    while at >= 0:
        local = _LOCAL.search(text, max(0, at - 64), at)
        domain = _DOMAIN.match(text, at + 1)
        if local and domain:
            found.append(Detail("courriel", text[local.start():domain.end()], local.start()))
        at = text.find("@", at + 1)
    found += [Detail("téléphone", m.group(), m.start()) for m in PHONE.finditer(text)]
    return sorted(found, key=lambda d: d.offset)


def allowed(detail: Detail, contacts) -> bool:
    """True when the detail belongs to a contact who consented to open data (or to a public switchboard)."""
    for contact in contacts:
        if detail.kind == "courriel" and contact.open_data and (contact.email or "").casefold() == detail.value.casefold():
            return True
        if detail.kind == "téléphone" and (contact.open_data or contact.switchboard) and \
                phone_key(detail.value) in {phone_key(p) for p in contact.phones}:
            return True
    return False
