"""The GitHub issue form « Signaler une correction ou un contact », and the change proposal made from a report.

Card pages link to the form with the card's id and title prefilled (issue-form query parameters).
"""

from __future__ import annotations

KIND_OPTIONS = {
    "correction": "Une information est fausse ou dépassée",
    "contact": "Je connais un contact pour cette action",
    "complement": "J'ai un complément (résultats, suites, document)",
    "autre": "Autre",
}
