"""Web map export: one self-contained HTML file (folium/Leaflet) that works offline.

``export_webmap(project, result, path)`` writes a map with switchable layers — the kabupaten,
kecamatan and desa boundaries, desa coloured by a chosen coverage figure (with a legend), the
facilities by type with the project's one symbology (Posyandu clustered when many), the network
edges and the gaps (hatched, with popups explaining each gap and its priority) — a desa search box,
a title and, for fictional data, a "DATA FIKTIF / FICTIONAL DATA" banner.

Offline by default: Leaflet, Leaflet.markercluster and our own small script are read at export
time from the installed packages (xstatic-leaflet, xstatic-leaflet-markercluster, reports/data)
and written INLINE into the file.  Nothing is fetched when the file is opened; only
``online_basemap=True`` adds OpenStreetMap tiles (which then need the internet).

Geometries are simplified for the web with their topology kept (``shapely.coverage_simplify``:
neighbouring desa still share their borders) and coordinates are rounded to 5 decimals (~1 m).
"""

from __future__ import annotations

import base64
import datetime as dt
import functools
import json
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ilp_gis import model
from ilp_gis.analysis import analyze, load_result
from ilp_gis.errors import InputError, ProjectError
from ilp_gis.geo import utm_crs
from ilp_gis.i18n import (
    format_date,
    format_number,
    format_percent,
    language,
    normalize_language,
    register_catalog,
    tr,
)
from ilp_gis.jobs import checkpoint, sub_progress
from ilp_gis.results import AnalysisResult
from layers import symbology as sym
from layers.atomic import atomic_write_text

COORD_DECIMALS = 5
"""Decimals kept in the web map's coordinates (5 ≈ 1 m, far below the simplification)."""
CLUSTER_MIN = {"posyandu": 150, "pustu": 1500, "puskesmas": 200}
"""A facility layer with at least this many points is drawn as marker clusters."""
PX_PER_PT = 96 / 72  # symbology widths are print points; the browser draws CSS pixels
_Z_OFFSET = {"puskesmas": 1000, "pustu": 500}  # Puskesmas drawn above Pustu above Posyandu
KECAMATAN_LABEL_ZOOM = 10
"""Kecamatan names are written on the map from this zoom level on (a whole district ≈ 10)."""
EDGES_SHOWN_MAX = 400
FACILITY_GAPS_SHOWN_MAX = 150
"""Facility gaps (rings around facilities) are switched on when the map opens up to this many."""
"""Network edges are switched on when the map opens only up to this many (else in the control)."""
DEFAULT_COLOUR_BY = "pustu_coverage"
_DATA_DIR = Path(__file__).resolve().parent / "data"


# --- Coverage figures the desa can be coloured by -------------------------------------------------
@dataclass(frozen=True)
class ColourField:
    key: str
    label_key: str
    higher_is_better: bool
    kind: str  # "share" | "km" | "min" | "number" | "score"
    compute: Callable[[pd.DataFrame], pd.Series]

    @property
    def label(self) -> str:
        return tr(self.label_key) if self.label_key else self.key

    def format(self, value: float) -> str:
        return _format_value(value, self.kind)


def _num(frame: pd.DataFrame, col: str) -> pd.Series:
    if col not in frame.columns:
        return pd.Series(np.nan, index=frame.index, dtype="float64")
    return pd.to_numeric(frame[col], errors="coerce").astype("float64")


def _ratio(num: str, den: str) -> Callable[[pd.DataFrame], pd.Series]:
    def compute(frame: pd.DataFrame) -> pd.Series:
        d = _num(frame, den)
        return _num(frame, num) / d.where(d > 0)

    return compute


def _column(col: str) -> Callable[[pd.DataFrame], pd.Series]:
    return lambda frame: _num(frame, col)


COLOUR_FIELDS: dict[str, ColourField] = {f.key: f for f in (
    ColourField("pustu_coverage", "webmap.colour.pustu_coverage", True, "share",
                _ratio("pop_within_pustu_km", "population")),
    ColourField("puskesmas_coverage", "webmap.colour.puskesmas_coverage", True, "share",
                _ratio("pop_within_puskesmas_km", "population")),
    ColourField("pustu_travel_coverage", "webmap.colour.pustu_travel_coverage", True, "share",
                _ratio("pop_within_pustu_min", "population")),
    ColourField("puskesmas_travel_coverage", "webmap.colour.puskesmas_travel_coverage", True,
                "share", _ratio("pop_within_puskesmas_min", "population")),
    ColourField("posyandu_coverage", "webmap.colour.posyandu_coverage", True, "share",
                _ratio("n_posyandu", "posyandu_needed")),
    ColourField("kader_ok_share", "webmap.colour.kader_ok_share", True, "share",
                _column("kader_ok_share")),
    ColourField("dist_pustu_km", "webmap.colour.dist_pustu_km", False, "km",
                _column("dist_pustu_km")),
    ColourField("dist_puskesmas_km", "webmap.colour.dist_puskesmas_km", False, "km",
                _column("dist_puskesmas_km")),
    ColourField("travel_pustu_min", "webmap.colour.travel_pustu_min", False, "min",
                _column("travel_pustu_min")),
    ColourField("travel_puskesmas_min", "webmap.colour.travel_puskesmas_min", False, "min",
                _column("travel_puskesmas_min")),
    ColourField("posyandu_deficit", "webmap.colour.posyandu_deficit", False, "number",
                _column("posyandu_deficit")),
    ColourField("priority_score", "webmap.colour.priority_score", False, "score",
                _column("priority_score")),
)}


def colour_field(key: str, desa: pd.DataFrame | None = None) -> ColourField:
    """The coverage figure named ``key``: one of :data:`COLOUR_FIELDS` or any numeric column of
    the analysis' desa table (coloured light = low … dark = high)."""
    if key in COLOUR_FIELDS:
        return COLOUR_FIELDS[key]
    if desa is not None and key in desa.columns and key != "geometry":
        values = pd.to_numeric(desa[key], errors="coerce")
        if values.notna().any() or desa[key].isna().all():
            return ColourField(key, "", True, "number", _column(key))
    raise InputError(tr("webmap.unknown_colour_by", field=key,
                        choices=", ".join(COLOUR_FIELDS)))


SHARE_BREAKS = (0.5, 0.7, 0.9, 0.9995)
"""Upper bounds of the coverage classes for shares: < 50%, 50–70%, 70–90%, 90–<100%, 100%.
Fixed (not quantiles) because coverage piles up at 100%: quantiles would paint fully covered
desa in the "worst" colour, and a planner reads these classes against the ILP target."""


