"""Hand-made micro districts for the analysis tests, built in UTM zone 49S (central Java).

Coordinates are given in km from an origin at (500000 E, 9100000 N) of EPSG:32749 and turned
into WGS84 for the project, so every distance below can be worked out by hand.
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
from shapely.geometry import LineString, Point, box

from ilp_gis.project import Project

UTM = "EPSG:32749"
X0, Y0 = 500_000.0, 9_100_000.0


def km(x: float, y: float) -> tuple[float, float]:
    return X0 + x * 1000.0, Y0 + y * 1000.0


def square(x0, y0, x1, y1):
    a = km(x0, y0)
    b = km(x1, y1)
    return box(a[0], a[1], b[0], b[1])


def pt(x, y):
    return Point(*km(x, y))


def line(*xy):
    return LineString([km(x, y) for x, y in xy])


def frame(rows: list[dict], geoms) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(pd.DataFrame(rows), geometry=list(geoms), crs=UTM).to_crs(
        "EPSG:4326")


def desa_rows():
    """Five desa in three kecamatan (4 km squares).

    A1 [0,4]x[0,4], A2 [4,8]x[0,4] (kecamatan A); B1 [0,4]x[4,8], B2 [4,8]x[4,8] (B);
    C1 [8,12]x[0,4] (C).
    """
    rows = [
        dict(code="35.07.01.2001", name="A1", kecamatan_code="35.07.01", population=1000.0,
             dusun_count=2.0),
        dict(code="35.07.01.2002", name="A2", kecamatan_code="35.07.01", population=2000.0,
             dusun_count=1.0),
        dict(code="35.07.02.2001", name="B1", kecamatan_code="35.07.02", population=1500.0,
             dusun_count=1.0),
        dict(code="35.07.02.2002", name="B2", kecamatan_code="35.07.02", population=500.0,
             dusun_count=1.0),
        dict(code="35.07.03.2001", name="C1", kecamatan_code="35.07.03", population=800.0,
             dusun_count=None),
    ]
    geoms = [square(0, 0, 4, 4), square(4, 0, 8, 4), square(0, 4, 4, 8), square(4, 4, 8, 8),
             square(8, 0, 12, 4)]
    return rows, geoms


def kecamatan_frame():
    rows = [dict(code="35.07.01", name="Kec A"), dict(code="35.07.02", name="Kec B"),
            dict(code="35.07.03", name="Kec C")]
    geoms = [square(0, 0, 8, 4), square(0, 4, 8, 8), square(8, 0, 12, 4)]
    return frame(rows, geoms)


def facility_rows():
    f = [
        dict(fac_id="PKM_A", name="Puskesmas A", type="puskesmas", xy=(2, 2)),
        dict(fac_id="PKM_B", name="Puskesmas B", type="puskesmas", xy=(2, 6)),
        dict(fac_id="PT_A1", name="Pustu A1", type="pustu", xy=(1, 1), nurses=1.0,
             midwives=1.0),
        dict(fac_id="PT_A2", name="Pustu A2", type="pustu", xy=(6, 2), nurses=0.0,
             midwives=1.0),
        dict(fac_id="PT_B1", name="Pustu B1", type="pustu", xy=(3, 5), nakes=2.0),
        dict(fac_id="PT_C1", name="Pustu C1", type="pustu", xy=(10, 2)),
        dict(fac_id="PY_A1a", name="Posyandu Mawar", type="posyandu", xy=(1.5, 1.5), kader=5.0),
        dict(fac_id="PY_A1b", name="Posyandu Melati", type="posyandu", xy=(3, 3), kader=3.0),
        dict(fac_id="PY_A2", name="Posyandu Anggrek", type="posyandu", xy=(7, 3), kader=5.0),
        dict(fac_id="PY_B2", name="Posyandu Kenanga", type="posyandu", xy=(6, 6)),
    ]
    return f


def facilities_frame(rows=None):
    rows = rows if rows is not None else facility_rows()
    geoms = [pt(*r["xy"]) for r in rows]
    clean = [{k: v for k, v in r.items() if k != "xy"} for r in rows]
    return frame(clean, geoms)


def make_project(*, desa=None, facilities=None, roads=None, kecamatan=True, settlements=None,
                 rules=None) -> Project:
    if desa is None:
        rows, geoms = desa_rows()
        desa = frame(rows, geoms)
    layers = {"desa": desa,
              "facilities": facilities if facilities is not None else facilities_frame()}
    if kecamatan:
        layers["kecamatan"] = kecamatan_frame()
    if roads is not None:
        layers["roads"] = roads
    if settlements is not None:
        layers["settlements"] = settlements
    return Project(layers=layers, rules=rules)


def desa_on_a_road(desa_x_km, road_km) -> dict[str, gpd.GeoDataFrame]:
    """Three 10 km square desa A, B, C centred at ``desa_x_km`` (km east of the origin) and
    one kolektor road along y = 0 from ``road_km[0]`` to ``road_km[1]`` (a vertex every 500 m),
    in WGS84: the ``desa`` and ``roads`` layers of a project."""
    desa = gpd.GeoDataFrame(
        {"code": ["11.01.01.2001", "11.01.01.2002", "11.01.01.2003"],
         "name": ["A", "B", "C"], "kecamatan_code": ["11.01.01"] * 3,
         "population": [1000.0, 2000.0, 1500.0]},
        geometry=[square(x - 5, -5, x + 5, 5) for x in desa_x_km], crs=UTM).to_crs("EPSG:4326")
    start, end = (int(v * 1000) for v in road_km)
    road = gpd.GeoDataFrame({"road_class": ["kolektor"]},
                            geometry=[LineString([(X0 + x, Y0) for x in range(start, end + 1,
                                                                              500)])],
                            crs=UTM).to_crs("EPSG:4326")
    return {"desa": desa, "roads": road}
