"""Safe text for generated pages: HTML and Markdown escaping, card Markdown rendered without raw HTML.

Card and guide texts are validated (no raw HTML) before they reach the site, but the page writer
does not rely on it: whatever a text holds, it comes out as text. Raw HTML is escaped, links keep
only http(s) and in-site targets, images become their alternative text, headings start at level 3.
"""

from __future__ import annotations

import html
import json
import re
import xml.etree.ElementTree as etree

import markdown
import nh3
from markdown.treeprocessors import Treeprocessor

from essaim.model import links

# Characters that Markdown (and attr_list's { }) would read as syntax.
MARKDOWN_SPECIALS = re.compile(r"([\\`*_{}\[\]()#+\-.!>])")
ID_SAFE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
# What rendered card Markdown may contain once sanitised (nh3): the tags Python-Markdown writes for the
# site's dialect, and the attributes _Sanitize keeps. Link schemes come from essaim.model.links.
ALLOWED_TAGS = {"p", "a", "em", "strong", "code", "pre", "ul", "ol", "li", "blockquote", "h3", "h4", "h5", "h6",
                "table", "thead", "tbody", "tr", "th", "td", "hr", "br", "span"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title", "rel"}, "th": {"align", "style"}, "td": {"align", "style"},
                      "ol": {"start"}, "code": {"class"}}


def esc(text: object) -> str:
    """Text for HTML content or a quoted attribute."""
    return html.escape(str(text), quote=True)


def md_text(text: str) -> str:
    """Text for a Markdown line (a heading): no HTML, no Markdown syntax, no attribute list."""
    return MARKDOWN_SPECIALS.sub(r"\\\1", html.escape(" ".join(str(text).split()), quote=False))


def yaml_string(text: str) -> str:
    """A YAML scalar for the page's front matter, HTML-escaped (themes print it unescaped)."""
    return json.dumps(html.escape(" ".join(str(text).split()), quote=True), ensure_ascii=False)


def json_for_script(data) -> str:
    """JSON to embed in <script type="application/json">: nothing can close the element."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).replace("</", "<\\/").replace("<!--", "<\\!--")


def url(page: str) -> str:
    """Site URL (directory style, from the site root, no leading slash) of a docs page path."""
    if page.endswith("index.md"):
        return page[: -len("index.md")]
    return page[: -len(".md")] + "/" if page.endswith(".md") else page


def rel(from_page: str, to: str) -> str:
    """Relative link from a docs page (path of its .md) to a docs page or a site file."""
    target = url(to) if to.endswith(".md") else to
    base = url(from_page)
    if target == base:
        return "./"
    if base and target.startswith(base):
        return target[len(base):]
    return "../" * base.count("/") + target if (base or target) else "./"


class _Sanitize(Treeprocessor):
    """Unsafe links out, images to text, headings demoted under the page's own h2."""

    def run(self, root: etree.Element) -> None:
        for parent in root.iter():
            for index, child in enumerate(list(parent)):
                if child.tag == "img":
                    span = etree.Element("span")
                    span.text = child.get("alt") or ""
                    span.tail = child.tail
                    parent.remove(child)
                    parent.insert(index, span)
        for element in root.iter():
            if element.tag == "a":
                raw = element.get("href") or ""
                href = links.decoded(raw) if links.is_safe(raw) else ""  # decided as the browser will read it
                path, hash_, fragment = href.partition("#")
                if path.endswith(".md") and not links.scheme(path) and not path.startswith("/"):
                    # A card or guide named by its file, relative to the source file: pages sit one level deeper.
                    href = f"../{path[:-3]}/{hash_}{fragment}"
                keep = {"href": href} if href else {}
                if "title" in element.attrib:
                    keep["title"] = element.get("title")
                element.attrib.clear()
                element.attrib.update(keep)
                if href.startswith(("http://", "https://")):
                    element.set("rel", "noopener")
            elif element.tag in {"h1", "h2", "h3", "h4", "h5", "h6"}:
                element.tag = f"h{max(3, int(element.tag[1]))}"  # the text sits under the page's h2
            else:
                allowed = {"th": ("align", "style"), "td": ("align", "style"), "ol": ("start",),
                           "code": ("class",)}.get(element.tag, ())
                for name in list(element.attrib):
                    value = element.get(name) or ""
                    if name not in allowed or (name == "style" and not re.fullmatch(r"text-align: ?\w+;?", value)):
                        del element.attrib[name]


def _renderer() -> markdown.Markdown:
    md = links.configure(markdown.Markdown(extensions=["tables", "sane_lists"], output_format="html"))
    md.treeprocessors.register(_Sanitize(md), "essaim-sanitize", 1)
    return md


_MD = _renderer()


def render_markdown(text: str) -> str:
    """Card Markdown to safe HTML (no raw HTML, no script, no unsafe link)."""
    if links.excess(text or ""):  # refused by the validator; never given to the parser (quadratic on "[")
        return "".join(f"<p>{esc(paragraph)}</p>" for paragraph in text.split("\n\n") if paragraph.strip())
    _MD.reset()
    rendered = sanitise(_MD.convert(text or ""))
    # The HTML goes into a raw block of the generated page: no blank line may end the block early.
    return re.sub(r"\n\s*\n", "\n", rendered)


def sanitise(fragment: str) -> str:
    """Rendered HTML through nh3 (ammonia): only the expected tags, attributes and link schemes survive."""
    return nh3.clean(fragment, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, url_schemes=set(links.ALLOWED_SCHEMES),
                     link_rel=None, filter_style_properties={"text-align"}, strip_comments=True)


def obfuscated(text: str) -> str:
    """A data attribute value for a contact detail that must not be harvestable: the text reversed then
    base64-encoded; JavaScript (assets/essaim.js) reassembles it on demand."""
    import base64

    return base64.b64encode(text[::-1].encode("utf-8")).decode("ascii")


def obfuscated_email(address: str) -> tuple[str, str]:
    """(data attribute value, readable fallback) for an address that must not be harvestable.

    The fallback spells the separators out (« nom [arobase] domaine [point] fr »)."""
    encoded = obfuscated(address)
    user, _, domain = address.partition("@")
    readable = f"{user.replace('.', ' [point] ')} [arobase] {domain.replace('.', ' [point] ')}"
    return encoded, readable
