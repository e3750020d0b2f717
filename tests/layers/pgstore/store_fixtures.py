"""Small projects for the store tests: two kabupaten (35.07 and 35.08) with desa, facilities,
budget lines and province-level roads, so rights and conflicts between teams can be tried."""

from __future__ import annotations

import uuid

import geopandas as gpd
import pandas as pd
import shapely
from psycopg.conninfo import conninfo_to_dict

from ilp_gis.project import Project

KAB_A, KAB_B = "35.07", "35.08"


def two_kabupaten_project() -> Project:
    kab = gpd.GeoDataFrame({"code": [KAB_A, KAB_B], "name": ["Malang", "Lumajang"]},
                           geometry=[shapely.box(0, 0, 1, 1), shapely.box(1, 0, 2, 1)], crs=4326)
    desa = gpd.GeoDataFrame(
        {"code": [f"{KAB_A}.01.2001", f"{KAB_A}.01.2002", f"{KAB_B}.01.2001"],
         "name": ["Sumber", "Kidul", "Wetan"], "kecamatan_code": [f"{KAB_A}.01"] * 2
         + [f"{KAB_B}.01"], "population": [1000.0, 2000.0, 3000.0]},
        geometry=[shapely.box(0, 0, 0.5, 1), shapely.box(0.5, 0, 1, 1), shapely.box(1, 0, 2, 1)],
        crs=4326)
    fac = gpd.GeoDataFrame(
        {"fac_id": ["a1", "a2", "b1"], "name": ["Pustu Sumber", "Pustu Kidul", "Pustu Wetan"],
         "type": ["pustu"] * 3, "desa_code": desa["code"].tolist(),
         "kecamatan_code": desa["kecamatan_code"].tolist(), "nurses": [1.0, 2.0, 3.0]},
        geometry=[shapely.Point(0.2, 0.5), shapely.Point(0.7, 0.5), shapely.Point(1.5, 0.5)],
        crs=4326)
    roads = gpd.GeoDataFrame({"road_class": ["primary"], "name": ["Jalan Provinsi"]},
                             geometry=[shapely.LineString([(0, 0.5), (2, 0.5)])], crs=4326)
    budget = pd.DataFrame({"budget_id": ["ba", "bb"], "activity": ["Alat", "Gedung"],
                           "amount": [1e6, 2e6], "target_desa": [desa["code"][0],
                                                                 desa["code"][2]]})
    return Project(layers={"kabupaten": kab, "desa": desa, "facilities": fac, "roads": roads,
                           "budget": budget}, meta={"title": "Provinsi uji"})


def role_names() -> tuple[str, str, str]:
    """Fresh role names (roles are shared by every database of a cluster)."""
    tag = uuid.uuid4().hex[:8]
    return f"tim_a_{tag}", f"tim_b_{tag}", f"prov_{tag}"


def login(cluster, url: str, role: str) -> str:
    """The conninfo of ``url``'s database for ``role``."""
    return cluster.url(conninfo_to_dict(url)["dbname"], user=role)


def pushed_with_roles(cluster, url: str,
                      scopes: dict[str, str | None]) -> tuple[dict[str, str], dict[str, str]]:
    """Push :func:`two_kabupaten_project` to ``url`` and add one fresh role per entry of
    ``scopes`` (name → kabupaten code, ``None`` for the province).  Returns (name → that role's
    conninfo, plus ``"admin"`` → ``url``; name → the role's name)."""
    from layers.pgstore.connection import connect
    from layers.pgstore.push import push_project
    from layers.pgstore.roles import add_role

    tag = uuid.uuid4().hex[:8]
    roles = {name: f"tim_{name}_{tag}" for name in scopes}
    with connect(url) as conn:
        push_project(conn, two_kabupaten_project())
        for name, kab in scopes.items():
            add_role(conn, roles[name], kabupaten=kab)
    urls = {name: login(cluster, url, role) for name, role in roles.items()}
    return urls | {"admin": url}, roles
