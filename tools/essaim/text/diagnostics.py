"""Problems found in content, located and explained for humans."""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from enum import Enum
from pathlib import Path


class Severity(str, Enum):
    ERROR = "erreur"
    WARNING = "avertissement"


@dataclass(frozen=True, order=True)
class Diagnostic:
    path: str
    line: int
    column: int
    code: str
    message: str
    hint: str | None = None
    severity: Severity = Severity.ERROR

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def as_text(self) -> str:
        text = f"{self.path}:{self.line}:{self.column}: {self.code}: {self.message}"
        if self.severity is Severity.WARNING:
            text = f"{self.path}:{self.line}:{self.column}: {self.code} (avertissement): {self.message}"
        return text + (f"\n    conseil : {self.hint}" if self.hint else "")

    def as_github(self) -> str:
        """A workflow command, escaped as GitHub's runner unescapes it: nothing a file name or a
        message holds can end the command or start another one (::stop-commands::, ::error …)."""
        level = "error" if self.is_error else "warning"
        message = self.message + (f" — conseil : {self.hint}" if self.hint else "")
        properties = {"file": self.path, "line": self.line, "col": self.column, "title": self.code}
        listed = ",".join(f"{name}={github_property(value)}" for name, value in properties.items())
        return f"::{level} {listed}::{github_data(message)}"

    def as_dict(self) -> dict:
        data = asdict(self)
        data["severity"] = self.severity.value
        return data


def french_number(number: int) -> str:
    """1 000 000, as French writes it (narrow no-break space between thousands)."""
    return f"{number:,}".replace(",", "\u202f")


def github_data(text: str) -> str:
    """The message part of a GitHub workflow command (toolkit's escapeData)."""
    return str(text).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def github_property(value: object) -> str:
    """A property value of a GitHub workflow command (toolkit's escapeProperty)."""
    return github_data(value).replace(":", "%3A").replace(",", "%2C")


def display_path(path: Path) -> str:
    """A path relative to the working directory when possible, as editors see it."""
    text = os.fspath(path)
    if not os.path.isabs(text):
        return os.path.normpath(text)
    here = os.path.join(os.getcwd(), "")
    return text[len(here):] if text.startswith(here) else text


def render(diagnostics: list[Diagnostic], fmt: str) -> str:
    ordered = sorted(diagnostics)
    if fmt == "json":
        return json.dumps([d.as_dict() for d in ordered], ensure_ascii=False, indent=2)
    if fmt == "github":
        return "\n".join(d.as_github() for d in ordered)
    return "\n".join(d.as_text() for d in ordered)
