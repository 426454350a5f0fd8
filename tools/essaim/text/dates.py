"""Dates of cards, guides and sources (AAAA, AAAA-MM or AAAA-MM-JJ): one parser for the validator and every output.

ASCII digits only (\\d also accepts « ２０２４ »), a real calendar date (no 2024-02-31), a plausible year.
The validator refuses what this parser refuses, so the pages, the exports and `essaim report` never meet
a date they cannot read.
"""

from __future__ import annotations

import re
from datetime import date
from typing import NamedTuple

FIRST_YEAR, LAST_YEAR = 1900, 2100
PATTERN = r"^[0-9]{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12][0-9]|3[01]))?)?$"  # also published in the JSON Schema
_SHAPE = re.compile(r"([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2}))?)?", re.ASCII)


class PartialDate(NamedTuple):
    year: int
    month: int | None
    day: int | None

    def last_day(self) -> date:
        """The last day the date can mean (a card dated 2022 was current all 2022)."""
        month = self.month or 12
        return date(self.year, month, self.day or _month_days(self.year, month)[1])


def parse(text: str) -> PartialDate:
    """The date written AAAA, AAAA-MM or AAAA-MM-JJ; ValueError (message in French) otherwise."""
    match = _SHAPE.fullmatch(text) if isinstance(text, str) else None
    if not match:
        raise ValueError("format attendu : AAAA, AAAA-MM ou AAAA-MM-JJ, en chiffres")
    year, month, day = (int(part) if part else None for part in match.groups())
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValueError(f"année {year} hors de {FIRST_YEAR}-{LAST_YEAR}")
    if month is not None and not 1 <= month <= 12:
        raise ValueError(f"mois {month:02d} inexistant")
    if day is not None and not 1 <= day <= _month_days(year, month)[1]:
        raise ValueError(f"le {day} n'existe pas en {month:02d}/{year}")
    return PartialDate(year, month, day)


def _month_days(year: int, month: int) -> tuple[int, int]:
    import calendar  # here: calendar loads locale, which `essaim search` never needs

    return calendar.monthrange(year, month)
