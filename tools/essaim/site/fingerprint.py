"""Cache-busting names: the site's own style sheets and scripts loaded on every page (mkdocs.yml's extra_css and
extra_javascript) get a copy named after their content (assets/essaim.3f2a9c1b0d.css) and the pages point to it,
so a server can let browsers keep them for a year (docs/hebergement.md). The plain name stays for other links.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

HASH_LENGTH = 10


def fingerprinted_name(path: Path) -> str:
    digest = hashlib.sha256(path.read_bytes()).hexdigest()[:HASH_LENGTH]
    return f"{path.stem}.{digest}{path.suffix}"


def fingerprint_assets(site: Path, settings: dict, blocks: list[str] | None = None) -> dict[str, str]:
    """Copy each extra_css / extra_javascript file of the site under its fingerprinted name and rewrite the
    pages' references; return {"assets/essaim.css": "assets/essaim.<hash>.css", …}. With `blocks`, the pages'
    HTML blocks are put back in the same pass (essaim.site.blocks): each page is read and written once."""
    from essaim.site.blocks import put_back

    names = {}
    for entry in [*(settings.get("extra_css") or []), *(settings.get("extra_javascript") or [])]:
        entry = entry if isinstance(entry, str) else (entry or {}).get("path", "")
        source = site / entry
        if entry.startswith("assets/") and source.is_file():
            target = source.with_name(fingerprinted_name(source))
            target.write_bytes(source.read_bytes())
            names[entry] = f"{Path(entry).parent.as_posix()}/{target.name}"
    if not names and not blocks:
        return names
    pattern = re.compile(r'((?:href|src)="(?:[^"]*/)?)(' + "|".join(re.escape(n) for n in names) + r')(")')
    for page in site.rglob("*.html"):
        text = page.read_text("utf-8")
        changed = put_back(text, blocks or [])
        if names:
            changed = pattern.sub(lambda m: m.group(1) + names[m.group(2)] + m.group(3), changed)
        if changed != text:
            page.write_text(changed, encoding="utf-8")
    return names
