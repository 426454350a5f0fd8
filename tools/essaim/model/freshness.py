"""How old a card's information is (« Informations de 2021 ») and whether it needs checking.

The information is as old as the older of the card's update (`mise_a_jour`) and its newest source: a card
updated in 2024 from a 2019 report still tells 2019. A confirmation by the carrier (`verifie_le`, with
`verifie_par`, a role) makes it as recent as that date. Older than FRESH_YEARS years: « à vérifier ».
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from essaim.text import dates

FRESH_YEARS = 3


def last_day(updated: str) -> date:
    """The last day an AAAA, AAAA-MM or AAAA-MM-JJ date can mean (a card dated 2022 was current all 2022)."""
    return dates.parse(updated).last_day()

VALUES = {"recente": f"récente (moins de {FRESH_YEARS} ans)",
          "a_verifier": f"à vérifier (plus de {FRESH_YEARS} ans)"}


@dataclass(frozen=True)
class Freshness:
    date: str  # AAAA, AAAA-MM or AAAA-MM-JJ
    verified_by: str | None  # set when the carrier confirmed the card
    stale: bool

    @property
    def year(self) -> int:
        return int(self.date[:4])

    @property
    def value(self) -> str:
        """The value of the « fraîcheur » facet."""
        return "a_verifier" if self.stale else "recente"

    @property
    def label(self) -> str:
        if self.verified_by:
            return f"Informations confirmées en {self.year} ({self.verified_by})"
        return f"Informations de {self.year}"


def years_before(today: date, years: int) -> date:
    try:
        return today.replace(year=today.year - years)
    except ValueError:  # 29 February
        return today.replace(year=today.year - years, day=28)


def freshness(card, today: date | None = None) -> Freshness:
    m = card.meta
    if m.verified_on:
        when, by = m.verified_on, m.verified_by or "porteur"
    else:
        dates = card.source_dates  # kept by the catalog: no source file is read here
        newest = max(dates, key=last_day) if dates else None
        when = min(m.updated, newest, key=last_day) if newest else m.updated
        by = None
    stale = last_day(when) < years_before(today or date.today(), FRESH_YEARS)
    return Freshness(when, by, stale)


def badge_html(card, today: date | None = None) -> str:
    """The card page's words for it, beside the update date in « En bref »: the information's age, and
    « à vérifier » when it is old."""
    import html

    info = freshness(card, today)
    badge = ' <strong class="essaim-badge-a-verifier">à vérifier</strong>' if info.stale else ""
    return f'<span class="essaim-fraicheur">{html.escape(info.label)}{badge}</span>'
