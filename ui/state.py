"""Plain-Python application state observed by the desktop views: the open project, the latest
analysis result, the selection, layer settings and the thematic colouring, with ``psygnal``
signals; facility edits return new frames, so undo is a frame swap.  Imports ``ilp_gis``
(and ``layers`` where used), never Qt."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from psygnal import Signal

from ilp_gis import model
from ilp_gis.i18n import register_catalog, tr
from ilp_gis.project import Project
from ilp_gis.results import AnalysisResult

# The column that identifies a feature on each layer the views can select on.
KEY_COLUMNS = {
    "facilities": "fac_id",
    "desa": "code",
    "kecamatan": "code",
    "kabupaten": "code",
    "gaps": "gap_id",
    "import_report": None,
}

# Map layers, top first (the order the layers panel shows; drawing goes bottom-up).
MAP_LAYERS = ("facilities", "network", "coe", "kabupaten", "kecamatan", "roads", "gaps", "desa")

# Coverage figures where more is worse (burden ramp instead of the coverage ramp).
_BURDEN_PREFIXES = ("dist_", "travel_", "priority_", "gap_count", "posyandu_deficit",
                    "posyandu_needed", "aki", "akb", "stunting")


@dataclass
class LayerSetting:
    name: str
    visible: bool = True
    opacity: float = 1.0

    @property
    def label(self) -> str:
        return tr(f"ui.layer.{self.name}")


@dataclass
class Thematic:
    field: str | None = None  # a numeric column of result.desa; None = plain desa fill
    method: str = "quantile"  # "quantile" | "natural"
    classes: int = 5


@dataclass
class ThematicLegend:
    field: str
    colours: dict[str, str]  # desa key -> colour
    breaks: list[float]
    palette: list[str]
    labels: list[str] = field(default_factory=list)


def key_of(frame, layer: str) -> list[str]:
    """String keys of every row: the key column, or ``#<position>`` where it is missing."""
    col = KEY_COLUMNS.get(layer)
    n = len(frame)
    if col is None or col not in frame.columns:
        return [f"#{i}" for i in range(n)]
    vals = frame[col].tolist()
    return [str(v) if v is not None and not (isinstance(v, float) and math.isnan(v))
            else f"#{i}" for i, v in enumerate(vals)]


def higher_is_better(column: str) -> bool:
    return not column.startswith(_BURDEN_PREFIXES)


def field_label(column: str) -> str:
    key = f"ui.field.{column}"
    from ilp_gis.i18n import has

    return tr(key) if has(key) else column


