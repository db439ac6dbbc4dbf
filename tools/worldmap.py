#!/usr/bin/env python3
"""Writes src/places/world.tsv, the world map Annals draws, from Natural Earth.

Run once when the map should change (needs npm, which fetches the package into a temporary folder):

    python3 tools/worldmap.py [--world-atlas 2.0.2] [--tolerance 0.2]

It reads Natural Earth's 1:50m countries from the npm package world-atlas (TopoJSON), simplifies each
arc of the topology once, so that neighbours keep sharing their border, cuts the rings that cross
the antimeridian (Russia's Chukotka, Fiji), projects them with Equal Earth into a 960×500 viewBox
and writes one SVG path per ISO 3166-1 alpha-2 code of src/places/countries.tsv, with relative
commands and one decimal. Shapes of no country (N. Cyprus, Somaliland, Siachen Glacier) are
background, code "-". Natural Earth is in the public domain; world-atlas packages it under the ISC
licence.
"""

import argparse
import gzip
import json
import math
import shutil
import tempfile
from pathlib import Path

from countries import OUT, fetch

WIDTH, HEIGHT, MARGIN = 960, 500, 4
DROP_BELOW = 0.8  # islands smaller than this (units of the viewBox) are left out...
MIN_SIZE = 0.5  # ...but a country's largest polygon never is: below this it is enlarged to it
SHAPE = 0.12  # an arc is never simplified by more than this share of its smallest ring's size
MAX_SEGMENT = 200  # the self-check: no drawn segment is longer (a streak across the map)
ANTARCTICA = "010"  # left out to save bytes and height: a wide band at the bottom that news rarely needs
NAMED = {"Kosovo": "XK"}  # features without an ISO numeric id that are countries


def equal_earth(lon: float, lat: float) -> tuple[float, float]:
    """The Equal Earth projection (Šavrič, Patterson and Jenny, 2018) of a point in degrees."""
    a1, a2, a3, a4, m = 1.340264, -0.081106, 0.000893, 0.003796, math.sqrt(3) / 2
    t = math.asin(m * math.sin(math.radians(lat)))
    t2, t6 = t * t, t ** 6
    x = math.radians(lon) * math.cos(t) / (m * (a1 + 3 * a2 * t2 + t6 * (7 * a3 + 9 * a4 * t2)))
    return x, t * (a1 + a2 * t2 + t6 * (a3 + a4 * t2))


def unwrap(points: list) -> list:
    """The points with longitudes shifted by whole turns so that no step is over 180°."""
    out = [points[0]]
    for lon, lat in points[1:]:
        out.append((lon + 360 * round((out[-1][0] - lon) / 360), lat))
    return out


def simplify(points: list, tolerance: float) -> list[int]:
    """Douglas-Peucker: the indices of the points to keep, always the first and the last."""
    keep, todo = {0, len(points) - 1}, [(0, len(points) - 1)]
    while todo:
        i, j = todo.pop()
        (ax, ay), (bx, by) = points[i], points[j]
        length = math.hypot(bx - ax, by - ay)
        best, far = tolerance, None
        for k in range(i + 1, j):
            px, py = points[k]
            d = (abs((bx - ax) * (ay - py) - (ax - px) * (by - ay)) / length if length
                 else math.hypot(px - ax, py - ay))
            if d > best:
                best, far = d, k
        if far is not None:
            keep.add(far)
            todo += [(i, far), (far, j)]
    return sorted(keep)


def clip(ring: list, lo: float, hi: float) -> list:
    """The part of a closed ring between two longitudes (Sutherland-Hodgman)."""
    for edge, inside in ((lo, lambda p: p[0] >= lo), (hi, lambda p: p[0] <= hi)):
        out = []
        for q, p in zip(ring[-1:] + ring[:-1], ring):
            if inside(p) != inside(q):
                out.append((edge, q[1] + (edge - q[0]) / (p[0] - q[0]) * (p[1] - q[1])))
            if inside(p):
                out.append(p)
        ring = out
    return ring


def split_at_antimeridian(ring: list) -> list[list]:
    """A ring cut into pieces that each lie within ±180° of longitude."""
    ring = unwrap(ring)
    lo, hi = min(p[0] for p in ring), max(p[0] for p in ring)
    return [[(lon - shift, lat) for lon, lat in clip(ring, shift - 180, shift + 180)]
            for shift in (-360, 0, 360) if lo < shift + 180 and hi > shift - 180]


