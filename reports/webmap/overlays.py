"""The web map's context and planning overlays: the roads by class and the proposed sites of
each planning scenario stored in the project.

May import ``ilp_gis`` (i18n, scenario), ``layers.symbology``, geopandas/shapely/numpy and
``reports.webmap`` (embed, geometry, values, symbols).
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely

from ilp_gis import scenario
from ilp_gis.i18n import format_rupiah, register_catalog, tr
from layers import symbology as sym
from reports.webmap.embed import feature_collection
from reports.webmap.geometry import as_wgs84, round_coords
from reports.webmap.symbols import area_style
from reports.webmap.values import clean_text, is_finite

register_catalog("reports", "webmap.overlays")

ROAD_OTHER = "lokal"
"""Roads of a class the symbology does not know are drawn as local roads."""
ROAD_MIN_ZOOM = {"lingkungan": 12, "setapak": 13}
"""Minor roads are drawn only from these zoom levels on (a whole district is about zoom 10:
thousands of lanes there hide the desa colours)."""
SITE_SIZE = 20
"""Pixel size of a proposed site's symbol (a little larger than the existing facilities')."""


def road_layer(roads, crs, tolerance: float) -> tuple[str, dict, list[str]] | None:
    """The roads (simplified in the metric ``crs`` by the boundaries' tolerance,
    lines only) as a FeatureCollection whose features carry their class (``properties.cl``),
    the style of each class and the classes present (in the symbology's order); None when the
    project has no road with a geometry."""
    if roads is None or not len(roads):
        return None
    r = as_wgs84(roads)
    r = r[r.geometry.notna() & ~r.geometry.is_empty]
    r = r[r.geometry.geom_type.isin(["LineString", "MultiLineString"])]
    if not len(r):
        return None
    cls = (r["road_class"].astype("string").str.strip().str.lower().fillna(ROAD_OTHER)
           if "road_class" in r.columns else np.full(len(r), ROAD_OTHER, dtype=object))
    cls = np.array([c if c in sym.ROAD_STYLES else ROAD_OTHER for c in cls], dtype=object)
    metric = np.asarray(r.geometry.to_crs(crs).values, dtype=object)
    simple = shapely.simplify(metric, tolerance, preserve_topology=False)
    wgs = np.asarray(gpd.GeoSeries(simple, crs=crs).to_crs(r.crs).values, dtype=object)
    props = [{"cl": c} for c in cls]
    present = [c for c in sym.ROAD_STYLES if c in set(cls)]
    styles = {c: area_style(sym.ROAD_STYLES[c]) for c in present}
    return feature_collection(round_coords(wgs), props), styles, present


def site_style(action: str) -> dict:
    """Leaflet marker options of a proposed site (the planning overlay's shapes and colours)."""
    st = sym.scenario_site_style(action)  # the one scenario symbology of screen and paper
    return {"shape": st.shape, "fill": st.fill, "stroke": st.stroke, "size": SITE_SIZE}


def site_fields() -> list[str]:
    return [tr("webmap.site.action"), tr("area.desa"), tr("webmap.site.cost")]


def scenario_layers(project, desa_names: dict[str, str]) -> list[dict]:
    """One entry per scenario with located sites: ``name``, ``n`` (sites), ``fc``
    (FeatureCollection text), ``actions`` (present, in order) and ``styles`` (by action)."""
    out = []
    for name in scenario.scenario_names(project):
        sites = scenario.scenario_sites(project, name)
        sites = sites[sites.geometry.notna() & ~sites.geometry.is_empty]
        if not len(sites):
            continue
        actions = [str(a) for a in sites["action"]]
        props = []
        for i, act in enumerate(actions):
            code = clean_text(sites["desa_code"].iloc[i])
            amount = sites["amount"].iloc[i]
            props.append({
                "n": clean_text(sites["name"].iloc[i]) or tr(f"scenario.action.{act}"),
                "s": tr("webmap.site.sub", name=name), "a": act,
                "p": [tr(f"scenario.action.{act}"),
                      desa_names.get(str(code)) or code,
                      format_rupiah(float(amount)) if is_finite(amount) else None],
            })
        geoms = round_coords(np.asarray(sites.geometry.values, dtype=object))
        present = list(dict.fromkeys(actions))
        out.append({"name": name, "n": len(sites), "fc": feature_collection(geoms, props),
                    "actions": present, "styles": {a: site_style(a) for a in present}})
    return out
