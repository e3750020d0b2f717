"""The import pipeline: boundaries, roads, facility files and a budget table read in order into
a :class:`Project`, facilities placed, deduplicated, given ids and parents, and the report and
the sources recorded.  May import ``ilp_gis``, ``layers`` and every module of this package.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from ilp_gis import model
from ilp_gis.errors import Cancelled, InputError
from ilp_gis.i18n import get_language, language, normalize_language, register_catalog, tr
from ilp_gis.inputs import checklist_lines, inventory
from ilp_gis.jobs import checkpoint
from ilp_gis.location import qualities
from ilp_gis.model import FacilityType
from ilp_gis.project import Project
from layers.importing.areas import _complete_desa, _read_areas
from layers.importing.cells import _objects
from layers.importing.coe_assessment import import_coe_assessment
from layers.importing.context import merge_context, read_context
from layers.importing.desa_data import import_desa_tables
from layers.importing.duplicates import _duplicates
from layers.importing.facilities import _read_facilities
from layers.importing.facility_types import parse_facility_type_option
from layers.importing.ids import _fac_ids
from layers.importing.parents import _resolve_parents
from layers.importing.placement import (
    _check_kecamatan,
    _check_locations,
    _place_by_declared_desa,
    locate_facilities,
)
from layers.importing.population import raster_population, spread_totals
from layers.importing.report import ImportReport, _FileLog, _ReportLog
from layers.importing.roads import _read_roads, _RoadsReader
from layers.importing.staffing import import_staffing


def import_files(project: Project | None = None, *, kabupaten=None, kecamatan=None, desa=None,
                 facilities=(), roads=None, budget=None, staffing=None, coe=None,
                 population_raster=None, population_totals=(), spread_by: str = "auto",
                 desa_data=(), context=(),
                 mappings: dict[str, dict[str, str]] | None = None, lang: str | None = None,
                 sheet: str | None = None, header_row: int | None = None, progress=None,
                 is_cancelled=None) -> ImportReport:
    """Import files into ``project`` (a new one when ``None``; the project is updated in place)
    and return the :class:`ImportReport` (also stored in ``project``).

    Updating a project: a boundary role given again replaces that layer; facility files replace
    the facilities of the types they contain (other types stay); roads replace roads.
    Facilities are placed again whenever the desa or kecamatan layer changes.  Report lines of
    a re-imported file replace its old lines.

    Parameters
    ----------
    kabupaten, kecamatan, desa, roads
        Paths of GIS layers.
    facilities
        ``[(type_or_None, path), ...]``; ``type`` (``"puskesmas"``, ``"pustu"``,
        ``"posyandu"``, or any spelling such as ``"Poskesdes"``) applies to every row of the
        file, ``None`` reads each row's type column.
    budget
        A budget table, read by ``layers.budget_import.read_budget``.
    staffing
        A staffing table (nakes per facility) joined to the facilities
        (:mod:`layers.importing.staffing`).
    coe
        A COE assessment table (one row per unit Puskesmas, one yes/no column per indicator of
        the project's COE indicator list), kept as the project table ``coe_assessment``
        (:mod:`layers.importing.coe_assessment`).
    population_raster, population_totals, spread_by
        Desa population where no table gave it: a raster summed per desa, then totals
        (``"kabupaten"``, ``"kabupaten=2734623"``, ``"kecamatan:Pagak=45000"``) spread by
        families or area (:mod:`layers.importing.population`).
    desa_data
        Per-desa tables (CSV/XLSX paths), joined to the desa layer after the facilities
        (``layers.importing.desa_data``); their figures replace those of the same desa.
    context
        Context layers (provinces, kabupaten/kota around the district) for the locator inset
        of printed maps (:mod:`layers.importing.context`); never analysed.
    mappings
        Column overrides ``{role: {field: column}}`` (see :mod:`layers.columns`).
    sheet, header_row
        XLSX sheet and its heading row (1-based) for facility tables (default: the first sheet
        with a row of known column names, see ``layers.readers.read_table``).
    """
    lang = normalize_language(lang) if lang else get_language()
    project = project if project is not None else Project()
    mappings = mappings or {}
    with language(lang):
        # the roads file is read alongside the facility files (see _RoadsReader); its place
        # in the progress, the report and the project stays where a sequential read puts it
        road_reader = _RoadsReader(Path(roads), mappings.get("roads"), lang) \
            if roads is not None else None
        state: dict = {}
        try:
            extras = {"staffing": staffing, "coe": coe, "population_raster": population_raster,
                      "population_totals": list(population_totals or ()),
                      "spread_by": spread_by, "context": list(context or ())}
            return _import(project, kabupaten, kecamatan, desa, list(facilities or ()), roads,
                           budget, mappings, lang, (sheet, header_row), progress, is_cancelled,
                           road_reader, state, extras, list(desa_data or ()))
        except BaseException as exc:
            if road_reader is None or state.get("roads_done"):
                raise
            if isinstance(exc, Cancelled) or not isinstance(exc, Exception) \
                    or not state.get("roads_started"):
                road_reader.stop()  # cancelled/interrupted, or failed before the roads' turn
                raise
            # a later file failed: as in a sequential read, a roads error comes first, else
            # the roads are in the project when the later error is raised
            error = road_reader.failed()
            if error is not None:
                raise error from None
            state["set_roads"]()
            raise


def _import(project, kabupaten, kecamatan, desa, facilities, roads, budget, mappings, lang,
            table_at, progress, is_cancelled, road_reader=None, state=None,
            extras=None, desa_data=()) -> ImportReport:
    state = {} if state is None else state
    extras = extras or {}
    sheet, header_row = table_at
    logs: list[_FileLog] = []
    used_mappings: dict[str, dict] = {}
    area_inputs = [(r, p) for r, p in (("kabupaten", kabupaten), ("kecamatan", kecamatan),
                                       ("desa", desa)) if p is not None]
    steps = len(area_inputs) + len(facilities) + (1 if roads else 0) + (1 if budget else 0) + 2 \
        + sum(1 for k in ("staffing", "coe", "population_raster") if extras.get(k)) \
        + (1 if extras.get("population_totals") else 0) \
        + len(desa_data) + len(extras.get("context") or ())
    step = 0

    def tick(msg_key: str, **kw) -> None:
        nonlocal step
        checkpoint(progress, is_cancelled, step / max(steps, 1), tr(msg_key, **kw))
        step += 1

    names_seen: Counter[str] = Counter()
    lookup: list = []  # the desa lookup, built once

    def file_key(path: Path) -> str:
        names_seen[path.name] += 1
        return path.name if names_seen[path.name] == 1 else f"{path.name} ({names_seen[path.name]})"

    changed_areas = False
    for role, p in area_inputs:
        path = Path(p)
        tick("import.progress.reading", file=path.name)
        frame, mapping, log = _read_areas(path, role, mappings.get(role), logs, file_key(path))
        used_mappings[log.file] = mapping.to_dict()
        if len(frame) == 0:
            raise InputError(tr("import.no_usable_features"), file=path.name)
        project.set_layer(role, frame)
        changed_areas = True
    if project.has("desa") and project.has("kecamatan") and changed_areas:
        _complete_desa(project)

    for p in extras.get("context") or ():
        path = Path(p)
        tick("import.progress.reading", file=path.name)
        frame, mapping = read_context(path, mappings.get("context"), logs, file_key(path))
        used_mappings[logs[-1].file] = mapping.to_dict()
        project.set_layer("context", merge_context(
            project.layers.get("context") if project.has("context") else None, frame))

    area_bbox = None
    for role in ("desa", "kecamatan", "kabupaten"):
        if project.has(role):
            area_bbox = tuple(project.layer(role).total_bounds)
            break

    def set_roads() -> None:
        # the roads read in the background: placed where the sequential read put them
        frame, mapping, log = road_reader.result()
        logs[road_slot] = log
        used_mappings[log.file] = mapping.to_dict()
        project.set_layer("roads", frame)
        state["roads_done"] = True

    if roads is not None:
        path = Path(roads)
        tick("import.progress.reading", file=path.name)
        if road_reader is None:
            frame, mapping = _read_roads(path, mappings.get("roads"), logs)
            used_mappings[logs[-1].file] = mapping.to_dict()
            project.set_layer("roads", frame)
            state["roads_done"] = True
        else:
            road_reader.start()
            road_slot = len(logs)
            logs.append(None)  # the roads' report lines come here
            used_mappings[path.name] = None
            state["set_roads"] = set_roads
            state["roads_started"] = True

    new_fac = []
    for declared, p in facilities:
        path = Path(p)
        tick("import.progress.reading", file=path.name)
        dtype_ = None
        if declared is not None and str(declared).strip():
            dtype_ = parse_facility_type_option(str(declared))
        frame, mapping = _read_facilities(path, dtype_, mappings.get("facilities"), area_bbox,
                                          logs, sheet=sheet, header_row=header_row)
        logs[-1].file = file_key(path)
        used_mappings[logs[-1].file] = mapping.to_dict()
        new_fac.append(frame)
    if state.get("roads_started") and not state.get("roads_done"):
        set_roads()

    tick("import.progress.placing")
    if new_fac or changed_areas:
        old = project.facilities if project.has("facilities") else None
        if new_fac:
            fresh = pd.concat(new_fac, ignore_index=True)
            fresh = gpd.GeoDataFrame(fresh, geometry="geometry", crs=model.WGS84)
            fresh = _place_by_declared_desa(fresh, project.desa if project.has("desa")
                                            else None, logs, lookup)
            new_types = set(fresh["type"].dropna())
            if old is not None:
                kept_old = old[~old["type"].isin(new_types)]
            else:
                kept_old = None
            checkpoint(progress, is_cancelled, step / max(steps, 1),
                       tr("import.progress.duplicates"))
            dist = float(project.rules.value("import.duplicate_distance_m", 30.0))
            keep = _duplicates(fresh, logs, dist)
            fresh = fresh[keep].reset_index(drop=True)
            taken = set(kept_old["fac_id"]) if kept_old is not None and len(kept_old) else set()
            fresh["fac_id"] = _objects(_fac_ids(fresh, logs, taken), fresh.index)
            fresh["parent_id"] = _objects([None] * len(fresh), fresh.index)
        else:
            fresh = None
            kept_old = old
        parts = [x for x in (kept_old, fresh) if x is not None and len(x)]
        if parts:
            fac = gpd.GeoDataFrame(pd.concat(parts, ignore_index=True), geometry="geometry",
                                   crs=model.WGS84)
            n_old = len(kept_old) if kept_old is not None else 0
            new_mask = np.zeros(len(fac), dtype=bool)
            new_mask[n_old:] = fresh is not None
            if fresh is None:
                new_mask[:] = False
            checkpoint(progress, is_cancelled, step / max(steps, 1),
                       tr("import.progress.locating"))
            dc, kc = locate_facilities(fac, project.desa if project.has("desa") else None,
                                       project.kecamatan if project.has("kecamatan") else None)
            if "location_quality" in fac.columns and "desa_code" in fac.columns:
                # known only by its desa: the desa found by name or code stays its desa
                by_desa = (fac["location_quality"].to_numpy(object)
                           == model.LocationQuality.DESA.value) & fac["desa_code"].notna().to_numpy()
                dc[by_desa] = fac["desa_code"].to_numpy(object)[by_desa]
            fac["desa_code"] = _objects(dc, fac.index)
            fac["kecamatan_code"] = _objects(kc, fac.index)
            if fresh is not None:
                for col in ("_file", "_pos", "_lon", "_lat", "_decl_code", "_coord_problem",
                            "_decl_kec", "_decl_from_address"):
                    if col not in fac.columns:
                        fac[col] = np.nan
                checkpoint(progress, is_cancelled, step / max(steps, 1),
                           tr("import.progress.checking"))
                _check_locations(fac, project.desa if project.has("desa") else None,
                                 project.kecamatan if project.has("kecamatan") else None,
                                 project.kabupaten if project.has("kabupaten") else None,
                                 logs, new_mask, lookup)
                declared_kec = _check_kecamatan(
                    fac, project.kecamatan if project.has("kecamatan") else None, logs, new_mask)
                old_kec = fac["declared_kecamatan_code"].to_numpy(object) \
                    if "declared_kecamatan_code" in fac.columns else np.full(len(fac), None)
                fac["declared_kecamatan_code"] = _objects(
                    np.where(new_mask, declared_kec, old_kec), fac.index)
                checkpoint(progress, is_cancelled, step / max(steps, 1),
                           tr("import.progress.parents"))
                fac["parent_id"] = _objects(_resolve_parents(fac, logs, new_mask), fac.index)
            fac = fac.drop(columns=[c for c in ("_file", "_pos", "_lon", "_lat", "_decl_kec",
                                                "_coord_problem", "_decl_code",
                                                "_decl_from_address")
                                    if c in fac.columns])
            project.set_layer("facilities", fac)

    # after the facilities: the tables' counts are compared with the facility list
    import_desa_tables(project, desa_data, mappings.get("desa_data"), logs, used_mappings,
                       file_key, tick=tick)

    if extras.get("staffing") is not None:  # after the facilities it is joined to
        path = Path(extras["staffing"])
        tick("import.progress.reading", file=path.name)
        fac, mapping = import_staffing(
            path, project.facilities if project.has("facilities") else None,
            project.desa if project.has("desa") else None,
            project.kabupaten if project.has("kabupaten") else None,
            mappings.get("staffing"), logs, sheet=sheet, header_row=header_row)
        logs[-1].file = file_key(path)
        used_mappings[logs[-1].file] = mapping.to_dict()
        project.set_layer("facilities", fac)
    if extras.get("coe") is not None:  # after the facilities: rows name unit Puskesmas
        from ilp_gis.analysis import project_indicators
        from ilp_gis.coe import ASSESSMENT_TABLE

        path = Path(extras["coe"])
        tick("import.progress.reading", file=path.name)
        table, mapping = import_coe_assessment(path, project, mappings.get("coe"), logs,
                                               project_indicators(project), sheet=sheet,
                                               header_row=header_row)
        logs[-1].file = file_key(path)
        used_mappings[logs[-1].file] = mapping.to_dict()
        project.set_table(ASSESSMENT_TABLE, table)
    if extras.get("population_raster") is not None:
        path = Path(extras["population_raster"])
        tick("import.progress.reading", file=path.name)
        raster_population(project, path, logs)
        logs[-1].file = file_key(path)
    if extras.get("population_totals"):
        tick("import.progress.population")
        spread_totals(project, extras["population_totals"], extras.get("spread_by") or "auto",
                      logs)

    if budget is not None:  # after the facilities: budget targets name desa and facilities
        path = Path(budget)
        tick("import.progress.reading", file=path.name)
        _import_budget(project, path, logs, used_mappings, mappings.get("budget"), lang)

    tick("import.progress.report")
    parts = [lg.frame() for lg in logs]
    report_frame = pd.concat(parts, ignore_index=True) if parts else \
        model.empty_frame(model.IMPORT_REPORT)
    old_report = project.layers.get("import_report")
    if old_report is not None and len(old_report):
        files = set(report_frame["file"].unique())
        report_frame = model.conform(report_frame, model.IMPORT_REPORT)
        old_report = old_report[~old_report["file"].isin(files)]
        project.set_layer("import_report", pd.concat([old_report, report_frame],
                                                     ignore_index=True))
    else:  # built to the spec (_FileLog.frame; other readers' reports conformed there)
        project.set_layer("import_report", report_frame, conformed=True)
    stored = project.meta_json(model.META_MAPPINGS, {}) or {}
    stored.update(used_mappings)
    project.set_meta_json(model.META_MAPPINGS, stored)
    _record_sources(project, {"kabupaten": [kabupaten], "kecamatan": [kecamatan], "desa": [desa],
                              "facilities": [f[1] if isinstance(f, tuple) else f
                                             for f in facilities or ()],
                              "roads": [roads], "budget": [budget],
                              "staffing": [extras.get("staffing")],
                              "coe": [extras.get("coe")],
                              "population_raster": [extras.get("population_raster")],
                              "desa_data": list(desa_data),
                              "context": list(extras.get("context") or ())})
    checkpoint(progress, is_cancelled, 1.0, tr("import.progress.done"))

    layer_counts = {name: len(project.layers[name]) for name in
                    ("kabupaten", "kecamatan", "desa", "facilities", "roads", "budget")
                    if name in project.layers}
    fac_counts = {}
    loc_counts = {}
    if project.has("facilities"):
        vc = project.facilities["type"].value_counts()
        fac_counts = {t.value: int(vc.get(t.value, 0)) for t in FacilityType}
        qc = pd.Series(qualities(project.facilities), dtype=object).value_counts()
        loc_counts = {q.value: int(qc.get(q.value, 0)) for q in model.LocationQuality}
    with language(lang):
        checklist = checklist_lines(inventory(project))
    return ImportReport(report_frame, used_mappings, layer_counts, fac_counts, lang,
                        location_counts=loc_counts, checklist=checklist)


def _import_budget(project, path: Path, logs, used_mappings, mapping, lang) -> None:
    """Budget lines through the planning module's reader (``layers.budget_import``)."""
    from layers import budget_import  # looked up at call time (tests put a stand-in there)

    frame, report = budget_import.read_budget(
        path, mapping=mapping or None, lang=lang,
        desa=project.desa if project.has("desa") else None,
        facilities=project.facilities if project.has("facilities") else None,
        rules=project.rules)  # budget.max_line_amount bounds one line
    project.set_layer("budget", frame)
    logs.append(_ReportLog(path.name, "budget", report))
    used_mappings[path.name] = {"role": "budget", "fields": dict(mapping or {})}


def _record_sources(project: Project, files: dict[str, list]) -> None:
    """Keep meta ``sources_json`` up to date: one entry per imported file with its role, name,
    the file's own date (what the reports call the data date) and when it was imported."""
    now = dt.datetime.now().isoformat(timespec="seconds")
    entries = [e for e in (project.meta_json(model.META_SOURCES, []) or [])
               if isinstance(e, dict)]
    for role, paths in files.items():
        for p in paths:
            if p is None:
                continue
            path = Path(p)
            try:
                date = dt.date.fromtimestamp(path.stat().st_mtime).isoformat()
            except OSError:
                date = None
            entries = [e for e in entries if not (e.get("role") == role
                                                  and e.get("file") == path.name)]
            entries.append({"role": role, "file": path.name, "date": date, "imported": now})
    project.set_meta_json(model.META_SOURCES, entries)


register_catalog("layers", "importing.pipeline")