def colour_classes(field: ColourField, values) -> tuple[list[str], list[tuple[str, str]]]:
    """Fill colour per desa (``symbology.NO_DATA_COLOUR`` where missing) and the legend rows
    ``(colour, label)``.  Shares use fixed classes (:data:`SHARE_BREAKS`); other figures
    quantile classes of the shared symbology."""
    v = np.asarray(values, dtype=float)
    finite = v[np.isfinite(v)]
    ramp = sym.COVERAGE_RAMP if field.higher_is_better else sym.BURDEN_RAMP
    if not len(finite):
        return [sym.NO_DATA_COLOUR] * len(v), []
    if field.kind == "share":
        top = max(1.0, float(finite.max()))
        over = top > 1.0 + 1e-9  # e.g. more Posyandu than dusun
        breaks = [*SHARE_BREAKS, top]
        labels = [f"< {format_percent(0.5, 0)}",
                  f"{format_percent(0.5, 0)} – {format_percent(0.7, 0)}",
                  f"{format_percent(0.7, 0)} – {format_percent(0.9, 0)}",
                  f"{format_percent(0.9, 0)} – < {format_percent(1.0, 0)}",
                  f"≥ {format_percent(1.0, 0)}" if over else format_percent(1.0, 0)]
        palette = sym.ramp_colours(ramp, len(breaks))
    else:
        raw = sym.quantile_breaks(finite)
        breaks = []
        for b in raw:  # quantiles of tied values differ only by rounding noise
            if not breaks or not math.isclose(b, breaks[-1], rel_tol=1e-9, abs_tol=1e-12):
                breaks.append(b)
        palette = sym.ramp_colours(ramp, len(breaks))
        lo = float(finite.min())
        labels = []
        for i, b in enumerate(breaks):
            start = lo if i == 0 else breaks[i - 1]
            labels.append(field.format(b) if field.format(start) == field.format(b)
                          else f"{field.format(start)} – {field.format(b)}")
    idx = sym.classify(v, breaks)
    colours = [palette[i] if i >= 0 else sym.NO_DATA_COLOUR for i in idx]
    used = set(int(i) for i in idx if i >= 0)
    legend = [(palette[i], labels[i]) for i in range(len(breaks))
              if field.kind == "share" or i in used]
    return colours, legend


def _format_value(value: Any, kind: str) -> str:
    try:
        v = float(value)
    except (TypeError, ValueError):
        return tr("common.missing")
    if not math.isfinite(v):
        return tr("common.missing")
    if kind == "share":
        return format_percent(v, 0 if abs(v) >= 0.995 or v == 0 else 1)
    if kind == "km":
        return format_number(v, 1) + " km"
    if kind == "min":
        return format_number(v, 0) + " " + tr("webmap.unit.min")
    if kind == "score":
        return format_number(v, 2)
    return format_number(v, 0 if float(v).is_integer() else 1)


# --- The export --------------------------------------------------------------------------------------
def export_webmap(project, result: AnalysisResult | None, path: str | Path, *,
                  online_basemap: bool = False, lang: str | None = None,
                  colour_by: str = DEFAULT_COLOUR_BY, progress=None,
                  is_cancelled=None) -> Path:
    """Write the project's web map to ``path`` (one self-contained HTML file) and return the path.

    Parameters
    ----------
    project
        The :class:`ilp_gis.project.Project`.
    result
        Its :class:`~ilp_gis.results.AnalysisResult`; ``None`` uses the analysis stored in the
        project, or runs ``ilp_gis.analysis.analyze`` when none is stored.
    path
        The ``.html`` file to write (written atomically).
    online_basemap
        Add OpenStreetMap tiles (needs the internet when the file is opened).  Without it the
        file needs no network at all.
    lang
        ``id`` or ``en``; default the current UI language.
    colour_by
        The coverage figure the desa are coloured by (see :data:`COLOUR_FIELDS`).
    """
    lang = normalize_language(lang)
    path = Path(path)
    with language(lang):
        checkpoint(progress, is_cancelled, 0.0, tr("webmap.progress.start"))
        analysed_here = False
        if result is None:
            result = load_result(project)
            if result is None:  # analysed now, in this language: its messages fit the map
                result = analyze(project, progress=sub_progress(progress, 0.0, 0.5),
                                 is_cancelled=is_cancelled)
                analysed_here = True
        messages_trusted = analysed_here or analysis_language(result) == lang
        step = sub_progress(progress, 0.5 if analysed_here else 0.0, 1.0)
        html = _build_html(project, result, online_basemap=online_basemap, lang=lang,
                           colour_by=colour_by, messages_trusted=messages_trusted,
                           progress=step, is_cancelled=is_cancelled)
        checkpoint(step, is_cancelled, 0.97, tr("webmap.progress.write"))
        atomic_write_text(path, html, newline="\n")
        checkpoint(progress, is_cancelled, 1.0, tr("webmap.progress.done"))
    return path


def analysis_language(result: AnalysisResult) -> str | None:
    """The language the result's gap messages were written in (``summary["lang"]`` when the
    analysis records it, else recognised from the gap units), or ``None`` when unknown."""
    lang = (result.summary or {}).get("lang") if isinstance(result.summary, dict) else None
    if lang in ("id", "en"):
        return lang
    _analysis_messages()
    gaps = result.gaps
    if gaps is None or not len(gaps) or "unit" not in gaps.columns:
        return None
    votes = {"id": 0, "en": 0}
    for unit in gaps["unit"].dropna().astype(str).unique():
        for key in _UNIT_KEYS:
            in_id, in_en = tr(key, lang="id"), tr(key, lang="en")
            if in_id != in_en and unit == in_id:
                votes["id"] += 1
            elif in_id != in_en and unit == in_en:
                votes["en"] += 1
    if votes["id"] == votes["en"]:
        return None
    return "id" if votes["id"] > votes["en"] else "en"


# Units the analysis writes (translated); recognised to re-translate them and to tell the
# language of the stored messages.
_UNIT_KEYS = ("analysis.unit.puskesmas", "analysis.unit.pustu", "analysis.unit.posyandu",
              "analysis.unit.km", "analysis.unit.minutes", "analysis.unit.nakes",
              "analysis.unit.kader", "analysis.unit.share")


def _analysis_messages() -> None:
    """Make sure the analysis' unit names are registered (they live with the gap finder)."""
    try:
        import ilp_gis.gaps  # noqa: F401
    except ImportError:  # an installation without the analysis: units stay as written
        pass


# --- Geometry for the web ----------------------------------------------------------------------------
def web_tolerance(frames: list[gpd.GeoDataFrame], crs) -> float:
    """Simplification tolerance in metres: 1/3000 of the data's diagonal, 5 … 300 m."""
    bounds = [f.to_crs(crs).total_bounds for f in frames if f is not None and len(f)]
    bounds = [b for b in bounds if np.all(np.isfinite(b))]
    if not bounds:
        return 10.0
    b = np.array(bounds)
    diag = math.hypot(b[:, 2].max() - b[:, 0].min(), b[:, 3].max() - b[:, 1].min())
    return float(min(300.0, max(5.0, diag / 3000.0)))


def simplify_for_web(geoms: gpd.GeoSeries, crs, tolerance: float, *,
                     coverage: bool = True) -> np.ndarray:
    """Simplify polygons (as a coverage: shared borders stay shared) in the metric ``crs`` and
    return WGS84 geometries with rounded coordinates (``None`` where a geometry is missing)."""
    out = np.full(len(geoms), None, dtype=object)
    if len(geoms) == 0:
        return out
    metric = np.asarray(geoms.to_crs(crs).values, dtype=object)
    ok = np.array([g is not None and not g.is_empty for g in metric], dtype=bool)
    if not ok.any():
        return out
    part = metric[ok]
    simplified = None
    polygonal = np.isin(shapely.get_type_id(part), (3, 6))  # Polygon, MultiPolygon
    if coverage and polygonal.all():
        for attempt in range(2):
            try:
                simplified = shapely.coverage_simplify(part, tolerance)
                break
            except shapely.errors.GEOSException:
                if attempt:
                    break
                invalid = ~shapely.is_valid(part)  # e.g. a ring touching itself after projection
                if not invalid.any():
                    break
                part = part.copy()
                part[invalid] = shapely.make_valid(part[invalid])
        if simplified is not None:
            broken = shapely.is_empty(simplified) | ~shapely.is_valid(simplified)
            if broken.any():  # a sliver vanished or broke: keep its own careful simplification
                simplified[broken] = shapely.simplify(part[broken], tolerance / 4,
                                                      preserve_topology=True)
    if simplified is None:
        simplified = shapely.simplify(part, tolerance, preserve_topology=True)
    wgs = np.asarray(gpd.GeoSeries(simplified, crs=crs).to_crs(model.WGS84).values, dtype=object)
    rounded = round_coords(wgs)
    broken = ~shapely.is_valid(rounded) & shapely.is_valid(wgs)
    if broken.any():  # rounding collapsed a tiny ring: snap those few to the grid properly
        rounded[broken] = shapely.set_precision(wgs[broken], 10.0 ** -COORD_DECIMALS)
    out[ok] = rounded
    return out


