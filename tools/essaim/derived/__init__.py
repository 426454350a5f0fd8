"""Files derived from the model and committed, so editors and their tools can read them."""

from __future__ import annotations

from pathlib import Path

from essaim.derived.correction_form import FORM_PATH as REPORT_FORM_PATH
from essaim.derived.correction_form import report_form_text
from essaim.derived.glossary import PATH as GLOSSARY_PATH
from essaim.derived.glossary import glossary_text
from essaim.derived.issue_form import FORM_PATH, issue_form_text
from essaim.derived.reference import field_reference
from essaim.derived.schema import SCHEMAS, schema_text
from essaim.derived.template import template_text

REFERENCE_HEADER = """# Référence des champs d'une fiche action

<!-- Fichier généré par « essaim schema » à partir du modèle : ne pas modifier à la main. -->

Chaque fiche est un fichier Markdown de `content/actions/` : un en-tête YAML entre deux lignes `---`,
puis le texte en sections. Le schéma JSON `schemas/fiche-action.schema.json` décrit le même en-tête ;
les éditeurs compatibles avec yaml-language-server (VS Code, par exemple) s'en servent pour compléter
et signaler les erreurs pendant la saisie.

"""


def derived_files(root: Path) -> dict[Path, str]:
    files = {root / "schemas" / f"{name}.schema.json": schema_text(name) for name in SCHEMAS}
    files[root / "schemas" / "modele-fiche.md"] = template_text()
    files[root / "docs" / "reference-des-champs.md"] = REFERENCE_HEADER + field_reference()
    files[root.joinpath(*FORM_PATH)] = issue_form_text()
    files[root.joinpath(*REPORT_FORM_PATH)] = report_form_text()
    files[root / GLOSSARY_PATH] = glossary_text()
    return files
