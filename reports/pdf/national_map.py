"""The map of a national project at page scale: ~86,000 desa are specks smaller than the pen on
an A4 page, so the desa are merged per kabupaten and gap kind (the colour a reader sees is the
same), only the kecamatan with a kecamatan-level gap are kept (their hatch), and no facility
symbol or place label is drawn (tens of thousands would cover the country).  Imports
reports.maps and the context.
"""

from __future__ import annotations

from dataclasses import replace

import geopandas as gpd
import pandas as pd
import shapely

from reports.maps import MapOptions
from reports.maps.data import MapData
from reports.tables import kabupaten_key

NATIONAL_OPTIONS = dict(labels=False, kecamatan_labels=False, facilities=False, edges=False,
                        posyandu=False, line_scale=0.3)
"""What a national map leaves out (see the module text); its outlines drawn thin, so the
kabupaten of a whole country do not turn into ink blots."""


def national_options(**kw) -> MapOptions:
    return MapOptions(**{**NATIONAL_OPTIONS, **kw})


def merged_map_data(data: MapData) -> MapData:
    """``data`` with its desa merged per kabupaten and severest gap kind (a desa without a gap:
    kind "") into one multipolygon each, keyed ``<kabupaten>|<kind>`` in ``desa_gap``; the
    kecamatan cut to those with a kecamatan-level gap and no facilities."""
    desa = data.desa
    if not len(desa) or "code" not in desa:
        return data
    kind = desa["code"].map(data.desa_gap).fillna("")
    place = desa["kecamatan_code"] if "kecamatan_code" in desa else desa["code"]
    key = kabupaten_key(place).to_numpy() + "|" + kind.to_numpy()
    geoms = desa.geometry.values
    groups = pd.Series(range(len(desa))).groupby(key).indices
    keys = sorted(groups)
    merged = [_merge(geoms[groups[k]]) for k in keys]
    out = gpd.GeoDataFrame({"code": keys, "name": [""] * len(keys)}, geometry=merged,
                           crs=desa.crs)
    gap = {k: k.split("|", 1)[1] for k in keys if k.split("|", 1)[1]}
    kec = data.kecamatan
    if len(kec) and "code" in kec:
        kec = kec[kec["code"].isin(set(data.kecamatan_gap))]
    fac = data.facilities.iloc[0:0]
    return replace(data, desa=out, desa_gap=gap, kecamatan=kec, facilities=fac, edges=None,
                   facility_gap={})


class WithoutFacilities:
    """``project`` as a national map reads it: every attribute its own but no facilities (a
    national map draws none, so ~300,000 points are not projected for it)."""

    def __init__(self, project) -> None:
        self._project = project

    def __getattr__(self, name):
        return getattr(self._project, name)

    @property
    def facilities(self):
        return self._project.facilities.iloc[0:0]


def _merge(geoms):
    """One geometry of adjacent desa polygons (a coverage: they share their edges), by the
    coverage union, else a plain union when the polygons overlap."""
    try:
        return shapely.coverage_union_all(geoms)
    except shapely.errors.GEOSException:
        return shapely.union_all(shapely.make_valid(geoms))
