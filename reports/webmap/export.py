"""The export: the folium map assembled from the layers, rendered offline and written.

May import ``ilp_gis``, ``layers`` (symbology, atomic), ``reports.source`` and every module of
``reports.webmap``; folium is imported only when exporting.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np

from ilp_gis.errors import InputError
from ilp_gis.geo import utm_crs
from ilp_gis.i18n import language, normalize_language, register_catalog, tr
from ilp_gis.inputs import input_label, inventory_for, mask_columns, missing_text
from ilp_gis.jobs import checkpoint, sub_progress
from ilp_gis.location import coverage_notes
from ilp_gis.results import AnalysisResult
from layers import symbology as sym
from layers.atomic import atomic_write_text
from reports.source import get_result, stored_result
from reports.webmap.assets import (
    DATA_DIR,
    inline_script,
    leaflet_assets,
    offline_problems,
    read_asset,
)
from reports.webmap.basemap import (
    BASEMAP_FILL_OPACITY,
    basemap_data,
    basemap_layer_name,
    basemap_note,
    basemap_options,
    load_basemap,
)
from reports.webmap.classify import auto_colour_key, colour_classes
from reports.webmap.detail import (
    Chunker,
    DetailInputs,
    as_lonlat,
    detail_folder,
    detail_note,
    detail_options,
    drawable,
    new_folder,
    publish,
    unread_layer,
    write_chunks,
)
from reports.webmap.elements import folium_classes
from reports.webmap.embed import escape_html, feature_collection, script_json
from reports.webmap.gaps import analysis_language, gap_features
from reports.webmap.geometry import (
    as_wgs84,
    attach_geometry,
    bounds_of,
    round_coords,
    simplify_for_web,
    web_tolerance,
)
from reports.webmap.indicators import AUTO, DEFAULT_COLOUR_BY, colour_field, resolve_colour_by
from reports.webmap.layers import (
    desa_props,
    edge_props,
    facility_fields,
    facility_names,
    facility_parents,
    facility_props,
    field_missing,
    kecamatan_names,
    kecamatan_props,
)
from reports.webmap.legend import hatch_defs, header_html, legend_html
from reports.webmap.national import (
    BOUNDARY_TOLERANCE_M,
    NATIONAL_FACILITY_TYPES,
    desa_dots,
    facility_dots,
    facility_gap_dots,
    facility_gap_fields,
    is_national,
    kabupaten_outlines,
    simplified_notes,
)
from reports.webmap.national import facility_fields as national_facility_fields
from reports.webmap.overlays import (
    ROAD_MIN_ZOOM,
    road_layer,
    scenario_layers,
    site_fields,
    site_style,
)
from reports.webmap.periods import period_payload, pws_indicator_key
from reports.webmap.symbols import area_style, gap_kinds_js, link_styles, point_style
from reports.webmap.values import clean_text, names_by

register_catalog("reports", "webmap.export")

CLUSTER_MIN = {"posyandu": 150, "pustu": 1500, "puskesmas": 200}
"""A facility layer with at least this many points is drawn as marker clusters."""
_Z_OFFSET = {"puskesmas": 1000, "pustu": 500}  # Puskesmas drawn above Pustu above Posyandu
KECAMATAN_LABEL_ZOOM = 10
"""Kecamatan names are written on the map from this zoom level on (a whole district ≈ 10)."""
EDGES_SHOWN_MAX = 400
"""Network edges are switched on when the map opens only up to this many (else in the control)."""
FACILITY_GAPS_SHOWN_MAX = 150
"""Facility gaps (rings around facilities) are switched on when the map opens up to this many."""
AREA_GAPS_SHOWN_SHARE = 0.25
"""The hatched area gaps are switched on when the map opens only when they cover at most this
share of the desa: a hatch over most of the district hides the colours it lies on."""


def export_webmap(project, result: AnalysisResult | None, path: str | Path, *,
                  online_basemap: bool = False, basemap: str | Path | None = None,
                  lang: str | None = None,
                  colour_by: str = DEFAULT_COLOUR_BY, pws_indicator: str | None = None,
                  indicators=None, progress=None, is_cancelled=None) -> Path:
    """Write the project's web map to ``path`` (one self-contained HTML file) and return the path.

    The map has switchable layers — the kabupaten, kecamatan and desa boundaries, desa coloured
    by a chosen coverage figure (with a legend), the roads by class, the facilities by type with
    the project's one symbology (Posyandu clustered when many), the proposed sites of each
    planning scenario, the network edges and the gaps (hatched, with popups explaining each gap
    and its priority) — a desa search box, a metric scale bar, a title and, for fictional data,
    a "DATA FIKTIF / FICTIONAL DATA" banner.  The district opens fitted between the panels.
    Nothing is fetched when the file is opened; only ``online_basemap=True`` adds OpenStreetMap
    tiles (which then need the internet).

    Parameters
    ----------
    project
        The :class:`ilp_gis.project.Project`.
    result
        Its :class:`~ilp_gis.results.AnalysisResult`; ``None`` uses the analysis stored in the
        project, or runs ``ilp_gis.analysis.analyze`` when none is stored.
    path
        The ``.html`` file to write (written atomically).  A national page (see
        :mod:`reports.webmap.national`) also writes the folder of its per-kabupaten detail
        beside it (``NAME_data``, :mod:`reports.webmap.detail`): page and folder together or,
        on any failure, neither.
    online_basemap
        Add OpenStreetMap tiles (needs the internet when the file is opened).  Without it the
        file needs no network at all.
    basemap
        An MBTiles or PMTiles file of picture tiles (the planner's own): the tiles around the
        district are embedded in the page, an offline basemap (see :mod:`layers.basemap_file`).
        A wrong file is an :class:`InputError` before any other work, nothing written.
    lang
        ``id`` or ``en``; default the current UI language.
    colour_by
        The figure the desa are coloured by: a key, label or short name of
        :data:`COLOUR_FIELDS` in either language, a numeric desa column, or ``auto`` (the first
        figure that tells the desa apart, see ``classify.auto_colour_key``).
    pws_indicator
        The PWS indicator of the layer with a period slider (its PWS class per desa in every
        month with values), shown when the map opens.  ``None``: the first indicator with
        values, listed in the layer control; no layer when the project has no PWS values.
    indicators
        The PWS indicator definitions (default the built-in ones).
    """
    lang = normalize_language(lang)
    path = Path(path)
    with language(lang):
        checkpoint(progress, is_cancelled, 0.0, tr("webmap.progress.start"))
        tiles = load_basemap(project, basemap) if basemap is not None else None  # checked first
        analysed_here = False
        if result is None:
            stored = stored_result(project)
            analysed_here = stored is None  # analysed now, in this language: its messages fit
            result = get_result(project, stored, progress=sub_progress(progress, 0.0, 0.5),
                                is_cancelled=is_cancelled)
        messages_trusted = analysed_here or analysis_language(result) == lang
        step = sub_progress(progress, 0.5 if analysed_here else 0.0, 1.0)
        detail = _Detail(path)
        try:
            html = _build_html(project, result, online_basemap=online_basemap, tiles=tiles,
                               lang=lang, colour_by=colour_by,
                               messages_trusted=messages_trusted, pws_indicator=pws_indicator,
                               indicators=indicators, progress=step, is_cancelled=is_cancelled,
                               detail=detail)
            checkpoint(step, is_cancelled, 0.97, tr("webmap.progress.write"))
        except BaseException:
            detail.discard()
            raise
        if detail.tmp is None:
            atomic_write_text(path, html, newline="\n")
        else:  # the page and its chunks' folder: both or neither
            publish(detail.tmp, path, lambda: atomic_write_text(path, html, newline="\n"))
        checkpoint(progress, is_cancelled, 1.0, tr("webmap.progress.done"))
    return path


class _Detail:
    """The chunks' folder of a national page while it is written (``tmp``: ``None`` until the
    first chunk) and what was written."""

    def __init__(self, page: Path):
        self.page = page
        self.tmp: Path | None = None
        self.written = None

    def folder(self) -> Path:
        if self.tmp is None:
            self.tmp = new_folder(self.page)
        return self.tmp

    def discard(self) -> None:
        if self.tmp is not None:
            shutil.rmtree(self.tmp, ignore_errors=True)
            self.tmp = None


def _build_html(project, result: AnalysisResult, *, online_basemap: bool, tiles, lang: str,
                colour_by: str, messages_trusted: bool, progress, is_cancelled,
                pws_indicator: str | None = None, indicators=None,
                detail: _Detail | None = None) -> str:
    import folium

    from ilp_gis.monitoring import pws

    _Script, _Raw, _JsLayer = folium_classes()

    desa_in = result.desa if result.desa is not None and len(result.desa) else project.desa
    if desa_in is None or not len(desa_in):
        raise InputError(tr("webmap.no_desa"))
    desa = as_wgs84(desa_in)
    if desa.geometry.isna().all() and project.has("desa"):
        desa = attach_geometry(desa, as_wgs84(project.desa))
    inputs = inventory_for(result.summary, project)
    desa = mask_columns(desa, inputs)  # a figure never loaded is missing, never 0
    kec = as_wgs84(project.kecamatan) if project.has("kecamatan") else None
    kab = as_wgs84(project.kabupaten) if project.has("kabupaten") else None
    key = resolve_colour_by(colour_by, list(desa.columns))
    field = colour_field(auto_colour_key(desa) if key == AUTO else key, desa)

    checkpoint(progress, is_cancelled, 0.05, tr("webmap.progress.simplify"))
    crs = utm_crs(desa)
    national = is_national(desa)  # level of detail: desa as dots, no roads, edges, Posyandu
    kec_all = kec
    if national:
        kec = None  # ~7,000 outlines: the desa popups name their kecamatan
        tol = BOUNDARY_TOLERANCE_M
        desa_geoms = kec_geoms = None
        kab_geoms = kabupaten_outlines(kab, crs) if kab is not None else None
    else:
        tol = web_tolerance([desa, kec, kab], crs)
        desa_geoms = simplify_for_web(desa.geometry, crs, tol)
        kec_geoms = simplify_for_web(kec.geometry, crs, tol) if kec is not None else None
        checkpoint(progress, is_cancelled, 0.25, None)
        kab_geoms = simplify_for_web(kab.geometry, crs, tol) if kab is not None else None

    fac = None
    if project.has("facilities"):  # nationally not copied when WGS84 already (~335,000 rows)
        fac = as_lonlat(project.facilities) if national else as_wgs84(project.facilities)
    if national and detail is not None:  # first, while the page's own texts are not made yet
        checkpoint(progress, is_cancelled, 0.1, tr("webmap.progress.detail"))
        detail.written = _national_chunks(project, result, desa, kec_all, kab, kab_geoms, fac,
                                          detail, sub_progress(progress, 0.1, 0.3),
                                          is_cancelled)

    # ---- the map ----
    bounds = bounds_of([f for f in (kab, desa) if f is not None])
    m = folium.Map(location=[(bounds[1] + bounds[3]) / 2, (bounds[0] + bounds[2]) / 2],
                   zoom_start=10, tiles=None, control_scale=False, prefer_canvas=False,
                   zoom_control=False, zoom_snap=0.25, zoom_delta=0.5)
    m.default_js = []
    m.default_css = []
    root = m.get_root()
    title = project.title
    root.title = escape_html(f"{title} — {tr('webmap.page_title')}")  # folium does not escape it
    css, js = leaflet_assets()
    root.header.add_child(_Raw("<style>\n" + css + "\n" + read_asset(DATA_DIR / "webmap.css")
                               + f"\n.folium-map {{ background: {sym.BACKGROUND_COLOUR}; }}\n"
                               "</style>"), name="ilp_css")
    root.header.add_child(_Raw(inline_script(js)), name="ilp_leaflet")
    root.header.add_child(_Raw(inline_script(read_asset(DATA_DIR / "webmap.js"))),
                          name="ilp_helpers")
    if national:
        root.header.add_child(_Raw(inline_script(read_asset(DATA_DIR / "webmap_national.js"))),
                              name="ilp_national")
    root.html.add_child(_Raw(hatch_defs()), name="ilp_hatches")
    if online_basemap:
        folium.TileLayer("OpenStreetMap", name=tr("webmap.layer.osm"), overlay=False,
                         control=True).add_to(m)
    if tiles is not None:
        root.html.add_child(_Raw('<script type="application/json" id="ilp-data-basemap">'
                                 + basemap_data(tiles) + "</script>"), name="ilp_data_basemap")
        m.add_child(_JsLayer(basemap_layer_name(tiles), "ILP.basemapLayer(L.extend({key: "
                             "'basemap'}, " + basemap_options(tiles) + "))"))

    def data(key: str, text: str) -> str:
        """Put a layer's GeoJSON in its own JSON block; return the JS expression reading it."""
        root.html.add_child(_Raw(f'<script type="application/json" id="ilp-data-{key}">'
                                 f"{text}</script>"), name=f"ilp_data_{key}")
        return f"ILP.data({script_json(key)})"

    # ---- desa (shared by the coverage, desa and search layers) ----
    checkpoint(progress, is_cancelled, 0.35, tr("webmap.progress.layers"))
    values = field.compute(desa).to_numpy(dtype=float)
    colours, classes = colour_classes(field, values)
    desa_fields, desa_features = desa_props(desa, field, values, colours, inputs=inputs)
    # marker clusters need a maximum zoom, which a map without tiles does not have
    m.add_child(_Script(f"{m.get_name()}.setMaxZoom(19); {m.get_name()}.setMinZoom(4);"))
    if national:
        m.add_child(_Script("var ILP_DESA_COLS = " + data("desa", desa_dots(
            desa, desa_features, colours)) + ";\n"
            "var ILP_DESA = ILP.dotFeatures(ILP_DESA_COLS);"))
    else:
        m.add_child(_Script("var ILP_DESA = " + data("desa", feature_collection(
            desa_geoms, desa_features)) + ";"))
    del desa_features
    if kec is not None:
        kec_fields, kec_props = kecamatan_props(
            kec, mask_columns(result.kecamatan, inputs) if result.kecamatan is not None
            else None, inputs=inputs)
        m.add_child(_Script("var ILP_KEC = " + data("kecamatan", feature_collection(
            kec_geoms, kec_props)) + ";"))

    if national:  # in their own pane: hidden where the detail's desa polygons are drawn
        m.add_child(_JsLayer(tr("webmap.layer.coverage", field=field.label),
                             "ILP.desaDots(ILP_DESA_COLS, L.extend({map: " + m.get_name()
                             + "}, " + script_json({
                                 "style": {"color": "#ffffff", "weight": 0.4, "opacity": 0.8,
                                           "fillOpacity": 0.9}, "pane": ["ilpDesaDots", 410],
                                 "radius": 3, "fields": desa_fields}) + "))",
                             show=pws_indicator is None))
    else:
        m.add_child(_JsLayer(tr("webmap.layer.desa"), "ILP.areaLayer(ILP_DESA, " + script_json({
            "style": area_style(sym.DESA_STYLE), "fields": desa_fields, "tooltip": True})
            + ")", show=False))
    # the coverage colours wait in the layer control when a PWS indicator was asked for
    if not national:
        m.add_child(_JsLayer(tr("webmap.layer.coverage", field=field.label),
                             "ILP.areaLayer(ILP_DESA, " + script_json({
                                 "style": area_style(sym.DESA_STYLE, color="#ffffff", weight=0.6,
                                                     fillOpacity=0.85 if tiles is None
                                                     else BASEMAP_FILL_OPACITY),
                                 "perFeature": True, "fields": desa_fields, "tooltip": True}) + ")",
                             show=pws_indicator is None))

    # ---- the PWS of one indicator, month by month (a period slider) ----
    inds = indicators or pws.default_indicators()
    pws_key = pws_indicator_key(project, pws_indicator, inds)
    if pws_key is not None and project.has("desa"):
        root.header.add_child(_Raw(inline_script(read_asset(DATA_DIR / "webmap_periods.js"))),
                              name="ilp_periods")
        payload = period_payload(project, pws_key, inds)
        if national:  # the desa drawn as dots, recoloured month by month
            payload["dots"] = 3
        m.add_child(_JsLayer(tr("webmap.pws.layer", indicator=payload["indicator"]),
                             "ILP.periodLayer(ILP_DESA, " + data("pws-periods",
                                                                 script_json(payload)) + ")",
                             show=pws_indicator is not None))
        del payload

    # ---- gaps ----
    checkpoint(progress, is_cancelled, 0.5, None)
    names = facility_names(fac, result) if not national else {}
    if national:
        gl = _national_gaps(m, desa, desa_fields, _JsLayer)
        gl = _national_facility_gaps(m, result, fac, gl, data, _JsLayer,
                                     detail is not None and detail.written is not None
                                     and detail.written.n_chunks > 0)
    else:
        gl = gap_features(result, desa, desa_geoms, kec, kec_geoms, crs, tol, messages_trusted,
                          names)
    sources = "{desa: ILP_DESA" + (", kecamatan: ILP_KEC}" if kec is not None else "}")
    gap_opts = script_json({"kinds": gap_kinds_js(), "fields": gl.fields})
    # a gap layer with nothing in it is left out of the layer control: "(0)" would read as
    # "no problem" where the checks may not have been made (the legend names what is missing)
    if gl.n_areas and not national:
        m.add_child(_JsLayer(tr("webmap.layer.gaps_areas", n=gl.n_area_gaps),
                             "ILP.gapLayer(ILP.resolve(" + data("gaps", gl.areas) + ", "
                             + sources + "), " + gap_opts + ")",
                             show=gl.n_areas <= AREA_GAPS_SHOWN_SHARE * len(desa)))
    # facility gaps (a Posyandu short of kader, an understaffed Pustu, ...) ring the facility;
    # hundreds of rings hide the area gaps, so then they wait in the layer control.  The name
    # counts the gaps (a facility may have several), as the gap table does.
    if gl.n_points and not national:
        m.add_child(_JsLayer(tr("webmap.layer.gaps_facilities", n=gl.n_point_gaps),
                             "ILP.gapLayer(" + data("gaps-facilities", gl.points) + ", "
                             + gap_opts + ")", show=gl.n_points <= FACILITY_GAPS_SHOWN_MAX))

    # ---- boundaries ----
    if kec is not None:
        kec_style = area_style(sym.KECAMATAN_STYLE, fill=True, fillOpacity=0)
        m.add_child(_JsLayer(tr("webmap.layer.kecamatan"), "ILP.areaLayer(ILP_KEC, " + script_json(
            {"style": kec_style, "labels": True, "fields": kec_fields}) + ")"))
    if kab is not None:
        kab_props = [{"n": clean_text(n)} for n in kab["name"]]
        kab_fc = feature_collection(kab_geoms, kab_props)
        m.add_child(_JsLayer(tr("webmap.layer.kabupaten"), "ILP.areaLayer(" + data(
            "kabupaten", kab_fc) + ", " + script_json({"style": area_style(sym.KABUPATEN_STYLE, **(
                {"weight": 0.7, "opacity": 0.6} if national else {}))})
            + ")"))

    # ---- roads (context, under the network and the facilities) ----
    roads = (road_layer(project.roads, crs, tol) if project.has("roads") and not national
             else None)
    road_classes = []
    if roads is not None:
        road_fc, road_styles, road_classes = roads
        m.add_child(_JsLayer(tr("webmap.layer.roads"), "ILP.areaLayer(" + data(
            "roads", road_fc) + ", L.extend({map: " + m.get_name() + "}, " + script_json({
                "style": {"color": "#95a5a6", "weight": 1, "opacity": 0.9},
                "classStyles": road_styles, "canvas": True, "casing": "#ffffff",
                "classMinZoom": ROAD_MIN_ZOOM, "pane": ["ilpRoads", 450]}) + "))"))

    # ---- network edges ----
    checkpoint(progress, is_cancelled, 0.65, None)
    edge_links = set()
    if result.edges is not None and len(result.edges) and not national:
        edges = as_wgs84(result.edges)
        edge_fields, edge_features = edge_props(edges, names)
        edge_links = {p["l"] for p in edge_features if p.get("l")}
        edge_fc = feature_collection(
            round_coords(np.asarray(edges.geometry.values, dtype=object)), edge_features)
        # a whole district's network is a tangle at district scale: switched on when wanted
        m.add_child(_JsLayer(tr("webmap.layer.edges"), "ILP.areaLayer(" + data("edges", edge_fc)
                             + ", " + script_json({"style": {"color": "#5d6d7e", "weight": 1.3,
                                                             "opacity": 0.85},
                                                   "linkStyles": link_styles(),
                                                   "fields": edge_fields,
                                                   "linkField": tr("webmap.field.link"),
                                                   "linkLabels": {k: tr(f"webmap.link.{k}")
                                                                  for k in sym.NETWORK_EDGE}})
                             + ")", show=len(edges) <= EDGES_SHOWN_MAX))

    # ---- facilities ----
    checkpoint(progress, is_cancelled, 0.8, None)
    fac_types_present = []
    if fac is not None:
        parents = facility_parents(fac, result, names) if not national else {}
        fac_names = (names_by(fac, "fac_id", "name")
                     if national and "name" in fac.columns else {})
        desa_names = names_by(desa, "code", "name")
        kec_names = kecamatan_names(desa, kec_all)
        fac_fields = facility_fields()
        types = fac["type"].astype(str).str.lower()
        for ftype in ("puskesmas", "pustu", "posyandu", "_other"):
            sub = fac[types == ftype] if ftype != "_other" else fac[~types.isin(
                ["puskesmas", "pustu", "posyandu"])]
            sub = sub[sub.geometry.notna() & ~sub.geometry.is_empty]
            if not len(sub):
                continue
            if national:
                if ftype in NATIONAL_FACILITY_TYPES:
                    fac_types_present.append(ftype)
                    _national_facilities(m, sub, ftype, desa_names, kec_names, fac_names,
                                         _JsLayer, data)
                continue
            fac_types_present.append(ftype)
            pstyle = sym.FACILITY_STYLES.get(ftype, sym.PROBLEM_FACILITY_STYLE)
            props = facility_props(sub, parents, desa_names, kec_names, ftype)
            geoms = round_coords(np.asarray(sub.geometry.values, dtype=object))
            cluster = len(sub) >= CLUSTER_MIN.get(ftype, 10**9)
            name = (tr("webmap.layer.facility", type=tr(f"facility.{ftype}"), n=len(sub))
                    if ftype != "_other" else tr("webmap.layer.fac_other", n=len(sub)))
            options = {"style": point_style(pstyle),
                       "precursor": point_style(sym.PRECURSOR_STYLE),
                       **({"desaLevel": point_style(sym.DESA_LEVEL_STYLES[ftype])}
                          if ftype in sym.DESA_LEVEL_STYLES else {}),
                       "cluster": cluster, "fields": fac_fields,
                       "sub": tr(f"facility.{ftype}") if ftype in sym.FACILITY_STYLES else None,
                       "z": _Z_OFFSET.get(ftype, 0)}
            m.add_child(_JsLayer(name, "ILP.facilityLayer(" + data(
                f"facilities-{ftype.strip('_')}", feature_collection(geoms, props)) + ", "
                + script_json(options) + ")"))

    # ---- national: the layers of the kabupaten chunks and the script that loads them ----
    has_kec = kec is not None
    if national and detail is not None and detail.written is not None:
        w = detail.written
        _national_detail_layers(m, w, desa_fields, root, _Raw, _JsLayer)
        if w.n_chunks:  # the legend shows what the detail draws too
            road_classes, edge_links = w.road_classes, edge_links | w.link_kinds
            has_kec = bool(w.counts.get("kec"))
            if w.counts.get("posyandu"):
                fac_types_present.insert(2 if "pustu" in fac_types_present else 1, "posyandu")

    # ---- proposed sites of the planning scenarios (the last one shown) ----
    scenarios = scenario_layers(project, names_by(desa, "code", "name"))
    site_actions = list(dict.fromkeys(a for sc in scenarios for a in sc["actions"]))
    for i, sc in enumerate(scenarios):
        m.add_child(_JsLayer(tr("webmap.layer.scenario", name=sc["name"], n=sc["n"]),
                             "ILP.facilityLayer(" + data(f"scenario-{i + 1}", sc["fc"]) + ", "
                             + script_json({"style": site_style(""), "styles": sc["styles"],
                                            "fields": site_fields(), "z": 2000}) + ")",
                             show=i == len(scenarios) - 1))

    # ---- controls: layers, legend, search, view ----
    checkpoint(progress, is_cancelled, 0.9, tr("webmap.progress.render"))
    folium.LayerControl(collapsed=False, position="topright").add_to(m)
    legend = legend_html(field, classes, values, fac_types_present,
                         bool(fac is not None and fac.get("precursor") is not None
                              and fac["precursor"].fillna(False).astype(bool).any()),
                         edge_links, gl.kinds, has_kec, kab is not None,
                         gl.unplaced, no_data=missing_text(field_missing(field, inputs)),
                         road_classes=road_classes, site_actions=site_actions,
                         not_loaded=[input_label(n) for n in inputs.absent],
                         desa_level_types=_desa_level_types(fac),
                         notes=[*coverage_notes(result.summary or {}),
                                *([basemap_note(tiles)] if tiles is not None
                                  and basemap_note(tiles) else []),
                                *(simplified_notes() if national else []),
                                *([detail_note()] if detail is not None
                                  and detail.written is not None
                                  and detail.written.n_chunks else [])],
                         dots=national)
    highlight = {"color": sym.HIGHLIGHT_COLOUR, "weight": 4, "fill": False}
    header = script_json(header_html(project, field))
    m.add_child(_Script(f"ILP.addHeader({m.get_name()}, {header});\n"
                        f"ILP.labelsFromZoom({m.get_name()}, {KECAMATAN_LABEL_ZOOM});\n"
                        f"L.control.zoom({{position: 'topleft'}}).addTo({m.get_name()});\n"
                        f"ILP.addLegend({m.get_name()}, {script_json(legend)});\n"
                        f"ILP.addScale({m.get_name()});\n"
                        f"ILP.addSearch({m.get_name()}, ILP_DESA, " + script_json({
                            "fields": desa_fields, "highlight": highlight,
                            "t": {"placeholder": tr("webmap.search.placeholder"),
                                  "none": tr("webmap.search.none"),
                                  "many": tr("webmap.search.many")}}) + ");\n"
                        f"ILP.fitView({m.get_name()}, "
                        f"{script_json([[bounds[1], bounds[0]], [bounds[3], bounds[2]]])});"))
    html = root.render()
    html = html.replace("<html>", f'<html lang="{lang}">', 1)
    problems = offline_problems(html)
    if problems:  # a programming error: never ship a map that needs the network
        raise RuntimeError("web map is not self-contained: " + "; ".join(problems[:3]))
    return html