class AppState:
    """Everything the views show.  Signals carry names and keys, never widgets."""

    project_replaced = Signal()
    layer_changed = Signal(str)
    result_changed = Signal()
    selection_changed = Signal(str, tuple)  # layer, keys
    zoom_requested = Signal(str, tuple)  # layer, keys
    highlight_changed = Signal(str, tuple)
    layers_changed = Signal()  # visibility / order / opacity / thematic
    plan_changed = Signal()  # the planning overlay (chosen sites, scenario changes)
    dirty_changed = Signal(bool)

    def __init__(self, project: Project | None = None, *,
                 analyze_fn: Callable[..., AnalysisResult] | None = None,
                 load_result_fn: Callable[[Project], AnalysisResult | None] | None = None) -> None:
        self.project: Project = project or Project()
        self.result: AnalysisResult | None = None
        self.revision = 0  # bumped by every edit; an analysis of an older revision is stale
        self.result_revision = -1
        self.selection: tuple[str, tuple[str, ...]] = ("", ())
        self.highlight: tuple[str, tuple[str, ...]] = ("", ())
        self.layer_settings: list[LayerSetting] = [LayerSetting(n) for n in MAP_LAYERS]
        self.thematic = Thematic()
        self.pws_theme = None  # ui.pws_theme.PwsTheme: the desa coloured by a PWS class
        self._pws_indicators = None
        self.plan_sites = None  # GeoDataFrame (EPSG:4326) with ``action`` per site, or None
        self.plan_changes = None  # DataFrame (code, gaps_closed, gaps_new) per desa, or None
        self.plan_title = ""
        self._analyze_fn = analyze_fn
        self._load_result_fn = load_result_fn
        self._new_ids = 0
        self.project.changed.connect(self._on_project_change)

    # -- analysis ----------------------------------------------------------------------------------
    @property
    def analyze_fn(self):
        """The analysis the window runs: by default incremental (``ilp_gis.incremental``): after
        a facility edit only what the edit reaches is re-measured, the figures equal a full run."""
        if self._analyze_fn is None:
            from ilp_gis.incremental import IncrementalAnalysis

            self._analyze_fn = IncrementalAnalysis().analyze
        return self._analyze_fn

    def analysis_job(self) -> Callable[..., tuple[int, AnalysisResult]]:
        """A plain function ``job(progress=None, is_cancelled=None)`` analysing a snapshot of the
        current project; it returns ``(revision, result)`` so a stale result can be dropped."""
        fn = self.analyze_fn
        snapshot = self.snapshot()
        revision = self.revision

        def job(progress=None, is_cancelled=None):
            return revision, fn(snapshot, progress=progress, is_cancelled=is_cancelled)

        return job

    def stored_result(self, project: Project | None = None) -> AnalysisResult | None:
        """The result stored in the project file (or in ``project``: a snapshot a worker reads
        it from), when the analysis can read it back."""
        fn = self._load_result_fn
        if fn is None:
            from ilp_gis.analysis import load_result as fn
        try:
            return fn(self.project if project is None else project)
        except Exception:  # a stale or foreign result table: analyse afresh instead
            return None

    def set_result(self, result: AnalysisResult | None, revision: int | None = None) -> bool:
        """Show ``result``; returns False (and ignores it) when it belongs to an older revision."""
        if revision is not None and revision != self.revision:
            return False
        self.result = result
        self.result_revision = self.revision if revision is None else revision
        self.result_changed.emit()
        return True

    @property
    def result_is_current(self) -> bool:
        return self.result is not None and self.result_revision == self.revision

    def snapshot(self) -> Project:
        """A cheap copy sharing the (never edited in place) frames, safe to hand to a worker."""
        return self.project.snapshot()

    # -- project -----------------------------------------------------------------------------------
    def set_project(self, project: Project, result: AnalysisResult | None = None) -> None:
        try:
            self.project.changed.disconnect(self._on_project_change)
        except (TypeError, ValueError, RuntimeError):
            pass
        self.project = project
        self.project.changed.connect(self._on_project_change)
        reset = getattr(getattr(self._analyze_fn, "__self__", None), "reset", None)
        if callable(reset):  # another project: the kept stages of the last one are let go
            reset()
        self.revision += 1
        self.result = result
        self.result_revision = self.revision if result is not None else -1
        self.selection = ("", ())
        self.highlight = ("", ())
        self.thematic = Thematic()
        self.pws_theme = None
        self.plan_sites = self.plan_changes = None
        self.plan_title = ""
        self.project_replaced.emit()
        self.plan_changed.emit()
        self.result_changed.emit()
        self.selection_changed.emit("", ())
        self.dirty_changed.emit(project.dirty)

    def _on_project_change(self, name: str) -> None:
        self.layer_changed.emit(name)
        if name in ("pws_values", "desa") and self.pws_theme is not None:
            self.layers_changed.emit()  # the PWS colouring reads them: redraw it
        self.dirty_changed.emit(self.project.dirty)

    def mark_saved(self) -> None:
        self.project.dirty = False
        self.dirty_changed.emit(False)

    # -- planning overlay ------------------------------------------------------------------------
    def set_plan(self, sites=None, changes=None, title: str = "") -> None:
        """Show chosen ``sites`` (with ``action``: new_pustu, upgrade_pustu, new_posyandu, ...)
        and a scenario's per-desa ``changes`` (``code``, ``gaps_closed``, ``gaps_new``) on the
        map; both None clears the overlay."""
        self.plan_sites = sites if sites is not None and len(sites) else None
        self.plan_changes = changes if changes is not None and len(changes) else None
        self.plan_title = title
        self.plan_changed.emit()

    # -- selection ---------------------------------------------------------------------------------
    def select(self, layer: str, keys: Iterable[str]) -> None:
        keys = tuple(dict.fromkeys(str(k) for k in keys))
        if (layer, keys) == self.selection:
            return
        self.selection = (layer, keys) if keys else ("", ())
        self.selection_changed.emit(*self.selection)

    def clear_selection(self) -> None:
        self.select("", ())

    def request_zoom(self, layer: str, keys: Iterable[str]) -> None:
        self.zoom_requested.emit(layer, tuple(str(k) for k in keys))

    def set_highlight(self, layer: str, keys: Iterable[str]) -> None:
        self.highlight = (layer, tuple(str(k) for k in keys))
        self.highlight_changed.emit(*self.highlight)

    # -- layer settings ----------------------------------------------------------------------------
    def setting(self, name: str) -> LayerSetting:
        for s in self.layer_settings:
            if s.name == name:
                return s
        raise KeyError(name)

    def set_visible(self, name: str, visible: bool) -> None:
        s = self.setting(name)
        if s.visible != bool(visible):
            s.visible = bool(visible)
            self.layers_changed.emit()

    def set_opacity(self, name: str, opacity: float) -> None:
        if not 0.0 <= opacity <= 1.0:
            raise ValueError(f"opacity must be within 0..1, got {opacity!r}")
        s = self.setting(name)
        if s.opacity != opacity:
            s.opacity = float(opacity)
            self.layers_changed.emit()

    def move_layer(self, name: str, new_index: int) -> None:
        s = self.setting(name)
        self.layer_settings.remove(s)
        new_index = max(0, min(len(self.layer_settings), new_index))
        self.layer_settings.insert(new_index, s)
        self.layers_changed.emit()

    def set_thematic(self, field_name: str | None, method: str = "quantile",
                     classes: int = 5) -> None:
        if method not in ("quantile", "natural"):
            raise ValueError(f"method must be 'quantile' or 'natural', got {method!r}")
        self.thematic = Thematic(field_name or None, method, int(classes))
        if field_name:  # the desa show one colouring: a coverage figure replaces the PWS one
            self.pws_theme = None
        self.layers_changed.emit()

    # -- PWS colouring ---------------------------------------------------------------------------
    @property
    def pws_indicators(self):
        """The PWS indicator catalogue the views read (the bundled one)."""
        if self._pws_indicators is None:
            from ilp_gis.monitoring import pws

            self._pws_indicators = pws.default_indicators()
        return self._pws_indicators

    def pws_choices(self) -> dict[str, list[str]]:
        """{indicator key: months with values} of the project's PWS history."""
        from ui import pws_theme

        return pws_theme.choices(self.project, self.pws_indicators)

    def set_pws_theme(self, indicator: str | None, month=None) -> None:
        """Colour the desa by the PWS class of ``indicator`` in ``month`` (``None``: no PWS
        colouring); replaces a coverage colouring."""
        from ui import pws_theme

        theme = None if not indicator else pws_theme.theme_for(self.pws_indicators, indicator,
                                                                month)
        if theme == self.pws_theme:
            return
        self.pws_theme = theme
        if theme is not None:
            self.thematic = Thematic(None, self.thematic.method, self.thematic.classes)
        self.layers_changed.emit()

    def pws_legend(self):
        """The :class:`ui.pws_theme.PwsLegend` of the current PWS colouring, or ``None``."""
        theme = self.pws_theme
        if theme is None or not self.project.has("desa"):
            return None
        from ilp_gis.monitoring import pws
        from ui import pws_theme

        v, desa = pws.values(self.project), self.project.desa
        token = (theme, id(v), len(v), id(desa), len(desa))  # the map asks on every redraw
        cached = getattr(self, "_pws_cache", None)
        if cached is not None and cached[0] == token:
            return cached[1]
        out = pws_theme.legend(self.project, theme, self.pws_indicators)
        self._pws_cache = (token, out, v, desa)  # the frames held: their ids stay theirs
        return out

    def thematic_fields(self) -> list[str]:
        """Numeric coverage columns of the desa result that can colour the map."""
        if self.result is None or self.result.desa is None:
            return []
        skip = {"pop_lon", "pop_lat", "priority_rank"}
        return [c for c in self.result.desa.columns
                if c not in skip and c != "geometry"
                and pd.api.types.is_numeric_dtype(self.result.desa[c])
                and not pd.api.types.is_bool_dtype(self.result.desa[c])]

    def thematic_legend(self) -> ThematicLegend | None:
        from layers.symbology import thematic_colours

        th = self.thematic
        if th.field is None or self.result is None or th.field not in self.result.desa.columns:
            return None
        desa = self.result.desa
        # the map asks on every redraw: classify once per theme and result
        token = (th.field, th.method, th.classes, id(self.result), id(desa), len(desa),
                 self.result_revision)
        cached = getattr(self, "_legend_cache", None)
        if cached is not None and cached[0] == token:
            return cached[1]
        values = pd.to_numeric(desa[th.field], errors="coerce").to_numpy(dtype=float)
        colours, breaks, palette = thematic_colours(values, method=th.method, classes=th.classes,
                                                    higher_is_better=higher_is_better(th.field))
        keys = key_of(desa, "desa")
        labels = []
        lo = float(np.nanmin(values)) if np.isfinite(values).any() else math.nan
        for b in breaks:
            labels.append(f"{_fmt(lo)} – {_fmt(b)}")
            lo = b
        legend = ThematicLegend(th.field, dict(zip(keys, colours, strict=False)), breaks, palette,
                                labels)
        self._legend_cache = (token, legend)
        return legend

    # -- facility edits (pure: they return a new frame) --------------------------------------------
    def new_fac_id(self) -> str:
        existing = set(key_of(self.project.facilities, "facilities"))
        while True:
            self._new_ids += 1
            cand = f"baru-{self._new_ids}"
            if cand not in existing:
                return cand

    def locate(self, lon: float, lat: float) -> tuple[str | None, str | None]:
        """(desa code, kecamatan code) of the desa containing the point, or (None, None)."""
        import shapely

        desa = self.project.desa
        if not len(desa):
            return None, None
        g = desa.geometry
        if g.crs is not None and str(g.crs) != model.WGS84:
            g = g.to_crs(model.WGS84)
        inside = shapely.contains_xy(np.asarray(g.values, dtype=object), lon, lat)
        hits = np.flatnonzero(inside)
        if not len(hits):
            return None, None
        row = desa.iloc[hits[0]]
        return row.get("code"), row.get("kecamatan_code")

    def with_facility_added(self, record: dict[str, Any]) -> Any:
        import geopandas as gpd
        from shapely.geometry import Point

        fac = self.project.facilities
        lon, lat = float(record.pop("lon")), float(record.pop("lat"))
        desa_code, kec_code = self.locate(lon, lat)
        row = {c: None for c in fac.columns if c != fac.geometry.name}
        row.update({"desa_code": desa_code, "kecamatan_code": kec_code})
        row.update(record)
        row.setdefault("fac_id", self.new_fac_id())
        if row.get("fac_id") in (None, ""):
            row["fac_id"] = self.new_fac_id()
        new = gpd.GeoDataFrame([row], geometry=[Point(lon, lat)], crs=model.WGS84)
        if fac.crs is not None and str(fac.crs) != model.WGS84:
            new = new.to_crs(fac.crs)
        new = new.rename_geometry(fac.geometry.name) if fac.geometry.name != "geometry" else new
        out = pd.concat([fac, model.conform(new, model.FACILITIES)[list(fac.columns)]],
                        ignore_index=True)
        return gpd.GeoDataFrame(out, geometry=fac.geometry.name, crs=fac.crs)

    def _row_position(self, fac_id: str) -> int:
        keys = key_of(self.project.facilities, "facilities")
        try:
            return keys.index(str(fac_id))
        except ValueError:
            raise KeyError(tr("ui.edit.no_facility", fac_id=fac_id)) from None

    def with_facility_moved(self, fac_id: str, lon: float, lat: float) -> Any:
        import geopandas as gpd
        from shapely.geometry import Point

        fac = self.project.facilities.copy()
        pos = self._row_position(fac_id)
        pt = gpd.GeoSeries([Point(lon, lat)], crs=model.WGS84)
        if fac.crs is not None and str(fac.crs) != model.WGS84:
            pt = pt.to_crs(fac.crs)
        geom_col = fac.geometry.name
        fac.iloc[pos, fac.columns.get_loc(geom_col)] = pt.iloc[0]
        desa_code, kec_code = self.locate(lon, lat)
        fac.iloc[pos, fac.columns.get_loc("desa_code")] = desa_code
        fac.iloc[pos, fac.columns.get_loc("kecamatan_code")] = kec_code
        return fac

    def with_facility_deleted(self, fac_id: str) -> Any:
        fac = self.project.facilities
        pos = self._row_position(fac_id)
        return fac.drop(index=fac.index[pos]).reset_index(drop=True)

    def with_facility_value(self, fac_id: str, column: str, value: Any) -> Any:
        fac = self.project.facilities.copy()
        pos = self._row_position(fac_id)
        if column == "type" and value not in {t.value for t in model.FacilityType}:
            raise ValueError(tr("ui.edit.bad_type", value=value))
        if column == "parent_id" and value not in (None, ""):
            if str(value) not in set(key_of(fac, "facilities")):
                raise ValueError(tr("ui.edit.bad_parent", value=value))
            if str(value) == str(fac_id):
                raise ValueError(tr("ui.edit.self_parent"))
        if value == "":
            value = None
        col = fac.columns.get_loc(column)
        if pd.api.types.is_float_dtype(fac[column]) and value is not None:
            from ilp_gis.i18n import parse_number

            value = parse_number(value)  # "5,5" in an Indonesian window, as the table shows it
        fac.iloc[pos, col] = value
        return fac

    def set_facilities(self, frame) -> None:
        """Replace the facility layer (edits and their undo go through here)."""
        self.revision += 1
        self.project.set_layer("facilities", frame)

    def facility_position(self, fac_id: str) -> tuple[float, float] | None:
        fac = self.project.facilities
        try:
            pos = self._row_position(fac_id)
        except KeyError:
            return None
        g = fac.geometry.iloc[pos]
        if g is None or g.is_empty:
            return None
        if fac.crs is not None and str(fac.crs) != model.WGS84:
            import geopandas as gpd

            g = gpd.GeoSeries([g], crs=fac.crs).to_crs(model.WGS84).iloc[0]
        return float(g.x), float(g.y)


def _fmt(v: float) -> str:
    from ilp_gis.i18n import format_number

    if v is None or not math.isfinite(v):
        return "–"
    if abs(v) < 10 and not float(v).is_integer():
        return format_number(v, 2)
    return format_number(v, 0 if abs(v) >= 100 or float(v).is_integer() else 1)


register_catalog("ui", "state")
