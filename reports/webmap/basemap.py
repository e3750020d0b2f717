"""The offline basemap of the web map: the tiles a planner's MBTiles or PMTiles file holds
around the district (read by ``layers.basemap_file``), embedded in the page as base64 text and
drawn by a tile layer that reads them from there, so the map has its context without internet.

May import ``ilp_gis`` (errors, i18n), ``layers`` (basemap_file, mbtiles) and ``reports.webmap``
(embed, geometry).
"""

from __future__ import annotations

import base64

from ilp_gis.errors import InputError
from ilp_gis.i18n import register_catalog, tr
from layers.basemap_file import read_basemap
from layers.mbtiles import Basemap
from reports.webmap.embed import escape_html, script_json
from reports.webmap.geometry import as_wgs84, bounds_of

register_catalog("reports", "webmap.basemap")

BASEMAP_FILL_OPACITY = 0.55
"""The desa colours' opacity over a basemap (0.85 without one): the map beneath stays legible."""


def load_basemap(project, path) -> Basemap:
    """The basemap tiles of the MBTiles or PMTiles file ``path`` around the project's district (its
    kabupaten, else its desa); an :class:`InputError` names the file and the problem."""
    frames = [as_wgs84(project.kabupaten) if project.has("kabupaten") else None,
              as_wgs84(project.desa) if project.has("desa") else None]
    frames = [f for f in frames if f is not None and len(f)]
    if not frames:
        raise InputError(tr("webmap.no_desa"))
    return read_basemap(path, bounds_of(frames))


def basemap_data(basemap: Basemap) -> str:
    """The tiles as a JSON object ``{"z/x/y": base64}`` (safe inside a <script> element)."""
    return script_json({k: base64.b64encode(v).decode("ascii")
                        for k, v in basemap.tiles.items()})


def basemap_options(basemap: Basemap) -> str:
    """The tile layer's options (JSON); the file's attribution is text, never markup."""
    return script_json({"mime": basemap.mime, "minZoom": basemap.min_zoom,
                        "maxZoom": basemap.max_zoom,
                        "attribution": escape_html(basemap.attribution)})


def basemap_layer_name(basemap: Basemap) -> str:
    return tr("webmap.layer.basemap", name=basemap.name)


def basemap_note(basemap: Basemap) -> str | None:
    """The legend's note when zoom levels were left out to keep the file small."""
    if not basemap.zooms_left_out:
        return None
    return tr("webmap.basemap.zooms_left_out", zoom=basemap.max_zoom)