def _desa_level_types(fac) -> set[str]:
    """Facility types drawn hollow at a desa point (location quality ``desa``)."""
    if fac is None or "location_quality" not in fac or "type" not in fac:
        return set()
    return set(fac.loc[fac["location_quality"] == "desa", "type"].dropna().astype(str).str.lower())


def _national_chunks(project, result, desa, kec, kab, kab_geoms, fac, detail, progress,
                     is_cancelled):
    """The detail of each kabupaten written as chunks into ``detail``'s folder (the roads read
    from the file here when the project was opened without them, and let go after)."""
    posy = None
    if fac is not None and "type" in fac.columns:
        posy = drawable(fac[(fac["type"].astype(str).str.lower() == "posyandu").to_numpy()])
    fac_names = (names_by(fac, "fac_id", "name")
                 if fac is not None and {"fac_id", "name"} <= set(fac.columns) else {})
    edges = None
    if result.edges is not None and len(result.edges) and "geometry" in result.edges.columns:
        edges = drawable(as_lonlat(result.edges))
    roads = unread_layer(project, "roads")
    if roads is not None:  # only what the chunks draw: ~1 million lines nationally
        roads = drawable(as_lonlat(roads[[c for c in ("road_class",) if c in roads.columns]
                                         + [roads.geometry.name]]),
                         ["LineString", "MultiLineString"])
    gaps = as_lonlat(result.gaps) if result.gaps is not None and len(result.gaps) else None
    pgaps = None
    if gaps is not None:  # only the columns the rings show
        cols = [c for c in ("kind", "fac_id", "gap_id", "fac_name", "desa_name",
                            "kecamatan_name") if c in gaps.columns] + [gaps.geometry.name]
        pgaps = gaps.loc[_at_posyandu(gaps, fac), cols]
    gap_text = desa["gap_kinds"] if "gap_kinds" in desa.columns else [""] * len(desa)
    kinds = [sorted((k for k in str(g or "").split(";") if k and k in sym.GAP_STYLES),
                    key=lambda k: sym.GAP_SEVERITY.get(k, 99)) for g in gap_text]
    inputs = DetailInputs(desa=desa, gap_kinds=kinds, kec=kec, posyandu=posy, edges=edges,
                          roads=roads, pgaps=pgaps, fac_names=fac_names,
                          desa_names=names_by(desa, "code", "name"),
                          kec_names=kecamatan_names(desa, kec))
    del roads, edges, posy, gaps, pgaps
    chunker = Chunker(kab_geoms, list(kab["name"]) if kab is not None and "name" in kab.columns
                      else None)
    written = write_chunks(inputs, chunker, detail.folder(),
                           checkpoint=lambda f: checkpoint(progress, is_cancelled, f, None))
    written.index["dir"] = detail_folder(detail.page).name
    written.has_gaps = any(kinds)
    return written


