"""The input inventory: which inputs a project holds, and which inputs each figure, gap and
result column needs.  The one place every output asks before it prints a number: a figure
whose input was never loaded is missing ("tidak ada data — muat daftar Pustu"), never 0.

``inventory(project)`` looks at the layers; ``Inventory.from_summary`` reads the same facts back
from a stored ``summary.json``.  Imports pandas and ``ilp_gis`` (model, i18n).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ilp_gis import model
from ilp_gis.i18n import register_catalog, tr

INPUTS = ("kabupaten", "kecamatan", "desa", "puskesmas", "pustu", "posyandu", "population",
          "dusun_rw", "staffing", "kader", "coe", "roads", "budget", "puskesmas_list",
          "pustu_list", "posyandu_list", "puskesmas_positions", "pustu_positions",
          "posyandu_positions", "lokus", "posyandu_strata")
"""Every input the inventory knows, in the order of the import checklist.  ``<type>_list`` is
the facilities of a type one by one (a list or register, with or without coordinates), which
per-desa counts do not give: the network and staffing need it.  ``<type>_positions`` is the
coordinates of at least one of them (or, with ``coverage.place_desa_facilities``, a desa to
place it at): distances, travel times and reach need it.  ``lokus`` is the lokus ILP
designation of the Puskesmas (column ``ilp_lokus``, with its decree); ``posyandu_strata`` the
declared stratum of the Posyandu (column ``level``)."""

LISTED = {f"{t}_list": t for t in ("puskesmas", "pustu", "posyandu")}
LISTED.update({f"{t}_positions": f"{t}_list" for t in ("puskesmas", "pustu", "posyandu")})
LISTED.update({"lokus": "puskesmas_list", "posyandu_strata": "posyandu_list"})
"""Input -> the input it refines (a refinement is not named when what it refines is absent)."""

CHECKLIST = ("kabupaten", "kecamatan", "desa", "puskesmas", "pustu", "posyandu", "population",
             "dusun_rw", "staffing", "kader", "roads", "budget")
"""What a full ILP analysis needs (the checklist printed after every import)."""

STAFF_COLUMNS = ("nurses", "midwives", "nakes", "nurses_asn", "nurses_non_asn", "midwives_asn",
                 "midwives_non_asn", "other_nakes")
"""Facility columns any one of which makes staffing present."""

DUSUN_COLUMNS = ("dusun_count", "rw_count", "area_heads")
"""Desa columns any one of which makes dusun/RW present."""

# Figures of summary.json (dotted keys for nested figures) -> the inputs each needs.
FIGURE_NEEDS: dict[str, tuple[str, ...]] = {
    "desa_total": ("desa",),
    "desa_without_pustu": ("pustu",),
    "desa_without_posyandu": ("posyandu",),
    "kecamatan_without_puskesmas": ("puskesmas",),
    "facility_counts.puskesmas": ("puskesmas",),
    "facility_counts.pustu": ("pustu",),
    "facility_counts.posyandu": ("posyandu",),
    "pustu_precursors": ("pustu",),
    "posyandu_needed": ("dusun_rw",),
    "posyandu_coverage": ("posyandu", "dusun_rw"),
    "population_total": ("population",),
    "population_within_distance.pustu": ("population", "pustu", "pustu_positions"),
    "population_within_distance.puskesmas": ("population", "puskesmas", "puskesmas_positions"),
    "population_served_capacity.pustu": ("population", "pustu", "pustu_positions"),
    "population_served_capacity.puskesmas": ("population", "puskesmas",
                                              "puskesmas_positions"),
    "population_within_travel_time.pustu": ("population", "pustu", "pustu_positions", "roads"),
    "population_within_travel_time.puskesmas": ("population", "puskesmas", "puskesmas_positions",
                                                "roads"),
    "coe_meeting_threshold": ("coe",),
    "pustu_staffed": ("pustu", "pustu_list", "staffing"),
    "kader_ok": ("posyandu", "posyandu_list", "kader"),
    "budget": ("budget",),
    "lokus": ("puskesmas", "puskesmas_list", "lokus"),
    "posyandu_strata": ("posyandu", "posyandu_list", "posyandu_strata"),
    "posyandu_shortfall": ("posyandu", "dusun_rw"),
}

# Gap kinds (``kind`` or ``kind.facility_type``) -> the inputs the check needs.
GAP_NEEDS: dict[str, tuple[str, ...]] = {
    "no_puskesmas": ("puskesmas",),
    "no_pustu": ("pustu",),
    "posyandu_deficit": ("posyandu", "dusun_rw"),
    "beyond_distance.pustu": ("pustu", "pustu_positions"),
    "beyond_distance.puskesmas": ("puskesmas", "puskesmas_positions"),
    "beyond_travel_time.pustu": ("pustu", "pustu_positions", "roads"),
    "beyond_travel_time.puskesmas": ("puskesmas", "puskesmas_positions", "roads"),
    "understaffed_pustu": ("pustu", "pustu_list", "staffing"),
    "kader_deficit": ("posyandu", "posyandu_list", "kader"),
    "coe_below_threshold": ("coe",),
}

# Network findings that only mean something when the lower tier was loaded.
NETWORK_NEEDS: dict[str, tuple[str, ...]] = {
    "orphan": ("puskesmas",),
    "puskesmas_without_pustu": ("pustu", "pustu_list"),
    "pustu_without_posyandu": ("posyandu", "posyandu_list"),
}

# Columns of the analysed desa / kecamatan tables -> the inputs their values need.
COLUMN_NEEDS: dict[str, tuple[str, ...]] = {
    "population": ("population",),
    "dusun_count": ("dusun_rw",),
    "n_puskesmas": ("puskesmas",),
    "n_pustu": ("pustu",),
    "n_pustu_precursor": ("pustu",),
    "has_pustu": ("pustu",),
    "desa_with_pustu": ("pustu",),
    "desa_without_pustu": ("pustu",),
    "n_posyandu": ("posyandu",),
    "posyandu": ("posyandu",),
    "posyandu_needed": ("dusun_rw",),
    "posyandu_deficit": ("posyandu", "dusun_rw"),
    "pustu_nakes_ok": ("pustu", "pustu_list", "staffing"),
    "kader_ok_share": ("posyandu", "posyandu_list", "kader"),
    "dist_pustu_km": ("pustu", "pustu_positions"),
    "max_dist_pustu_km": ("pustu", "pustu_positions"),
    "travel_pustu_min": ("pustu", "pustu_positions", "roads"),
    "max_travel_pustu_min": ("pustu", "pustu_positions", "roads"),
    "dist_puskesmas_km": ("puskesmas", "puskesmas_positions"),
    "max_dist_puskesmas_km": ("puskesmas", "puskesmas_positions"),
    "travel_puskesmas_min": ("puskesmas", "puskesmas_positions", "roads"),
    "max_travel_puskesmas_min": ("puskesmas", "puskesmas_positions", "roads"),
    "pop_within_pustu_km": ("population", "pustu", "pustu_positions"),
    "pop_within_puskesmas_km": ("population", "puskesmas", "puskesmas_positions"),
    "pop_within_pustu_min": ("population", "pustu", "pustu_positions", "roads"),
    "pop_within_puskesmas_min": ("population", "puskesmas", "puskesmas_positions", "roads"),
    "pop_served_capacity": ("population", "pustu", "pustu_positions"),
    "pop_served_capacity_puskesmas": ("population", "puskesmas", "puskesmas_positions"),
}


@dataclass(frozen=True)
class Inventory:
    """Which inputs are present (``present[name]``) and, for facilities, how they are known
    (``counts_only``: inputs present only as per-desa counts, without points)."""

    present: Mapping[str, bool]
    counts_only: frozenset[str] = field(default_factory=frozenset)

    def has(self, name: str) -> bool:
        return bool(self.present.get(name, True))

    def missing(self, needs: Iterable[str]) -> list[str]:
        """The inputs of ``needs`` the project lacks (empty: the figure can be computed); a
        type's list is not named again when the type is missing altogether."""
        out: list[str] = []
        for n in needs:
            if self.has(n):
                continue
            while LISTED.get(n) is not None and not self.has(LISTED[n]):
                n = LISTED[n]  # name what to load first: the list before its coordinates
            if n not in out:
                out.append(n)
        return _unrefined(out)

    def figure_missing(self, figure: str) -> list[str]:
        return self.missing(FIGURE_NEEDS.get(figure, ()))

    def gap_missing(self, kind: str, facility_type: str | None = None) -> list[str]:
        key = f"{kind}.{facility_type}" if facility_type else kind
        return self.missing(GAP_NEEDS.get(key, GAP_NEEDS.get(kind, ())))

    def column_missing(self, column: str) -> list[str]:
        return self.missing(COLUMN_NEEDS.get(column, ()))

    @property
    def absent(self) -> list[str]:
        """The inputs the project lacks, in the order of :data:`INPUTS`."""
        return _unrefined([n for n in INPUTS if not self.has(n)])

    def blocked_figures(self) -> dict[str, list[str]]:
        """Every summary figure that cannot be computed -> the inputs it lacks."""
        return {f: m for f in FIGURE_NEEDS if (m := self.figure_missing(f))}

    def blocked_gaps(self) -> dict[str, list[str]]:
        """Every gap check that is not made -> the inputs it lacks."""
        return {g: m for g in GAP_NEEDS if (m := self.missing(GAP_NEEDS[g]))}

    def blocked_columns(self) -> dict[str, list[str]]:
        return {c: m for c in COLUMN_NEEDS if (m := self.missing(COLUMN_NEEDS[c]))}

    def to_json(self) -> dict[str, bool]:
        return {n: self.has(n) for n in INPUTS}

    @classmethod
    def from_summary(cls, summary: Mapping | None) -> Inventory | None:
        """The inventory stored in a summary (None for summaries made before it existed)."""
        raw = (summary or {}).get("inputs")
        if not isinstance(raw, Mapping):
            return None
        counts = (summary or {}).get("inputs_counts_only") or ()
        return cls({str(k): bool(v) for k, v in raw.items()}, frozenset(map(str, counts)))

    @classmethod
    def everything(cls) -> Inventory:
        """An inventory with every input present (callers that check nothing)."""
        return cls({n: True for n in INPUTS})