def path_d(rings: list[list[tuple[int, int]]]) -> str:
    """An SVG path of rings in tenths of a unit, in relative commands."""
    def number(v: int) -> str:
        whole, tenth = divmod(abs(v), 10)
        text = (str(whole) if whole else "") + (f".{tenth}" if tenth else "")
        return ("-" if v < 0 else "") + (text or "0")

    out, last, at = [], "", (0, 0)
    for ring in rings:
        steps = [("m", ring[0][0] - at[0], ring[0][1] - at[1])]
        for (ax, ay), (bx, by) in zip(ring, ring[1:]):
            dx, dy = bx - ax, by - ay
            steps.append(("h", dx) if not dy else ("v", dy) if not dx else ("l", dx, dy))
        for command, *values in steps:
            if command != last:
                out.append(command)
            for v in values:
                text = number(v)
                out.append(text if out[-1].isalpha() or text[0] == "-" else " " + text)
            last = "l" if command == "m" else command
        out.append("z")
        last, at = "z", ring[0]
    return "".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--world-atlas", default="2.0.2", help="the world-atlas npm package's version")
    parser.add_argument("--tolerance", type=float, default=0.2,
                        help="how far (units of the viewBox) a simplified border may stray")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        package = fetch("world-atlas", args.world_atlas, Path(scratch))
        topology = json.loads((package / "countries-50m.json").read_text())
        # world-atlas's ISC licence asks for its notice in copies.
        shutil.copy(package / "LICENSE", OUT / "LICENSE-world-atlas.txt")

    header, *rows = [line.rstrip("\n").split("\t") for line in open(OUT / "countries.tsv", encoding="utf-8")
                     if not line.startswith("#")]
    rows = [dict(zip(header, row)) for row in rows]
    names = {row["code"]: row["name"] for row in rows}
    by_numeric = {row["numeric"]: row["code"] for row in rows}

    # The arcs in degrees: TopoJSON stores them quantized and delta-encoded.
    (sx, sy), (tx, ty) = topology["transform"]["scale"], topology["transform"]["translate"]
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        arcs.append([((x := x + dx) * sx + tx, (y := y + dy) * sy + ty) for dx, dy in arc])

    def ring_points(ring: list[int], kept: dict) -> list:
        """A ring's points from its arcs (~i is arc i reversed), each junction once."""
        points = []
        for a in ring:
            arc = [arcs[a if a >= 0 else ~a][i] for i in kept[a if a >= 0 else ~a]]
            points += (arc if a >= 0 else arc[::-1])[1 if points else 0:]
        return points

    everything = {i: range(len(arc)) for i, arc in enumerate(arcs)}
    polygons = []  # (code, rings): the first ring is the outline, the others are holes
    for geometry in topology["objects"]["countries"]["geometries"]:
        if geometry.get("id") == ANTARCTICA:
            continue
        name = geometry["properties"]["name"]
        for rings in geometry["arcs"] if geometry["type"] == "MultiPolygon" else [geometry["arcs"]]:
            code = by_numeric.get(geometry.get("id"), NAMED.get(name, "-"))
            if name == "Indian Ocean Ter.":  # no id: Christmas Island (east of 100°E) and Cocos
                code = "CX" if ring_points(rings[0], everything)[0][0] > 100 else "CC"
            polygons.append((code, rings))

    # Fit the projection: the world's full width, and the latitudes that have land.
    lats = [lat for _, rings in polygons for ring in rings for _, lat in ring_points(ring, everything)]
    left, _ = equal_earth(-180, 0)
    right, _ = equal_earth(180, 0)
    bottom, top = equal_earth(0, min(lats))[1], equal_earth(0, max(lats))[1]
    scale = min((WIDTH - 2 * MARGIN) / (right - left), (HEIGHT - 2 * MARGIN) / (top - bottom))
    origin = ((WIDTH - scale * (right + left)) / 2, (HEIGHT + scale * (top + bottom)) / 2)

    def project(lon: float, lat: float) -> tuple[float, float]:
        x, y = equal_earth(lon, lat)
        return origin[0] + scale * x, origin[1] - scale * y

    # Simplify in the viewBox's units, each arc once with the tightest tolerance of its rings.
    planar = [[project(*p) for p in unwrap(arc)] for arc in arcs]

    def size(ring: list[int]) -> float:
        points = [p for a in ring for p in planar[a if a >= 0 else ~a]]
        return max(max(p[i] for p in points) - min(p[i] for p in points) for i in (0, 1))

    largest = {}
    for code, rings in polygons:
        largest[code] = max(largest.get(code, 0), size(rings[0]))
    tolerances = {}
    kept_polygons = []
    for code, rings in polygons:
        if size(rings[0]) == largest[code] or size(rings[0]) >= DROP_BELOW:
            kept_polygons.append((code, rings, largest[code] < MIN_SIZE))
            for ring in rings:
                for a in ring:
                    a = a if a >= 0 else ~a
                    tolerances[a] = min(tolerances.get(a, args.tolerance), SHAPE * size(ring))
    kept = dict(everything) | {a: simplify(planar[a], t) for a, t in tolerances.items()}

    shapes = {}
    for code, rings, enlarge in kept_polygons:
        for ring in rings:
            for piece in split_at_antimeridian(ring_points(ring, kept)):
                points = [project(*p) for p in piece]
                if enlarge:  # a micro-state: scaled up around its centre to MIN_SIZE, and a thin
                    # one widened to half that, so that it stays a shape after rounding
                    xs, ys = [p[0] for p in points], [p[1] for p in points]
                    cx, cy = (max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2
                    w, h = max(xs) - min(xs), max(ys) - min(ys)
                    k = MIN_SIZE / max(w, h)
                    kx, ky = max(k, MIN_SIZE / 2 / w), max(k, MIN_SIZE / 2 / h)
                    points = [(cx + kx * (x - cx), cy + ky * (y - cy)) for x, y in points]
                tenths = []
                for x, y in points:
                    p = (round(x * 10), round(y * 10))
                    if not tenths or p != tenths[-1]:
                        tenths.append(p)
                while len(tenths) > 1 and tenths[-1] == tenths[0]:
                    tenths.pop()
                if len(set(tenths)) >= 3:
                    shapes.setdefault(code, []).append(tenths)

    # Self-check: every country has a shape, every segment stays on the map and none jumps across it.
    if vanished := {code for code, _, _ in kept_polygons} - set(shapes):
        raise SystemExit(f"simplified to nothing: {', '.join(sorted(vanished))}")
    for code, rings in shapes.items():
        for ring in rings:
            for (ax, ay), (bx, by) in zip(ring, ring[1:] + ring[:1]):
                if not (0 <= bx <= 10 * WIDTH and 0 <= by <= 10 * HEIGHT):
                    raise SystemExit(f"{code}: point ({bx / 10}, {by / 10}) is off the map")
                if math.hypot(bx - ax, by - ay) > 10 * MAX_SEGMENT:
                    raise SystemExit(f"{code}: segment ({ax / 10}, {ay / 10})–({bx / 10}, {by / 10}) "
                                     f"is longer than {MAX_SEGMENT}")

    # Countries by code, then land of no country: an enlarged micro-state comes after the neighbour
    # it covers (IT, SM, VA; FR, MC), so it is drawn on top.
    text = (f"# Generated by tools/worldmap.py from Natural Earth 4.1.0 (public domain), 1:50m countries as\n"
            f"# packaged by npm world-atlas {args.world_atlas} (Copyright 2013-2019 Michael Bostock, ISC licence).\n"
            f"# Equal Earth projection, viewBox 0 0 {WIDTH} {HEIGHT}, Antarctica left out. One SVG path per ISO\n"
            "# 3166-1 alpha-2 code; \"-\" is land of no country (N. Cyprus, Somaliland, Siachen). Do not edit.\n")
    text += "".join(f"{code}\t{path_d(shapes[code])}\n" for code in sorted(shapes, key=lambda c: (c == "-", c)))
    (OUT / "world.tsv").write_text(text, encoding="utf-8")

    drawn = set(shapes) - {"-"}
    missing = sorted(set(names) - drawn)
    enlarged = sorted(code for code, _, enlarge in kept_polygons if enlarge)
    print(f"wrote {len(drawn)} countries and {len(shapes.get('-', []))} background rings "
          f"to {OUT / 'world.tsv'}")
    print(f"enlarged to {MIN_SIZE} units: {', '.join(enlarged)}")
    print(f"no shape ({len(missing)}): " + ", ".join(f"{code} {names[code]}" for code in missing))
    size_bytes = len(text.encode())
    print(f"size {size_bytes / 1000:.1f} kB, gzipped {len(gzip.compress(text.encode(), 9)) / 1000:.1f} kB")


if __name__ == "__main__":
    main()