def _national_detail_layers(m, written, desa_fields, root, raw, js_layer) -> None:
    """The detail's layers in the layer control and the script that loads the chunks."""
    if not written.n_chunks:
        return
    script = folium_classes()[0]
    root.header.add_child(raw(inline_script(read_asset(DATA_DIR / "webmap_detail.js"))),
                          name="ilp_detail")
    for key, count, show in (("desa", "desa", True), ("gaps", "desa", False),
                             ("kec", "kec", True), ("roads", "roads", True),
                             ("links", "edges", False), ("posyandu", "posyandu", True),
                             ("pgaps", "pgaps", False)):
        if written.counts.get(count) and (key != "gaps" or written.has_gaps):
            m.add_child(js_layer(tr(f"webmap.detail.layer.{key}", n=written.counts[count]),
                                 f"ILP.detailGroup({script_json(key)})", show=show))
    m.add_child(script(f"ILP.detail({m.get_name()}, ILP_DESA_COLS, "
                       + script_json(detail_options(written, desa_fields,
                                                    KECAMATAN_LABEL_ZOOM)) + ");"))


def _national_gaps(m, desa, desa_fields, js_layer):
    """The desa with gaps as rings (national level of detail); a :class:`GapLayers` of counts."""
    from reports.webmap.gaps import GapLayers

    kinds_of = desa["gap_kinds"].fillna("").astype(str) if "gap_kinds" in desa else None
    present: set[str] = set()
    n_desa = n_rows = 0
    if kinds_of is not None:
        for text in kinds_of:
            ks = [k for k in text.split(";") if k]
            if ks:
                n_desa += 1
                n_rows += len(ks)
                present.update(ks)
    fields = list(desa_fields)
    if n_desa:
        m.add_child(js_layer(tr("webmap.layer.gaps_areas", n=n_rows),
                             "ILP.gapDots(ILP_DESA_COLS, " + script_json({
                                 "kinds": gap_kinds_js(), "fields": fields, "radius": 5,
                                 "style": {"weight": 2, "fill": False, "opacity": 0.9}}) + ")",
                             show=False))
    empty = '{"type":"FeatureCollection","features":[]}'
    ordered = [k for k in sym.GAP_KINDS if k in present]
    return GapLayers(empty, empty, n_desa, 0, n_rows, 0, ordered, fields, 0)