def round_coords(geoms: np.ndarray, decimals: int = COORD_DECIMALS) -> np.ndarray:
    return shapely.transform(geoms, lambda c: np.round(c, decimals))


def _feature_collection(geoms, props: list[dict]) -> str:
    """A GeoJSON FeatureCollection as compact JSON text.

    Features without geometry are left out, except those whose properties carry a reference
    ``"r": [layer, code]`` to another layer's geometry (resolved in the page by ILP.resolve).
    """
    geoms = np.asarray(geoms, dtype=object)
    texts = shapely.to_geojson(geoms) if len(geoms) else []
    dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False,
                             default=_json_default).encode
    parts = ['{"type":"Feature","geometry":' + (g or "null") + ',"properties":'
             + _script_safe(dumps(p)) + "}"
             for g, p in zip(texts, props, strict=True) if g is not None or "r" in p]
    return '{"type":"FeatureCollection","features":[' + ",".join(parts) + "]}"


def _js(obj: Any) -> str:
    """JSON safe to embed in a <script> element."""
    return _script_safe(json.dumps(_clean(obj), ensure_ascii=False, separators=(",", ":"),
                                   allow_nan=False))


def _script_safe(text: str) -> str:
    """JSON text that cannot end or confuse the <script> element it sits in."""
    return text.replace("</", "<\\/").replace("<!--", "<\\!--")


def _json_default(obj: Any) -> Any:
    if isinstance(obj, np.integer):
        return int(obj)
    if isinstance(obj, np.bool_):
        return bool(obj)
    if isinstance(obj, np.floating):
        return float(obj) if math.isfinite(obj) else None
    if obj is pd.NA or obj is pd.NaT:
        return None
    return str(obj)


