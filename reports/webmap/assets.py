"""Offline assets: Leaflet, Leaflet.markercluster (xstatic packages) and our page helpers
(``reports/data``), read at export time and written INLINE, so nothing is fetched when the file
is opened. May import ``ilp_gis`` (errors, i18n) and the xstatic packages.
"""

from __future__ import annotations

import base64
import re
from pathlib import Path

from ilp_gis.errors import ProjectError
from ilp_gis.i18n import register_catalog, tr

register_catalog("reports", "webmap.assets")

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
"""Our own page script and style sheet (``reports/data/webmap.js|css``)."""


def read_asset(path: Path) -> str:
    try:
        return path.read_text("utf-8")
    except OSError as exc:  # a broken installation, not bad input
        raise ProjectError(tr("webmap.asset_missing", file=str(path))) from exc


def leaflet_assets() -> tuple[str, str]:
    """(css, js) of Leaflet and Leaflet.markercluster from the installed xstatic packages."""
    try:
        import xstatic.pkg.leaflet as xleaflet
        import xstatic.pkg.leaflet_markercluster as xcluster
    except ImportError as exc:  # a broken installation: say which package is missing
        raise ProjectError(tr("webmap.asset_missing", file=exc.name or "xstatic-leaflet")) from exc

    ldir = Path(xleaflet.BASE_DIR)
    cdir = Path(xcluster.BASE_DIR)
    css = read_asset(ldir / "leaflet.css")

    def data_uri(match: re.Match) -> str:
        img = ldir / "images" / match.group(1)
        if not img.exists():
            return match.group(0)
        return "url(data:image/png;base64," + base64.b64encode(img.read_bytes()).decode() + ")"

    css = re.sub(r"url\(images/([\w.-]+\.png)\)", data_uri, css)
    css += "\n" + read_asset(cdir / "MarkerCluster.css")
    js = read_asset(ldir / "leaflet.js") + "\n" + read_asset(cdir / "leaflet.markercluster.js")
    return css, js


def inline_script(js: str) -> str:
    return "<script>\n" + js.replace("</script", "<\\/script") + "\n</script>"


_OFFLINE_BREAKERS = (
    re.compile(r"<script\b[^>]*\bsrc\s*=", re.I),
    re.compile(r"<link\b[^>]*\bhref\s*=\s*[\"']?(https?:)?//", re.I),
    re.compile(r"@import\s+(url\()?[\"']?(https?:)?//", re.I),
    re.compile(r"url\(\s*[\"']?(https?:)?//", re.I),  # a font or picture in a style sheet
    re.compile(r"<(img|iframe|source|video|audio|embed)\b[^>]*\bsrc\s*=\s*[\"']?(https?:)?//",
               re.I),
)


def offline_problems(html: str) -> list[str]:
    """Every external script, style sheet, font or picture reference in ``html`` (empty when
    the file opens offline; the online basemap's tiles are asked by Leaflet, not listed)."""
    found = []
    for pattern in _OFFLINE_BREAKERS:
        found += [m.group(0) for m in pattern.finditer(html)]
    return found