def _unrefined(lacks: list[str]) -> list[str]:
    """``lacks`` without the inputs that refine another absent one (no "Pustu coordinates"
    beside "Pustu list", no "Pustu list" beside "Pustu")."""
    def parent_absent(n: str) -> bool:
        p = LISTED.get(n)
        while p is not None:
            if p in lacks:
                return True
            p = LISTED.get(p)
        return False
    return [n for n in lacks if not parent_absent(n)]


def inventory(project, rules=None) -> Inventory:
    """What ``project`` holds, input by input (see :data:`INPUTS`); ``rules`` (default the
    project's) say whether desa-level facilities are placed at their desa point."""
    from ilp_gis import location
    desa = project.layers.get("desa")
    fac = project.layers.get("facilities")
    settlements = project.layers.get("settlements")
    types = _column(fac, "type").astype(str).str.lower() if fac is not None else pd.Series(
        dtype=object)

    def by_type(t: str) -> pd.Series:
        return types == t

    def counted(kind: str) -> bool:
        return _any_value(desa, f"count_{kind}")

    present: dict[str, bool] = {
        "kabupaten": project.has("kabupaten"),
        "kecamatan": project.has("kecamatan"),
        "desa": project.has("desa"),
        "roads": project.has("roads"),
        "budget": project.has("budget"),
    }
    counts_only: set[str] = set()
    if rules is None:
        rules = getattr(project, "rules", None)
    where = location.positioned(location.qualities(fac), rules) if fac is not None and len(
        fac) else np.zeros(0, dtype=bool)
    for t in ("puskesmas", "pustu", "posyandu"):
        mine = by_type(t).to_numpy(bool) if len(types) else np.zeros(0, dtype=bool)
        points = bool(mine.any())
        counts = t in model.COUNTED_FACILITIES and counted(t)
        present[t] = points or counts
        present[f"{t}_list"] = points
        present[f"{t}_positions"] = bool((mine & where).any())
        if counts and not points:
            counts_only.add(t)
    present["population"] = _any_value(desa, "population") or _any_value(settlements,
                                                                          "population")
    present["dusun_rw"] = any(_any_value(desa, c) for c in DUSUN_COLUMNS)
    present["staffing"] = fac is not None and any(_any_value(fac, c) for c in STAFF_COLUMNS)
    # the rows of a type column by column (a filtered copy of the whole national facility
    # frame cost ~0.2 s)
    posyandu = by_type("posyandu").to_numpy(bool) if fac is not None else None
    present["kader"] = _any_value_in(fac, "kader", posyandu)
    present["coe"] = _any_value(fac, "coe")
    puskesmas = by_type("puskesmas").to_numpy(bool) if fac is not None else None
    present["lokus"] = _any_value_in(fac, "ilp_lokus", puskesmas)
    present["posyandu_strata"] = _any_value_in(fac, "level", posyandu)
    return Inventory(present, frozenset(counts_only))