def _clean(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {str(k): _clean(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_clean(v) for v in obj]
    if isinstance(obj, float | np.floating):
        return float(obj) if math.isfinite(obj) else None
    if isinstance(obj, np.integer):
        return int(obj)
    if isinstance(obj, np.bool_):
        return bool(obj)
    if obj is pd.NA or obj is pd.NaT:
        return None
    return obj


def _text(value: Any) -> str | None:
    if value is None or value is pd.NA:
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return None
    s = str(value).strip()
    return s or None


def _count(value: Any) -> str | None:
    try:
        v = float(value)
    except (TypeError, ValueError):
        return None
    return format_number(v, 0 if v.is_integer() else 1) if math.isfinite(v) else None


def _yes_no(value: Any) -> str | None:
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    return tr("webmap.yes") if bool(value) else tr("webmap.no")


# --- Building the page ---------------------------------------------------------------------------------
def _asset(path: Path) -> str:
    try:
        return path.read_text("utf-8")
    except OSError as exc:  # a broken installation, not bad input
        raise ProjectError(tr("webmap.asset_missing", file=str(path))) from exc


def _leaflet_assets() -> tuple[str, str]:
    """(css, js) of Leaflet and Leaflet.markercluster from the installed xstatic packages."""
    try:
        import xstatic.pkg.leaflet as xleaflet
        import xstatic.pkg.leaflet_markercluster as xcluster
    except ImportError as exc:  # a broken installation: say which package is missing
        raise ProjectError(tr("webmap.asset_missing", file=exc.name or "xstatic-leaflet")) from exc

    ldir = Path(xleaflet.BASE_DIR)
    cdir = Path(xcluster.BASE_DIR)
    css = _asset(ldir / "leaflet.css")

    def data_uri(match: re.Match) -> str:
        img = ldir / "images" / match.group(1)
        if not img.exists():
            return match.group(0)
        return "url(data:image/png;base64," + base64.b64encode(img.read_bytes()).decode() + ")"

    css = re.sub(r"url\(images/([\w.-]+\.png)\)", data_uri, css)
    css += "\n" + _asset(cdir / "MarkerCluster.css")
    js = _asset(ldir / "leaflet.js") + "\n" + _asset(cdir / "leaflet.markercluster.js")
    return css, js


def _inline_script(js: str) -> str:
    return "<script>\n" + js.replace("</script", "<\\/script") + "\n</script>"


_OFFLINE_BREAKERS = (
    re.compile(r"<script\b[^>]*\bsrc\s*=", re.I),
    re.compile(r"<link\b[^>]*\bhref\s*=\s*[\"']?(https?:)?//", re.I),
    re.compile(r"@import\s+(url\()?[\"']?(https?:)?//", re.I),
)


def offline_problems(html: str) -> list[str]:
    """Every external script/stylesheet reference in ``html`` (empty when the file is offline)."""
    found = []
    for pattern in _OFFLINE_BREAKERS:
        found += [m.group(0) for m in pattern.finditer(html)]
    return found


@functools.cache
def _folium_classes():
    """Our three folium element kinds (made once: folium is imported only when exporting)."""
    import folium
    from branca.element import Element, MacroElement

    try:
        from folium.template import Template
    except ImportError:  # folium < 0.18
        from jinja2 import Template

    class _Script(MacroElement):
        """Raw JavaScript placed in the map's script, in insertion order."""

        _template = Template("{% macro script(this, kwargs) %}{{ this.js }}\n{% endmacro %}")

        def __init__(self, js: str) -> None:
            super().__init__()
            self._name = "ilp_script"
            self.js = js

    class _Raw(Element):
        """Text placed as is (never parsed as a jinja template: data may contain '{{')."""

        def __init__(self, text: str) -> None:
            super().__init__()
            self.text = text

        def render(self, **kwargs) -> str:
            return self.text

    class _JsLayer(folium.map.Layer):
        """An overlay built by our inline helpers (listed in the layer control)."""

        _template = Template("{% macro script(this, kwargs) %}"
                             "var {{ this.get_name() }} = {{ this.js }};\n{% endmacro %}")

        def __init__(self, name: str, js: str, *, show: bool = True) -> None:
            super().__init__(name=name, overlay=True, control=True, show=show)
            self._name = "ilp_layer"
            self.js = js

    return _Script, _Raw, _JsLayer


def _build_html(project, result: AnalysisResult, *, online_basemap: bool, lang: str,
                colour_by: str, messages_trusted: bool, progress, is_cancelled) -> str:
    import folium

    _Script, _Raw, _JsLayer = _folium_classes()

    desa_in = result.desa if result.desa is not None and len(result.desa) else project.desa
    if desa_in is None or not len(desa_in):
        raise InputError(tr("webmap.no_desa"))
    desa = _as_wgs84(desa_in)
    if desa.geometry.isna().all() and project.has("desa"):
        desa = _attach_geometry(desa, _as_wgs84(project.desa))
    kec = _as_wgs84(project.kecamatan) if project.has("kecamatan") else None
    kab = _as_wgs84(project.kabupaten) if project.has("kabupaten") else None
    field = colour_field(colour_by, desa)

    checkpoint(progress, is_cancelled, 0.05, tr("webmap.progress.simplify"))
    crs = utm_crs(desa)
    tol = web_tolerance([desa, kec, kab], crs)
    desa_geoms = simplify_for_web(desa.geometry, crs, tol)
    kec_geoms = simplify_for_web(kec.geometry, crs, tol) if kec is not None else None
    checkpoint(progress, is_cancelled, 0.25, None)
    kab_geoms = simplify_for_web(kab.geometry, crs, tol) if kab is not None else None

    # ---- the map ----
    bounds = _bounds([f for f in (kab, desa) if f is not None])
    m = folium.Map(location=[(bounds[1] + bounds[3]) / 2, (bounds[0] + bounds[2]) / 2],
                   zoom_start=10, tiles=None, control_scale=True, prefer_canvas=False,
                   zoom_control=False, zoom_snap=0.25, zoom_delta=0.5)
    m.default_js = []
    m.default_css = []
    root = m.get_root()
    title = project.title
    root.title = _esc(f"{title} — {tr('webmap.page_title')}")  # folium does not escape it
    css, js = _leaflet_assets()
    root.header.add_child(_Raw("<style>\n" + css + "\n" + _asset(_DATA_DIR / "webmap.css")
                                  + f"\n.folium-map {{ background: {sym.BACKGROUND_COLOUR}; }}\n"
                                  "</style>"), name="ilp_css")
    root.header.add_child(_Raw(_inline_script(js)), name="ilp_leaflet")
    root.header.add_child(_Raw(_inline_script(_asset(_DATA_DIR / "webmap.js"))),
                          name="ilp_helpers")
    root.html.add_child(_Raw(_hatch_defs()), name="ilp_hatches")
    if online_basemap:
        folium.TileLayer("OpenStreetMap", name=tr("webmap.layer.osm"), overlay=False,
                         control=True).add_to(m)

    def data(key: str, text: str) -> str:
        """Put a layer's GeoJSON in its own JSON block; return the JS expression reading it."""
        root.html.add_child(_Raw(f'<script type="application/json" id="ilp-data-{key}">'
                                    f"{text}</script>"), name=f"ilp_data_{key}")
        return f"ILP.data({_js(key)})"

    # ---- desa (shared by the coverage, desa and search layers) ----
    checkpoint(progress, is_cancelled, 0.35, tr("webmap.progress.layers"))
    values = field.compute(desa).to_numpy(dtype=float)
    colours, classes = colour_classes(field, values)
    desa_fields, desa_props = _desa_props(desa, field, values, colours)
    # marker clusters need a maximum zoom, which a map without tiles does not have
    m.add_child(_Script(f"{m.get_name()}.setMaxZoom(19); {m.get_name()}.setMinZoom(4);"))
    m.add_child(_Script("var ILP_DESA = " + data("desa", _feature_collection(desa_geoms, desa_props))
                        + ";"))
    if kec is not None:
        kec_fields, kec_props = _kecamatan_props(kec, result.kecamatan)
        m.add_child(_Script("var ILP_KEC = " + data("kecamatan", _feature_collection(
            kec_geoms, kec_props)) + ";"))

    def style(area: sym.AreaStyle, **extra) -> dict:
        s = {"color": area.stroke, "weight": round(area.stroke_width * PX_PER_PT, 2), "opacity": 1,
             "fill": area.fill is not None, "fillColor": area.fill or area.stroke,
             "fillOpacity": area.fill_opacity if area.fill else 0,
             "dashArray": " ".join(str(int(d)) for d in area.dash) or None}
        s.update(extra)
        return s

    m.add_child(_JsLayer(tr("webmap.layer.desa"), "ILP.areaLayer(ILP_DESA, " + _js({
        "style": style(sym.DESA_STYLE), "fields": desa_fields, "tooltip": True}) + ")",
        show=False))
    m.add_child(_JsLayer(tr("webmap.layer.coverage", field=field.label),
                         "ILP.areaLayer(ILP_DESA, " + _js({
                             "style": style(sym.DESA_STYLE, color="#ffffff", weight=0.6,
                                            fillOpacity=0.85),
                             "perFeature": True, "fields": desa_fields, "tooltip": True}) + ")"))

    # ---- gaps ----
    checkpoint(progress, is_cancelled, 0.5, None)
    fac = _as_wgs84(project.facilities) if project.has("facilities") else None
    names = _facility_names(fac, result)
    area_fc, point_fc, n_points, gap_kinds_present, gap_fields, unplaced = _gap_features(
        result, desa, desa_geoms, kec, kec_geoms, crs, tol, messages_trusted, names)
    sources = "{desa: ILP_DESA" + (", kecamatan: ILP_KEC}" if kec is not None else "}")
    gap_opts = _js({"kinds": _gap_kinds_js(), "fields": gap_fields})
    m.add_child(_JsLayer(tr("webmap.layer.gaps"), "ILP.gapLayer(ILP.resolve(" + data(
        "gaps", area_fc) + ", " + sources + "), " + gap_opts + ")"))
    # facility gaps (a Posyandu short of kader, an understaffed Pustu, ...) ring the facility;
    # hundreds of rings hide the area gaps, so then they wait in the layer control
    m.add_child(_JsLayer(tr("webmap.layer.gaps_facilities", n=n_points),
                         "ILP.gapLayer(" + data("gaps-facilities", point_fc) + ", " + gap_opts
                         + ")", show=n_points <= FACILITY_GAPS_SHOWN_MAX))

    # ---- boundaries ----
    if kec is not None:
        kec_style = style(sym.KECAMATAN_STYLE, fill=True, fillOpacity=0)
        m.add_child(_JsLayer(tr("webmap.layer.kecamatan"), "ILP.areaLayer(ILP_KEC, " + _js({
            "style": kec_style, "labels": True,
                                                 "fields": kec_fields}) + ")"))
    if kab is not None:
        kab_props = [{"n": _text(n)} for n in kab["name"]]
        m.add_child(_JsLayer(tr("webmap.layer.kabupaten"), "ILP.areaLayer(" + data("kabupaten", _feature_collection(
            kab_geoms, kab_props)) + ", " + _js({"style": style(sym.KABUPATEN_STYLE)}) + ")"))

    # ---- network edges ----
    checkpoint(progress, is_cancelled, 0.65, None)
    edge_links = set()
    if result.edges is not None and len(result.edges):
        edges = _as_wgs84(result.edges)
        edge_fields, edge_props = _edge_props(edges, names)
        edge_links = {p["l"] for p in edge_props if p.get("l")}
        link_styles = {k: {"color": c, "dash": " ".join(str(int(x)) for x in d) or None}
                       for k, (c, d) in sym.NETWORK_EDGE.items()}
        edge_fc = _feature_collection(
            round_coords(np.asarray(edges.geometry.values, dtype=object)), edge_props)
        # a whole district's network is a tangle at district scale: switched on when wanted
        m.add_child(_JsLayer(tr("webmap.layer.edges"), "ILP.areaLayer(" + data("edges", edge_fc)
                             + ", " + _js({"style": {"color": "#5d6d7e", "weight": 1.3,
                                                     "opacity": 0.85},
                                           "linkStyles": link_styles, "fields": edge_fields,
                                           "linkField": tr("webmap.field.link"),
                                           "linkLabels": {k: tr(f"webmap.link.{k}")
                                                          for k in sym.NETWORK_EDGE}})
                             + ")", show=len(edges) <= EDGES_SHOWN_MAX))

    # ---- facilities ----
    checkpoint(progress, is_cancelled, 0.8, None)
    fac_types_present = []
    if fac is not None:
        parents = _parents(fac, result, names)
        desa_names = dict(zip(desa["code"].astype(str), desa["name"], strict=False))
        kec_names = _kecamatan_names(desa, kec)
        fac_fields = _facility_fields()
        types = fac["type"].astype(str).str.lower()
        for ftype in ("puskesmas", "pustu", "posyandu", "_other"):
            sub = fac[types == ftype] if ftype != "_other" else fac[~types.isin(
                ["puskesmas", "pustu", "posyandu"])]
            sub = sub[sub.geometry.notna() & ~sub.geometry.is_empty]
            if not len(sub):
                continue
            fac_types_present.append(ftype)
            pstyle = sym.FACILITY_STYLES.get(ftype, sym.PROBLEM_FACILITY_STYLE)
            props = _facility_props(sub, parents, desa_names, kec_names, ftype)
            geoms = round_coords(np.asarray(sub.geometry.values, dtype=object))
            cluster = len(sub) >= CLUSTER_MIN.get(ftype, 10**9)
            name = (tr("webmap.layer.facility", type=tr(f"facility.{ftype}"), n=len(sub))
                    if ftype != "_other" else tr("webmap.layer.fac_other", n=len(sub)))
            m.add_child(_JsLayer(name, "ILP.facilityLayer(" + data(
                f"facilities-{ftype.strip('_')}", _feature_collection(geoms, props)) + ", " + _js({"style": _point_style(pstyle),
                                               "precursor": _point_style(sym.PRECURSOR_STYLE),
                                               "cluster": cluster, "fields": fac_fields,
                                               "sub": tr(f"facility.{ftype}")
                                               if ftype in sym.FACILITY_STYLES else None,
                                               "z": _Z_OFFSET.get(ftype, 0)}) + ")"))

    # ---- controls: layers, legend, search, view ----
    checkpoint(progress, is_cancelled, 0.9, tr("webmap.progress.render"))
    folium.LayerControl(collapsed=False, position="topright").add_to(m)
    legend = _legend_html(field, classes, values, fac_types_present,
                          bool(fac is not None and fac.get("precursor") is not None
                               and fac["precursor"].fillna(False).astype(bool).any()),
                          edge_links, gap_kinds_present, kec is not None, kab is not None,
                          unplaced)
    highlight = {"color": sym.HIGHLIGHT_COLOUR, "weight": 4, "fill": False}
    m.add_child(_Script(f"ILP.addHeader({m.get_name()}, {_js(_header_html(project, field))});\n"
                        f"ILP.labelsFromZoom({m.get_name()}, {KECAMATAN_LABEL_ZOOM});\n"
                        f"L.control.zoom({{position: 'topleft'}}).addTo({m.get_name()});\n"
                        f"ILP.addLegend({m.get_name()}, {_js(legend)});\n"
                        f"ILP.addSearch({m.get_name()}, ILP_DESA, " + _js({
                            "fields": desa_fields, "highlight": highlight,
                            "t": {"placeholder": tr("webmap.search.placeholder"),
                                  "none": tr("webmap.search.none"),
                                  "many": tr("webmap.search.many")}}) + ");"))
    m.fit_bounds([[bounds[1], bounds[0]], [bounds[3], bounds[2]]], padding=(10, 10))
    html = root.render()
    html = html.replace("<html>", f'<html lang="{lang}">', 1)
    problems = offline_problems(html)
    if problems:  # a programming error: never ship a map that needs the network
        raise RuntimeError("web map is not self-contained: " + "; ".join(problems[:3]))
    return html


def _as_wgs84(frame):
    if frame is None:
        return None
    if not isinstance(frame, gpd.GeoDataFrame):
        if "geometry" in getattr(frame, "columns", []):
            frame = gpd.GeoDataFrame(frame, geometry="geometry", crs=model.WGS84)
        else:
            return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries([None] * len(frame),
                                                                  index=frame.index),
                                    crs=model.WGS84)
    if frame.crs is None:
        return frame.set_crs(model.WGS84)
    return frame.to_crs(model.WGS84)


def _attach_geometry(values: gpd.GeoDataFrame, shapes: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    geom = dict(zip(shapes["code"].astype(str), shapes.geometry, strict=False))
    out = values.copy()
    out["geometry"] = [geom.get(str(c)) for c in out["code"]]
    return gpd.GeoDataFrame(out, geometry="geometry", crs=model.WGS84)


def _bounds(frames) -> tuple[float, float, float, float]:
    b = np.array([f.total_bounds for f in frames if len(f)])
    b = b[np.all(np.isfinite(b), axis=1)] if len(b) else b
    if not len(b):
        raise InputError(tr("webmap.no_desa"))
    return float(b[:, 0].min()), float(b[:, 1].min()), float(b[:, 2].max()), float(b[:, 3].max())


def _point_style(p: sym.PointStyle) -> dict:
    # print size is in points; on screen a slightly larger pixel size reads better
    return {"fill": p.fill, "stroke": p.stroke, "shape": p.shape,
            "size": int(round(max(10.0, p.size * 1.6)))}


# --- Layer contents --------------------------------------------------------------------------------
def _desa_props(desa: gpd.GeoDataFrame, field: ColourField, values: np.ndarray,
                colours: list[str]) -> tuple[list[str], list[dict]]:
    fields = [tr("area.kecamatan"), tr("webmap.field.code"), tr("webmap.field.population"),
              tr("facility.puskesmas"), tr("facility.pustu"), tr("webmap.field.precursors"),
              tr("webmap.field.posyandu_vs_needed"), tr("webmap.field.dist_pustu"),
              tr("webmap.field.travel_pustu"), field.label, tr("webmap.field.priority_rank"),
              tr("webmap.field.gaps")]
    cols = {c: (desa[c].tolist() if c in desa.columns else [None] * len(desa)) for c in (
        "code", "name", "kind", "kecamatan_name", "population", "n_puskesmas", "n_pustu",
        "n_pustu_precursor", "n_posyandu", "posyandu_needed", "dist_pustu_km",
        "travel_pustu_min", "priority_rank", "gap_kinds")}
    props = []
    for i in range(len(desa)):
        kind = _text(cols["kind"][i])
        sub = tr(f"webmap.kind.{kind}") if kind in ("desa", "kelurahan") else tr("area.desa")
        posy = _count(cols["n_posyandu"][i])
        need = _count(cols["posyandu_needed"][i])
        gaps = [k for k in str(cols["gap_kinds"][i] or "").split(";") if k]
        rank = _count(cols["priority_rank"][i])
        props.append({
            "c": _text(cols["code"][i]), "n": _text(cols["name"][i]) or "–",
            "k": _text(cols["kecamatan_name"][i]), "s": sub, "col": colours[i],
            "p": [_text(cols["kecamatan_name"][i]), _text(cols["code"][i]),
                  _count(cols["population"][i]), _count(cols["n_puskesmas"][i]),
                  _count(cols["n_pustu"][i]),
                  _count(cols["n_pustu_precursor"][i]) if _num_or_zero(
                      cols["n_pustu_precursor"][i]) else None,
                  (f"{posy or '–'} / {need}" if need is not None else posy),
                  _format_value(cols["dist_pustu_km"][i], "km")
                  if _finite(cols["dist_pustu_km"][i]) else None,
                  _format_value(cols["travel_pustu_min"][i], "min")
                  if _finite(cols["travel_pustu_min"][i]) else None,
                  field.format(values[i]), rank,
                  ", ".join(tr(f"gap.{k}") for k in gaps) if gaps else tr("webmap.no_gaps")],
        })
    return fields, props


def _finite(v: Any) -> bool:
    try:
        return math.isfinite(float(v))
    except (TypeError, ValueError):
        return False


def _num_or_zero(v: Any) -> float:
    return float(v) if _finite(v) else 0.0


def _kecamatan_props(kec: gpd.GeoDataFrame, roll: pd.DataFrame | None):
    fields = [tr("webmap.field.code"), tr("webmap.field.desa_total"),
              tr("webmap.field.desa_without_pustu"), tr("facility.puskesmas"),
              tr("facility.pustu"), tr("webmap.field.posyandu_vs_needed"),
              tr("webmap.field.population"), tr("webmap.field.gaps_count")]
    rows: dict[str, dict] = {}
    if roll is not None and len(roll) and "code" in roll.columns:
        rows = {str(r["code"]): r for r in roll.to_dict("records")}
    props = []
    for code, name in zip(kec["code"], kec["name"], strict=False):
        r = rows.get(str(code), {})
        posy, need = _count(r.get("posyandu")), _count(r.get("posyandu_needed"))
        props.append({"c": _text(code), "n": _text(name) or "–", "s": tr("area.kecamatan"),
                      "p": [_text(code), _count(r.get("desa_total")),
                            _count(r.get("desa_without_pustu")), _count(r.get("n_puskesmas")),
                            _count(r.get("n_pustu")),
                            f"{posy or '–'} / {need}" if need is not None else posy,
                            _count(r.get("population")), _count(r.get("gap_count"))]})
    return fields, props


def _kecamatan_names(desa: gpd.GeoDataFrame, kec: gpd.GeoDataFrame | None) -> dict[str, str]:
    names: dict[str, str] = {}
    if "kecamatan_code" in desa.columns and "kecamatan_name" in desa.columns:
        names.update({str(c): n for c, n in zip(desa["kecamatan_code"], desa["kecamatan_name"], strict=False)
                      if _text(n)})
    if kec is not None:
        names.update({str(c): n for c, n in zip(kec["code"], kec["name"], strict=False) if _text(n)})
    return names


def _facility_names(fac: gpd.GeoDataFrame | None, result: AnalysisResult) -> dict[str, str]:
    names: dict[str, str] = {}
    graph = getattr(result, "graph", None)
    if graph is not None:
        names.update({str(n): str(d.get("name")) for n, d in graph.nodes(data=True)
                      if d.get("name")})
    if fac is not None:
        names.update({str(i): str(n) for i, n in zip(fac["fac_id"], fac["name"], strict=False) if _text(n)})
    return names


def _parents(fac: gpd.GeoDataFrame, result: AnalysisResult, names: dict[str, str]):
    """fac_id → (parent name, link kind or None)."""
    out: dict[str, tuple[str, str | None]] = {}
    for fid, pid, pname in zip(fac["fac_id"], fac.get("parent_id", [None] * len(fac)),
                               fac.get("parent_name", [None] * len(fac)), strict=False):
        name = names.get(str(pid)) if _text(pid) else None
        name = name or _text(pname)
        if name:
            out[str(fid)] = (name, None)
    edges = result.edges
    if edges is not None and len(edges) and {"parent_id", "child_id"} <= set(edges.columns):
        links = edges["link"] if "link" in edges.columns else [None] * len(edges)
        for pid, cid, link in zip(edges["parent_id"], edges["child_id"], links, strict=False):
            out[str(cid)] = (names.get(str(pid), str(pid)), _text(link))
    return out


def _facility_fields() -> list[str]:
    return [tr("area.desa"), tr("area.kecamatan"), tr("webmap.field.parent"),
            tr("webmap.field.nakes"), tr("webmap.field.nurses"), tr("webmap.field.midwives"),
            tr("webmap.field.kader"), tr("webmap.field.level"), tr("webmap.field.sessions"),
            tr("webmap.field.ilp_lokus"), tr("webmap.field.coe"), tr("webmap.field.fac_code")]


def _facility_props(sub: gpd.GeoDataFrame, parents, desa_names, kec_names,
                    ftype_of_layer: str) -> list[dict]:
    def col(name: str) -> list:
        return sub[name].tolist() if name in sub.columns else [None] * len(sub)

    c = {n: col(n) for n in ("fac_id", "name", "type", "type_original", "precursor", "desa_code",
                             "kecamatan_code", "nakes", "nurses", "midwives", "kader", "level",
                             "sessions_per_year", "ilp_lokus", "coe", "code")}
    props = []
    type_label = tr(f"facility.{ftype_of_layer}") if ftype_of_layer in sym.FACILITY_STYLES else None
    for i in range(len(sub)):
        ftype = str(c["type"][i] or "").lower()
        pre = bool(c["precursor"][i]) if _text(c["precursor"][i]) is not None else False
        if ftype in ("puskesmas", "pustu", "posyandu"):
            sub_label = tr(f"facility.{ftype}")
        else:
            sub_label = tr("webmap.fac_unknown_type", type=_text(c["type"][i]) or "–")
        if pre:
            sub_label = tr("webmap.fac_precursor", original=_text(c["type_original"][i])
                           or tr("symbology.precursor"))
        parent = parents.get(str(c["fac_id"][i]))
        parent_text = None
        if parent:
            parent_text = parent[0]
            if parent[1] == "inferred":
                parent_text += " " + tr("webmap.parent_inferred")
            elif parent[1] == "direct_to_puskesmas":
                parent_text += " " + tr("webmap.parent_direct")
        level = _text(c["level"][i])
        if level and level.lower() in {lv.value for lv in model.PosyanduLevel}:
            level = tr(f"posyandu_level.{level.lower()}")
        props.append({
            "n": _text(c["name"][i]) or _text(c["fac_id"][i]) or "–",
            **({"s": sub_label} if sub_label != type_label else {}),
            **({"pre": True} if pre else {}),
            "p": [desa_names.get(str(c["desa_code"][i])) or _text(c["desa_code"][i]),
                  kec_names.get(str(c["kecamatan_code"][i])) or _text(c["kecamatan_code"][i]),
                  parent_text, _count(c["nakes"][i]), _count(c["nurses"][i]),
                  _count(c["midwives"][i]), _count(c["kader"][i]), level,
                  _count(c["sessions_per_year"][i]),
                  _yes_no(c["ilp_lokus"][i]) if ftype == "puskesmas" else None,
                  _yes_no(c["coe"][i]) if ftype in ("puskesmas", "pustu") else None,
                  _text(c["code"][i])],
        })
    return props


def _edge_props(edges: gpd.GeoDataFrame, names: dict[str, str]) -> tuple[list[str], list[dict]]:
    fields = [tr("webmap.field.distance"), tr("webmap.field.travel")]

    def col(name: str) -> list:
        return edges[name].tolist() if name in edges.columns else [None] * len(edges)

    pid, cid, link = col("parent_id"), col("child_id"), col("link")
    dist, travel = col("distance_m"), col("travel_min")
    props = []
    for i in range(len(edges)):
        lk = _text(link[i])
        props.append({
            "l": lk, "n": f"{names.get(str(pid[i]), _text(pid[i]) or '–')} → "
                          f"{names.get(str(cid[i]), _text(cid[i]) or '–')}",
            "p": [_format_value(float(dist[i]) / 1000.0, "km") if _finite(dist[i]) else None,
                  _format_value(travel[i], "min") if _finite(travel[i]) else None],
        })
    return fields, props


def _gap_kinds_js() -> dict:
    out = {}
    for kind in sym.GAP_KINDS:
        st = sym.GAP_STYLES[kind]
        out[kind] = {"label": tr(f"gap.{kind}"), "explain": tr(f"webmap.explain.{kind}"),
                     "fill": st.fill, "stroke": st.stroke, "weight": max(1.2, st.stroke_width * 1.5),
                     "dash": " ".join(str(int(d)) for d in st.dash) or None}
    return out


def _gap_value_text(row: dict) -> str | None:
    """"value 3 kader, threshold 5 kader" in the map's language (units re-translated)."""
    value, threshold = row.get("value"), row.get("threshold")
    if not _finite(value):
        return None
    key = _unit_key(_text(row.get("unit")) or "")
    if key == "analysis.unit.share":  # shares read as percentages
        v = format_percent(float(value), 0)
        t = format_percent(float(threshold), 0) if _finite(threshold) else None
        unit = ""
    else:
        unit = tr(key) if key else (_text(row.get("unit")) or "")
        v = format_number(float(value), 0 if float(value).is_integer() else 1)
        t = (format_number(float(threshold), 0 if float(threshold).is_integer() else 1)
             if _finite(threshold) else None)
    if t is not None:
        text = tr("webmap.gap.value_threshold", value=v, threshold=t, unit=unit)
    else:
        text = tr("webmap.gap.value", value=v, unit=unit)
    return " ".join(text.split())


def _unit_key(unit: str) -> str | None:
    """The i18n key of a unit written by the analysis (in either language; plain keys too)."""
    if not unit:
        return None
    _analysis_messages()
    low = unit.strip().lower()
    for key in _UNIT_KEYS:
        if low in (tr(key, lang="id").lower(), tr(key, lang="en").lower(),
                   key.rsplit(".", 1)[1]):
            return key
    return None


def _gap_features(result: AnalysisResult, desa, desa_geoms, kec, kec_geoms, crs, tol,
                  messages_trusted: bool, names: dict[str, str]):
    """Gaps grouped per place (desa, kecamatan or facility), most severe first.

    Returns the area gaps' and the facility gaps' FeatureCollections (JSON text), the number of
    facility features, the gap kinds present (in severity order) and the popup field labels.
    """
    fields = [tr("area.kecamatan"), tr("webmap.field.priority_rank"),
              tr("webmap.field.priority_score"), tr("webmap.field.gaps_count")]
    gaps = result.gaps
    if gaps is None or not len(gaps):
        empty = '{"type":"FeatureCollection","features":[]}'
        return empty, empty, 0, [], fields, 0
    gaps = _as_wgs84(gaps)
    desa_idx = {str(c): i for i, c in enumerate(desa["code"])}
    kec_idx = {str(c): i for i, c in enumerate(kec["code"])} if kec is not None else {}
    desa_rank = dict(zip(desa["code"].astype(str), desa.get("priority_rank", [None] * len(desa)), strict=False))
    desa_score = dict(zip(desa["code"].astype(str),
                          desa.get("priority_score", [None] * len(desa)), strict=False))
    groups: dict[tuple, dict] = {}
    records = gaps.drop(columns=gaps.geometry.name).to_dict("records")
    geoms = gaps.geometry.values
    for row, geom in zip(records, geoms, strict=False):
        kind = _text(row.get("kind")) or "network_problem"
        gtype = geom.geom_type if geom is not None and not geom.is_empty else None
        dcode, kcode, fid = (_text(row.get("desa_code")), _text(row.get("kecamatan_code")),
                             _text(row.get("fac_id")))
        if gtype == "Point" or (gtype is None and fid):
            key = ("3fac", fid or _text(row.get("gap_id")))
            name = names.get(str(fid)) or _text(row.get("fac_name")) or fid
        elif dcode in desa_idx and kind != "no_puskesmas":
            key = ("2desa", dcode)
            name = _text(row.get("desa_name"))
        elif kcode in kec_idx:
            key = ("1kec", kcode)
            name = _text(row.get("kecamatan_name"))
        else:
            key = ("2own", _text(row.get("gap_id")) or str(len(groups)))
            name = _text(row.get("desa_name")) or _text(row.get("kecamatan_name"))
        g = groups.setdefault(key, {"rows": [], "geom": geom, "name": name,
                                    "kec": _text(row.get("kecamatan_name"))})
        g["rows"].append(row)
        g["name"] = g["name"] or name
    props, out_geoms, present = [], [], set()
    pprops, pgeoms = [], []
    unplaced = 0
    for key in sorted(groups, key=lambda k: (k[0], str(k[1]))):
        g = groups[key]
        rows = sorted(g["rows"], key=lambda r: (sym.GAP_SEVERITY.get(str(r.get("kind")), 99),
                                                _num_or_inf(r.get("priority_rank"))))
        kinds_seen = []
        entries = []
        for r in rows:
            kind = _text(r.get("kind")) or "network_problem"
            if kind not in sym.GAP_STYLES:
                kind = "network_problem"
            present.add(kind)
            detail = (_text(r.get("message")) if messages_trusted else None) \
                or _gap_value_text(r)
            entries.append([kind, detail])
            kinds_seen.append(kind)
        ref = None
        if key[0] == "2desa":  # drawn with the desa layer's own geometry (no second copy)
            geom = desa_geoms[desa_idx[key[1]]]
            ref = ["desa", key[1]]
            rank, score = desa_rank.get(key[1]), desa_score.get(key[1])
            sub = tr("area.desa")
        elif key[0] == "1kec":
            geom = kec_geoms[kec_idx[key[1]]]
            ref = ["kecamatan", key[1]]
            rank, score = _min_rank(rows)
            sub = tr("area.kecamatan")
        else:
            geom = g["geom"]
            if geom is not None and geom.geom_type != "Point":
                geom = simplify_for_web(gpd.GeoSeries([geom], crs=model.WGS84), crs, tol,
                                        coverage=False)[0]
            elif geom is not None:
                geom = round_coords(np.array([geom], dtype=object))[0]
            rank, score = _min_rank(rows)
            sub = tr("webmap.gap_facility") if key[0] == "3fac" else tr("webmap.layer.gaps")
        if geom is None:  # nowhere to draw it (no geometry): said in the legend, not hidden
            unplaced += len(rows)
            continue
        if not _finite(rank):
            rank, score = _min_rank(rows)
        prop = {"n": g["name"] or "–", "s": sub, "g": entries,
                "p": [g["kec"] if key[0] != "1kec" else None,
                      _count(rank), _format_value(score, "score") if _finite(score)
                      else None, _count(len(entries))]}
        if ref is not None:
            prop["r"] = ref
            geom = None
        if geom is not None and geom.geom_type == "Point":
            pgeoms.append(geom)
            pprops.append(prop)
        else:
            out_geoms.append(geom)
            props.append(prop)
    ordered = [k for k in sym.GAP_KINDS if k in present]
    return (_feature_collection(out_geoms, props), _feature_collection(pgeoms, pprops),
            len(pprops), ordered, fields, unplaced)


def _num_or_inf(v: Any) -> float:
    return float(v) if _finite(v) else math.inf


def _min_rank(rows: list[dict]) -> tuple[Any, Any]:
    best = min(rows, key=lambda r: _num_or_inf(r.get("priority_rank")))
    return best.get("priority_rank"), best.get("priority_score")


# --- Page furniture ----------------------------------------------------------------------------------
def _esc(s: Any) -> str:
    import html

    return html.escape(str(s), quote=True)


def _header_html(project, field: ColourField) -> str:
    sub = tr("webmap.subtitle", field=field.label, date=format_date(dt.date.today()))
    banner = ""
    if project.fictional:
        banner = ('<div class="ilp-fictional">'
                  f"{_esc(tr('app.fictional', lang='id'))} / {_esc(tr('app.fictional', lang='en'))}"
                  "</div>")
    return (f'<div class="ilp-title">{_esc(project.title)}</div>'
            f'<div class="ilp-subtitle">{_esc(sub)}</div>{banner}')


_HATCH_PATHS = {
    "diagonal": "M-2,2 l4,-4 M0,10 l10,-10 M8,12 l4,-4",
    "backdiagonal": "M-2,8 l4,4 M0,0 l10,10 M8,-2 l4,4",
    "cross": "M-2,2 l4,-4 M0,10 l10,-10 M8,12 l4,-4 M-2,8 l4,4 M0,0 l10,10 M8,-2 l4,4",
    "horizontal": "M0,5 H10",
    "vertical": "M5,0 V10",
}


def _hatch_defs() -> str:
    """SVG patterns for the gap hatches (the same cues as the printed maps)."""
    pats = []
    for kind, st in sym.GAP_STYLES.items():
        body = f'<rect width="10" height="10" fill="{st.fill}" fill-opacity="0.22"/>'
        if st.hatch in _HATCH_PATHS:
            body += (f'<path d="{_HATCH_PATHS[st.hatch]}" stroke="{st.stroke}" stroke-width="1.6" '
                     'stroke-opacity="0.9"/>')
        elif st.hatch == "dots":
            body += f'<circle cx="5" cy="5" r="1.8" fill="{st.stroke}" fill-opacity="0.9"/>'
        else:
            body = f'<rect width="10" height="10" fill="{st.fill}" fill-opacity="{st.fill_opacity}"/>'
        pats.append(f'<pattern id="ilp-hatch-{kind}" patternUnits="userSpaceOnUse" width="10" '
                    f'height="10">{body}</pattern>')
    return ('<svg aria-hidden="true" style="position:absolute;width:0;height:0;overflow:hidden">'
            "<defs>" + "".join(pats) + "</defs></svg>")


def _legend_html(field: ColourField, classes, values, fac_types, has_precursor: bool,
                 edge_links, gap_kinds, has_kec: bool, has_kab: bool, unplaced: int = 0) -> str:
    def row(svg: str, label: str) -> str:
        return f'<div class="row">{svg}<span>{_esc(label)}</span></div>'

    def patch(fill: str, stroke: str = "#777", pattern: str | None = None) -> str:
        f = f"url(#{pattern})" if pattern else fill
        return (f'<svg width="18" height="13"><rect x="0.5" y="0.5" width="17" height="12" '
                f'fill="{f}" stroke="{stroke}"/></svg>')

    def line(colour: str, dash: tuple, width: float = 2) -> str:
        d = f' stroke-dasharray="{" ".join(str(int(x)) for x in dash)}"' if dash else ""
        return (f'<svg width="18" height="13"><line x1="0" y1="6.5" x2="18" y2="6.5" '
                f'stroke="{colour}" stroke-width="{width}"{d}/></svg>')

    h = [f"<details open><summary>{_esc(tr('webmap.legend'))}</summary>",
         f"<h4>{_esc(field.label)}</h4>"]
    for colour, label in classes:
        h.append(row(patch(colour, "#ffffff"), label))
    finite = np.asarray(values, dtype=float)
    finite = finite[np.isfinite(finite)]
    if len(finite) < len(values):
        h.append(row(patch(sym.NO_DATA_COLOUR, "#ffffff"), tr("common.missing")))
    if fac_types:
        h.append(f"<h4>{_esc(tr('webmap.legend.facilities'))}</h4>")
        for ftype in fac_types:
            st = sym.FACILITY_STYLES.get(ftype, sym.PROBLEM_FACILITY_STYLE)
            label = tr(f"facility.{ftype}") if ftype in sym.FACILITY_STYLES \
                else tr("webmap.legend.fac_other")
            h.append(row(_shape_svg(st), label))
            if ftype == "pustu" and has_precursor:
                h.append(row(_shape_svg(sym.PRECURSOR_STYLE), sym.PRECURSOR_STYLE.label))
    if edge_links:
        h.append(f"<h4>{_esc(tr('webmap.layer.edges'))}</h4>")
        for link in sym.NETWORK_EDGE:
            if link in edge_links:
                colour, dash = sym.NETWORK_EDGE[link]
                h.append(row(line(colour, dash), tr(f"webmap.link.{link}")))
    if gap_kinds:
        h.append(f"<h4>{_esc(tr('webmap.layer.gaps'))}</h4>")
        for kind in gap_kinds:
            st = sym.GAP_STYLES[kind]
            h.append(row(patch(st.fill, st.stroke, f"ilp-hatch-{kind}"), tr(f"gap.{kind}")))
    if unplaced:
        h.append(f'<div class="note">{_esc(tr("webmap.legend.unplaced", n=unplaced))}</div>')
    if has_kec or has_kab:
        h.append(f"<h4>{_esc(tr('webmap.legend.boundaries'))}</h4>")
        if has_kab:
            h.append(row(line(sym.KABUPATEN_STYLE.stroke, (), 2.5), tr("area.kabupaten")))
        if has_kec:
            h.append(row(line(sym.KECAMATAN_STYLE.stroke, sym.KECAMATAN_STYLE.dash, 1.5),
                         tr("area.kecamatan")))
    h.append(f'<div class="note">{_esc(tr("webmap.legend.note"))}</div></details>')
    return "".join(h)


def _shape_svg(st: sym.PointStyle) -> str:
    p = _point_style(st)
    s, a = p["size"], f'fill="{st.fill}" stroke="{st.stroke if st.stroke != "#ffffff" else "#555"}"'
    h = s / 2
    if st.shape == "square":
        body = f'<rect x="1" y="1" width="{s - 2}" height="{s - 2}" {a}/>'
    elif st.shape == "triangle":
        body = f'<polygon points="{h},1 {s - 1},{s - 1} 1,{s - 1}" {a}/>'
    elif st.shape == "diamond":
        body = f'<polygon points="{h},1 {s - 1},{h} {h},{s - 1} 1,{h}" {a}/>'
    elif st.shape == "cross":
        body = f'<path d="M{h} 1V{s - 1}M1 {h}H{s - 1}" stroke="{st.fill}" stroke-width="3"/>'
    else:
        body = f'<circle cx="{h}" cy="{h}" r="{h - 1}" {a}/>'
    return f'<svg width="{s}" height="{s}" viewBox="0 0 {s} {s}">{body}</svg>'


register_catalog("reports", "webmap")
