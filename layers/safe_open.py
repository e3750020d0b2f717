"""The one gate in front of GDAL: names a file's format from its own bytes, lets GDAL open it
only when that format is meant for the file's role (forcing the driver where GDAL allows), refuses
virtual, remote and unsafe paths, and keeps GDAL off the network.  Every pyogrio read goes
through :func:`gdal_source`.  Imports ``ilp_gis`` and pyogrio."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path, PurePosixPath

import pyogrio

from ilp_gis.errors import InputError
from ilp_gis.i18n import register_catalog, tr

LAYER = "layer"  # boundaries, facility points, roads
PROJECT = "project"  # the project file
RASTER = "raster"  # a population raster (opened by rasterio/exactextract after this gate)
ALLOWED = {
    LAYER: ("GPKG", "ESRI Shapefile", "GeoJSON", "KML", "FlatGeobuf"),
    PROJECT: ("GPKG",),
    RASTER: ("GTiff",),
}
# Format names as a planner knows them (the message lists what is accepted).
_LABELS = {"GPKG": "GeoPackage (.gpkg)", "ESRI Shapefile": "Shapefile (.shp/.zip)",
           "GeoJSON": "GeoJSON", "KML": "KML/KMZ", "FlatGeobuf": "FlatGeobuf",
           "GTiff": "GeoTIFF (.tif)"}

# GDAL settings for the whole process: no HTTP/cloud file system (/vsicurl/, /vsis3/, ...) finds
# a file (those handlers check the two names before any request); a driver's own HTTP request
# (WFS, OAPIF, a URL given as a path) goes to the closed local discard port instead of the host
# it names, at once and without retry; no SQLite virtual tables reaching other files, no Python
# in VRT, no reading stdin.
NO_NETWORK = {
    "CPL_VSIL_CURL_ALLOWED_EXTENSIONS": ".ilp-gis-offline",
    "CPL_VSIL_CURL_ALLOWED_FILENAME": "/ilp-gis-offline",
    "GDAL_HTTP_PROXY": "127.0.0.1:9",
    "GDAL_HTTPS_PROXY": "127.0.0.1:9",
    "GDAL_HTTP_MAX_RETRY": "0",
    "GDAL_HTTP_TIMEOUT": "1",
    "GDAL_HTTP_CONNECTTIMEOUT": "1",
    "OGR_SQLITE_ALLOW_EXTERNAL_ACCESS": "NO",
    "GDAL_VRT_ENABLE_PYTHON": "NO",
    "CPL_ALLOW_VSISTDIN": "NO",
}

_HEAD = 1 << 20  # bytes looked at: far more than any GDAL driver reads to choose itself
# Text that makes GDAL read other files or the network, wherever it sits in the head.
_HOSTILE = (
    ("<ogrvrtdatasource", "GDAL VRT"),
    ("gdal_streamed_alg", "GDALG"),
    ("<ogrwfsdatasource", "WFS"),
    ("<gdal_wms", "WMS"),
    ("<vrtdataset", "GDAL VRT"),
)
_SQLITE = b"SQLite format 3\x00"
_TIFF = (b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+")  # TIFF and BigTIFF, both byte orders
_GPKG_IDS = (b"GPKG", b"GP10", b"GP11")
_URL = re.compile(r"^\s*[a-z][a-z0-9+.\-]+:/")  # http://, ftp:/ (a path collapses //), not C:/
_GEOJSON_TYPE = re.compile(r'"type"\s*:\s*"(FeatureCollection|Feature)"')
_XML_ROOT = re.compile(r"<([A-Za-z_][\w.\-]*:)?([A-Za-z_][\w.\-]*)")


def no_network() -> None:
    """Apply :data:`NO_NETWORK` (done once when this module is imported)."""
    pyogrio.set_gdal_config_options(NO_NETWORK)


def check_location(text: str | Path, *, file: str | None = None) -> None:
    """Refuse a path that names a GDAL virtual file system (``/vsi…``) or a URL (also inside)."""
    s = str(text)
    low = s.lower().replace("\\", "/")
    if "/vsi" in low or low.startswith("vsi") or "://" in low or _URL.match(low):
        why = tr("safe_open.virtual_path", path=s[:120])
        raise InputError(why, file=file or Path(s).name or s[:60], reason=why)


def check_member(name: str, archive: Path) -> None:
    """Refuse a ZIP member whose name climbs out of the archive or names another file system."""
    low = name.replace("\\", "/")
    parts = PurePosixPath(low).parts
    if (low.startswith("/") or ".." in parts or ":" in low or "/vsi" in f"/{low.lower()}"
            or "\x00" in low):
        why = tr("safe_open.bad_member", name=name[:120])
        raise InputError(why, file=archive.name, reason=why)


def read_head(path: Path, member: str | None = None) -> bytes:
    """The first bytes of ``path`` (or of ``member`` inside the ZIP ``path``)."""
    try:
        if member is None:
            with open(path, "rb") as fh:
                return fh.read(_HEAD)
        with zipfile.ZipFile(path) as zf, zf.open(member) as fh:
            return fh.read(_HEAD)
    except (OSError, zipfile.BadZipFile, KeyError, RuntimeError) as exc:
        why = tr("safe_open.cannot_read",
                 why=(getattr(exc, "strerror", None) or str(exc) or type(exc).__name__)[:200])
        raise InputError(why, file=path.name, reason=why) from exc


def detect(head: bytes, suffix: str = "") -> str:
    """The format ``head`` (a file's first bytes) is written in, by its content only:
    ``GPKG``, ``SQLite``, ``ESRI Shapefile``, ``FlatGeobuf``, ``GeoJSON``, ``KML``, ``GDAL VRT``,
    ``GDALG``, ``XML <root>``, ``TopoJSON``, ``ESRIJSON``, ``GTiff``, ``ZIP``, ``PDF``, ``text``,
    ``empty`` or ``unknown``."""
    if not head.strip():
        return "empty"
    if head.startswith(_SQLITE):
        if head[68:72] in _GPKG_IDS or suffix.lower() == ".gpkg":
            return "GPKG"
        return "SQLite"
    if head[:4] == b"\x00\x00\x27\x0a" and len(head) >= 100:
        return "ESRI Shapefile"
    if head[:3] == b"fgb" and len(head) > 8:
        return "FlatGeobuf"
    if head.startswith(b"PK\x03\x04"):
        return "ZIP"
    if head[:4] in _TIFF and len(head) >= 8:
        return "GTiff"
    if head.startswith(b"%PDF"):
        return "PDF"
    text = _as_text(head)
    if text is None:
        return "unknown"
    low = text.lower()
    for marker, kind in _HOSTILE:  # text formats: GDAL picks its driver by such words
        if marker in low:
            return kind
    body = text.lstrip()
    if body.startswith("<"):
        return _xml_kind(body)
    if body.startswith(("{", "[")):
        if _GEOJSON_TYPE.search(body):
            return "GeoJSON"
        if re.search(r'"type"\s*:\s*"Topology"', body):
            return "TopoJSON"
        if '"geometryType"' in body:
            return "ESRIJSON"
        return "GeoJSON"  # opened by the GeoJSON driver only, which tells what is wrong
    return "text"


def _as_text(head: bytes) -> str | None:
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return head.decode("utf-16", errors="replace")
    if head.startswith(b"\xef\xbb\xbf"):
        head = head[3:]
    if b"\x00" in head[:4096]:
        return None
    return head.decode("utf-8", errors="replace")


def _xml_kind(body: str) -> str:
    while True:  # skip the prolog: declarations, comments, processing instructions
        if body.startswith("<?"):
            end = body.find("?>")
        elif body.startswith("<!--"):
            end = body.find("-->")
        elif body.upper().startswith("<!DOCTYPE"):
            return "XML DOCTYPE"
        else:
            break
        if end < 0:
            return "unknown"
        body = body[end + 2:].lstrip().lstrip(">").lstrip()
    m = _XML_ROOT.match(body)
    if not m:
        return "unknown"
    root = m.group(2)
    if root.lower() == "kml":
        return "KML"
    return f"XML <{(m.group(1) or '') + root}>"


def gdal_source(path: Path, role: str = LAYER, member: str | None = None) -> str:
    """The name to hand pyogrio for ``path`` (or for ``member`` inside the ZIP ``path``), after
    its content was found to be a format allowed for ``role``; else :class:`InputError`."""
    check_location(path, file=path.name)
    absolute = path.resolve()
    if member is not None:
        check_member(member, path)
        location = f"/vsizip/{absolute}/{member}"
        suffix = PurePosixPath(member).suffix
    else:
        location = str(absolute)
        suffix = path.suffix
    kind = detect(read_head(absolute, member), suffix)
    require(kind, role, path)
    if kind == "GeoJSON":  # the prefix makes GDAL try the GeoJSON driver only
        return f"GeoJSON:{location}"
    if kind == "GPKG" and ":" not in location:  # likewise; "GPKG:" parses a ':' as a layer
        return f"GPKG:{location}"
    return location


def require(kind: str, role: str, path: Path) -> None:
    """Raise :class:`InputError` unless ``kind`` (from :func:`detect`) is allowed for ``role``."""
    if kind in ALLOWED[role]:
        return
    if kind == "empty":
        why = tr("safe_open.empty")
    elif kind == "XML DOCTYPE":
        why = tr("safe_open.doctype")
    else:
        label = {"text": tr("safe_open.kind.text"),
                 "unknown": tr("safe_open.kind.unknown")}.get(kind, kind)
        why = tr("safe_open.wrong_format", kind=label, role=tr(f"safe_open.role.{role}"),
                 allowed=", ".join(_LABELS[k] for k in ALLOWED[role]))
    raise InputError(why, file=path.name, reason=why)


no_network()
register_catalog("layers", "safe_open")