def inventory_for(summary: Mapping | None, project) -> Inventory:
    """The inventory a result was made with (stored in its summary), else the project's."""
    return Inventory.from_summary(summary) or inventory(project)


def mask_columns(frame, inv: Inventory):
    """``frame`` (an analysed desa or kecamatan table) with every column whose input was never
    loaded set to missing (NaN; ``has_pustu`` to <NA>), so no output prints its 0.  The frame
    is returned as it is when nothing is blocked."""
    blocked = [c for c in inv.blocked_columns() if c in frame.columns]
    if not blocked:
        return frame
    out = frame.copy(deep=False)
    for c in blocked:
        if c == "has_pustu":
            out[c] = pd.Series(pd.NA, index=out.index, dtype="boolean")
        else:
            out[c] = pd.Series(float("nan"), index=out.index, dtype="float64")
    return out


def _column(frame, name: str) -> pd.Series:
    if frame is None or name not in frame.columns:
        return pd.Series(dtype=object)
    return frame[name]


def _any_value(frame, name: str) -> bool:
    return bool(_column(frame, name).notna().any())


def _any_value_in(frame, name: str, rows) -> bool:
    """Whether column ``name`` of ``frame`` holds a value in the rows of the mask ``rows``."""
    if frame is None or name not in frame.columns:
        return False
    return bool(frame[name][rows].notna().any())