def _at_posyandu(gaps, fac) -> np.ndarray:
    """Which gap rows are at a Posyandu (by their ``fac_id``)."""
    if gaps is None or fac is None or "fac_id" not in gaps.columns or "type" not in fac.columns:
        return np.zeros(0 if gaps is None else len(gaps), dtype=bool)
    posy = fac.loc[(fac["type"].astype(str).str.lower() == "posyandu").to_numpy(), "fac_id"]
    return gaps["fac_id"].astype(object).isin(set(posy.astype(str))).to_numpy()


def gaps_kinds_at(gaps, fac) -> set[str]:
    """The gap kinds of the rows at a Posyandu (known kinds only)."""
    kinds = gaps.loc[_at_posyandu(gaps, fac), "kind"].dropna().astype(str)
    return set(kinds) & set(sym.GAP_STYLES)


def _national_facility_gaps(m, result, fac, gl, data, js_layer, detail_written=False):
    """The facility gaps as ringed dots (national level of detail); ``gl`` with their counts."""
    from dataclasses import replace

    fac_names = (names_by(fac, "fac_id", "name")
                 if fac is not None and "name" in fac.columns and "fac_id" in fac.columns
                 else {})
    gaps = as_lonlat(result.gaps) if result.gaps is not None and len(result.gaps) else None
    n_detail = 0
    if gaps is not None and detail_written:  # the Posyandu's gaps are in the detail chunks
        at_posyandu = _at_posyandu(gaps, fac)
        n_detail = int(at_posyandu.sum())
        gaps = gaps[~at_posyandu]
    text, n_fac, n_rows, present = facility_gap_dots(gaps, fac_names)
    if n_detail:
        present |= set(gaps_kinds_at(result.gaps, fac))
    if text is None:
        return replace(gl, kinds=[k for k in sym.GAP_KINDS if k in present or k in gl.kinds])
    m.add_child(js_layer(tr("webmap.layer.gaps_facilities", n=n_rows),
                         "ILP.gapDots(" + data("gaps-facilities", text) + ", " + script_json({
                             "kinds": gap_kinds_js(), "fields": facility_gap_fields(),
                             "radius": 4, "sub": tr("webmap.gap_facility"),
                             "style": {"weight": 2, "fill": False, "opacity": 0.9}}) + ")",
                         show=False))  # thousands of rings: switched on when wanted
    kinds = [k for k in sym.GAP_KINDS if k in present or k in gl.kinds]
    return replace(gl, n_points=n_fac, n_point_gaps=n_rows, kinds=kinds)


def _national_facilities(m, sub, ftype, desa_names, kec_names, fac_names, js_layer,
                         data) -> None:
    """One facility type as dots on a canvas (national level of detail)."""
    pstyle = sym.FACILITY_STYLES.get(ftype, sym.PROBLEM_FACILITY_STYLE)
    m.add_child(js_layer(
        tr("webmap.layer.facility", type=tr(f"facility.{ftype}"), n=len(sub)),
        "ILP.dotLayer(" + data(f"facilities-{ftype}", facility_dots(sub, desa_names, kec_names,
                                                             fac_names))
        + ", " + script_json({"style": {"color": pstyle.stroke, "fillColor": pstyle.fill,
                                        "weight": 1, "fillOpacity": 1},
                              "radius": 4 if ftype == "puskesmas" else 2.5,
                              "fields": national_facility_fields(),
                              "sub": tr(f"facility.{ftype}")}) + ")",
        show=False))  # thousands of dots over the desa colours: switched on when wanted
