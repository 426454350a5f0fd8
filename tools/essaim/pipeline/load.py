"""Stage 1 — load: read content files into documents, or into located problems.

A document is the raw material of one file: its front matter (data, and node
tree for positions) and its Markdown body with its outline (headings, sections,
links, tags). Nothing is validated here beyond what is needed to read the file.
"""

from __future__ import annotations

import os
import stat
import unicodedata
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import frontmatter
import yaml

from essaim.pipeline.body import ParsedBody
from essaim.pipeline.body import parse as parse_body
from essaim.text.diagnostics import Diagnostic, display_path, french_number
from essaim.text.yamlreader import YamlProblem, compose, load_data

MAX_BYTES = 1_000_000
KINDS = {"actions": "card", "guides": "guide"}


@dataclass
class Document:
    path: Path
    kind: str  # "card", "guide" or "source"
    id: str
    data: dict
    yaml_text: str  # the front matter, kept to locate problems on demand
    body: str = ""
    front_matter_line: int = 1  # 1-based line of the first YAML line in the file
    body_line: int = 1  # 1-based line of the first body line in the file
    outline: ParsedBody | None = None  # the body's headings, sections, links and tags (not for sources)

    @cached_property
    def display(self) -> str:
        """The path as shown in messages."""
        return display_path(self.path)

    def __reduce__(self):
        """Pickled as its fields only (documents checked in worker processes come back this way)."""
        return Document, (self.path, self.kind, self.id, self.data, self.yaml_text, self.body,
                          self.front_matter_line, self.body_line, self.outline)

    @cached_property
    def node(self) -> yaml.Node | None:
        """The front matter's node tree, for positions; composed only when a problem is reported."""
        return compose(self.yaml_text)


def discover(content: Path) -> list[tuple[Path, str]]:
    """The content files to read, with their kind."""
    found = []
    for folder, kind in KINDS.items():
        found += [(p, kind) for p in sorted((content / folder).glob("*.md"))]
    found += [(p, "source") for p in sorted((content / "sources").glob("*.yaml"))]
    return found


def kind_of(path: Path, content: Path) -> str | None:
    """The kind of a single file given on the command line, from its folder."""
    folder = path.parent.name
    if path.suffix == ".md" and folder in KINDS:
        return KINDS[folder]
    if path.suffix == ".yaml" and folder == "sources":
        return "source"
    return None


class LoadProblem(Exception):
    def __init__(self, diagnostic: Diagnostic):
        super().__init__(diagnostic.message)
        self.diagnostic = diagnostic


def _fail(path: Path, code: str, message: str, hint: str | None = None, line: int = 1, column: int = 1):
    raise LoadProblem(Diagnostic(display_path(path), line, column, code, message, hint))


def _read_regular_file(path: Path) -> tuple[bytes, int]:
    """(bytes, size) of a regular file, read only when its size is within the limit.

    Symbolic links (a pull request can commit one to /dev/zero or to a file outside content/),
    devices, pipes and folders are refused without being read; the size is read from the opened
    file itself, and never more than MAX_BYTES + 1 bytes are read (some files lie about their size)."""
    try:
        info = os.lstat(path)
    except OSError as error:
        _fail(path, "fichier-illisible", f"fichier illisible : {error.strerror}")
    if stat.S_ISLNK(info.st_mode):
        _fail(path, "lien-symbolique", "le fichier est un lien symbolique : seuls les fichiers ordinaires de content/ sont lus",
              "remplacez le lien par le fichier lui-même (git rm puis ajoutez le vrai fichier)")
    if not stat.S_ISREG(info.st_mode):
        _fail(path, "fichier-special", "ce n'est pas un fichier ordinaire (dossier, périphérique ou tube) : il n'est pas lu",
              "une fiche est un fichier texte Markdown (.md) ; une source, un fichier YAML (.yaml)")
    try:
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    except OSError as error:
        _fail(path, "fichier-illisible", f"fichier illisible : {error.strerror}")
    with open(descriptor, "rb") as file:
        opened = os.fstat(file.fileno())
        if not stat.S_ISREG(opened.st_mode):  # replaced between the two looks
            _fail(path, "fichier-special", "ce n'est pas un fichier ordinaire : il n'est pas lu")
        if opened.st_size > MAX_BYTES:
            return b"", opened.st_size
        raw = file.read(MAX_BYTES + 1)
    return raw, max(opened.st_size, len(raw))


def read_text(path: Path) -> str:
    """The file's text in Unicode NFC (accents typed decomposed compare equal), BOM and CR removed."""
    raw, size = _read_regular_file(path)
    if size > MAX_BYTES:
        _fail(path, "fichier-trop-gros", f"fichier de {french_number(size)} octets, au-delà de la limite de {french_number(MAX_BYTES)}",
              "une fiche tient en quelques dizaines de kilo-octets : déplacez les annexes dans Ressources")
    if b"\x00" in raw:
        _fail(path, "fichier-binaire", "le fichier contient des octets nuls : ce n'est pas un texte",
              "enregistrez la fiche en texte brut Markdown (UTF-8)")
    raw = raw.removeprefix(b"\xef\xbb\xbf")  # a byte-order mark, invisible in editors
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        line_start = raw.rfind(b"\n", 0, error.start) + 1
        column = len(raw[line_start : error.start].decode("utf-8", "replace")) + 1
        _fail(path, "encodage", f"octet {raw[error.start]:#04x} invalide en UTF-8",
              "enregistrez le fichier en UTF-8 (et non en Latin-1 ou Windows-1252)", line, column)
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text if unicodedata.is_normalized("NFC", text) else unicodedata.normalize("NFC", text)


def read(path: Path, kind: str) -> Document:
    text = read_text(path)
    doc_id = path.stem
    if kind == "source":
        data = _parse_yaml(path, text, first_line=1)
        return Document(path, kind, doc_id, data, text)
    handler = frontmatter.YAMLHandler()
    if not handler.detect(text):
        _fail(path, "front-matter-absent", "la fiche ne commence pas par un bloc YAML entre deux lignes ---",
              "la première ligne doit être --- ; recopiez le modèle donné par « essaim new »")
    try:
        yaml_text, body = handler.split(text)
    except ValueError:
        _fail(path, "front-matter-absent", "le bloc YAML n'est pas refermé par une ligne ---",
              "ajoutez une ligne --- après la dernière clé")
    first_line = text[: text.index(yaml_text)].count("\n") + 1 if yaml_text else 2
    data = _parse_yaml(path, yaml_text, first_line)
    body_line = text[: text.rindex(body)].count("\n") + 1 if body else text.count("\n") + 1
    return Document(path, kind, doc_id, data, yaml_text, body, first_line, body_line, parse_body(body))


def read_or_diagnose(file: tuple[Path, str]) -> Document | Diagnostic:
    """The document of a (path, kind) pair, or the diagnostic saying why it cannot be read."""
    try:
        return read(*file)
    except LoadProblem as problem:
        return problem.diagnostic


def _parse_yaml(path: Path, text: str, first_line: int) -> dict:
    try:
        data = load_data(text)
    except YamlProblem as problem:
        _fail(path, problem.code, problem.message, problem.hint, first_line + problem.line, problem.column + 1)
    if not isinstance(data, dict) or not data:
        _fail(path, "front-matter-vide", "le bloc YAML est vide ou n'est pas une liste de clés : valeur",
              "recopiez le modèle donné par « essaim new »", first_line)
    return data