# --- texts -----------------------------------------------------------------------------------
def input_label(name: str) -> str:
    """The input's name for people ("daftar Pustu")."""
    return tr(f"inputs.name.{name}")


def load_hint(missing: Iterable[str]) -> str:
    """What to load: "muat daftar Pustu dan penduduk per desa"."""
    names = [input_label(n) for n in missing]
    if not names:
        return ""
    joined = names[0] if len(names) == 1 else (
        ", ".join(names[:-1]) + " " + tr("inputs.and") + " " + names[-1])
    return tr("inputs.load", what=joined)


def missing_text(missing: Iterable[str]) -> str:
    """"tidak ada data — muat daftar Pustu" (or just "tidak ada data" when nothing is named)."""
    missing = list(missing)
    if not missing:
        return tr("common.missing")
    return tr("inputs.missing_text", hint=load_hint(missing))


def summary_missing(summary: Mapping | None, figure: str) -> list[str]:
    """The inputs ``figure`` lacks according to a stored summary (``summary["missing"]``)."""
    raw = (summary or {}).get("missing") or {}
    return list(raw.get(figure) or [])


def shown(value, missing: Iterable[str], fmt=str) -> str:
    """``fmt(value)``, or the missing text naming what to load when ``missing`` is not empty
    ("tidak ada data — muat daftar Pustu"); a value that is None / NaN without a named input
    is "–"."""
    missing = list(missing)
    if missing:
        return missing_text(missing)
    if value is None or (isinstance(value, float) and value != value):
        return "–"
    return fmt(value)


def blocked_lines(inv: Inventory) -> list[str]:
    """One line per absent input: what it is and which figures and gap checks it blocks."""
    figures = inv.blocked_figures()
    gaps = inv.blocked_gaps()
    out = []
    for name in inv.absent:
        what = [tr(f"inputs.figure.{f}") for f, m in figures.items() if name in m]
        what += [tr(f"inputs.gap.{g.split('.')[0]}") for g, m in gaps.items() if name in m]
        what = list(dict.fromkeys(what))
        out.append(tr("inputs.blocked_line", name=input_label(name),
                      what=", ".join(what) if what else tr("inputs.blocks_nothing")))
    return out


def unchecked_text(inv: Inventory) -> str:
    """One sentence naming the gap checks not made and what to load for each ("" when every
    check was made)."""
    per_kind: dict[str, list[str]] = {}
    for key, lacks in inv.blocked_gaps().items():
        kind = key.split(".")[0]
        per_kind.setdefault(kind, [])
        per_kind[kind] += [n for n in lacks if n not in per_kind[kind]]
    if not per_kind:
        return ""
    items = [f"{tr(f'inputs.gap.{k}')} ({load_hint(m)})" for k, m in per_kind.items()]
    return tr("inputs.unchecked", items="; ".join(items))


def checklist_lines(inv: Inventory) -> list[str]:
    """The import checklist: one line per input of :data:`CHECKLIST`, loaded or missing."""
    out = []
    for name in CHECKLIST:
        if inv.has(name):
            key = "inputs.check.counts_only" if name in inv.counts_only else \
                "inputs.check.no_positions" if not inv.has(f"{name}_positions") else \
                "inputs.check.loaded"
        else:
            key = "inputs.check.missing"
        out.append(tr(key, name=input_label(name)))
    return out


register_catalog("ilp_gis", "inputs")
