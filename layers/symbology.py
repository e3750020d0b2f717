"""The one symbology shared by every renderer: the Qt canvas, the reportlab map and the folium map.

A gap is the same colour on screen, on paper and in the browser.  Colours are ``#rrggbb``
strings; renderers convert them.  Every symbol also has a black-and-white cue (marker shape,
hatch pattern, line dash) so printed maps read without colour.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ilp_gis.i18n import register_catalog, tr


@dataclass(frozen=True)
class PointStyle:
    fill: str
    stroke: str
    size: float  # diameter in points (1/72 inch) at print scale; screen uses the same in px
    shape: str  # "square" | "triangle" | "circle" | "diamond" | "cross"
    label_key: str
    hollow: bool = False  # drawn as an outline: a facility known only by its desa

    @property
    def label(self) -> str:
        return tr(self.label_key)


@dataclass(frozen=True)
class AreaStyle:
    fill: str | None
    stroke: str
    stroke_width: float  # points
    fill_opacity: float = 1.0
    dash: tuple[float, ...] = ()
    hatch: str | None = None  # "diagonal" | "cross" | "dots" | "horizontal" | None
    label_key: str = ""

    @property
    def label(self) -> str:
        return tr(self.label_key) if self.label_key else ""


# --- Facilities ---------------------------------------------------------------------------------
FACILITY_STYLES: dict[str, PointStyle] = {
    "puskesmas": PointStyle("#c0392b", "#ffffff", 11.0, "square", "facility.puskesmas"),
    "pustu": PointStyle("#2471a3", "#ffffff", 8.0, "triangle", "facility.pustu"),
    "posyandu": PointStyle("#239b56", "#ffffff", 5.0, "circle", "facility.posyandu"),
}
PRECURSOR_STYLE = PointStyle("#7fb3d5", "#1b4f72", 8.0, "diamond", "symbology.precursor")
# A COE unit (1 Puskesmas + 1 Pustu + that Pustu's Posyandu): its desa outlined in violet over a
# light gold fill, and a violet ring around each member facility (a star-less cue that reads in
# black and white as a thick outline and rings)
COE_UNIT_STYLE = AreaStyle("#f7dc6f", "#6c3483", 2.6, 0.35, label_key="symbology.coe_unit")
COE_MEMBER_STYLE = PointStyle("#ffffff", "#6c3483", 15.0, "circle", "symbology.coe_member",
                              hollow=True)
PROBLEM_FACILITY_STYLE = PointStyle("#f1c40f", "#000000", 9.0, "cross", "symbology.problem")
# known only by its desa (location quality "desa"): the type's shape as a hollow outline in the
# type's colour at the desa point; the legend says why ("hanya desanya diketahui")
DESA_LEVEL_STYLES: dict[str, PointStyle] = {
    key: PointStyle("#ffffff", st.fill, st.size + 1.0, st.shape, f"symbology.desa_level.{key}",
                    hollow=True)
    for key, st in FACILITY_STYLES.items()}


def facility_point_style(ftype, precursor=None, quality=None) -> PointStyle:
    """The marker of one facility: its type's, a Poskesdes/Polindes' own, the hollow one of a
    facility known only by its desa, or the problem cross for an unknown type."""
    ftype = str(ftype or "")
    if isinstance(quality, str) and quality == "desa" and ftype in DESA_LEVEL_STYLES:
        return DESA_LEVEL_STYLES[ftype]
    if ftype == "pustu" and precursor is not None and precursor is not pd.NA \
            and not (isinstance(precursor, float) and precursor != precursor) and bool(precursor):
        return PRECURSOR_STYLE
    return FACILITY_STYLES.get(ftype, PROBLEM_FACILITY_STYLE)

# --- Boundaries ---------------------------------------------------------------------------------
KABUPATEN_STYLE = AreaStyle(None, "#17202a", 2.0, label_key="area.kabupaten")
KECAMATAN_STYLE = AreaStyle(None, "#4d5656", 1.2, dash=(6, 3), label_key="area.kecamatan")
DESA_STYLE = AreaStyle("#f4f1ea", "#aab7b8", 0.4, label_key="area.desa")
SEA_COLOUR = "#d6eaf8"
BACKGROUND_COLOUR = "#ffffff"

# --- Roads (stroke colour, width in points, dash); ferry legs dashed blue -----------------------
ROAD_STYLES: dict[str, AreaStyle] = {
    "arteri": AreaStyle(None, "#d35400", 2.2, label_key="symbology.road.arteri"),
    "kolektor": AreaStyle(None, "#e67e22", 1.6, label_key="symbology.road.kolektor"),
    "lokal": AreaStyle(None, "#95a5a6", 1.0, label_key="symbology.road.lokal"),
    "lingkungan": AreaStyle(None, "#95a5a6", 0.6, label_key="symbology.road.lingkungan"),
    "setapak": AreaStyle(None, "#95a5a6", 0.4, dash=(2, 2), label_key="symbology.road.setapak"),
    "ferry": AreaStyle(None, "#2e86c1", 1.0, dash=(4, 3), label_key="symbology.road.ferry"),
}

# --- Network edges ------------------------------------------------------------------------------
NETWORK_EDGE = {"given": ("#5d6d7e", ()), "inferred": ("#5d6d7e", (3, 2)),
                "direct_to_puskesmas": ("#c0392b", (1, 2))}

# --- Gaps ---------------------------------------------------------------------------------------
from ilp_gis.gaps import GAP_KINDS  # noqa: E402 - the one list, defined by the analysis

GAP_STYLES: dict[str, AreaStyle] = {
    "no_puskesmas": AreaStyle("#78281f", "#78281f", 1.5, 0.55, hatch="cross",
                              label_key="gap.no_puskesmas"),
    "no_pustu": AreaStyle("#e74c3c", "#922b21", 1.0, 0.55, hatch="diagonal",
                          label_key="gap.no_pustu"),
    "posyandu_deficit": AreaStyle("#f5b041", "#af601a", 0.8, 0.5, hatch="dots",
                                  label_key="gap.posyandu_deficit"),
    "beyond_distance": AreaStyle("#af7ac5", "#6c3483", 0.8, 0.5, hatch="horizontal",
                                 label_key="gap.beyond_distance"),
    "beyond_travel_time": AreaStyle("#8e44ad", "#4a235a", 0.8, 0.5, hatch="vertical",
                                    label_key="gap.beyond_travel_time"),
    "understaffed_pustu": AreaStyle("#f1948a", "#922b21", 0.8, 0.45, hatch="backdiagonal",
                                    label_key="gap.understaffed_pustu"),
    "kader_deficit": AreaStyle("#f9e79f", "#9a7d0a", 0.8, 0.45, hatch="dots",
                               label_key="gap.kader_deficit"),
    "coe_below_threshold": AreaStyle("#85c1e9", "#1b4f72", 0.8, 0.45, hatch="vertical",
                                     label_key="gap.coe_below_threshold"),
    "orphan_facility": AreaStyle("#f1c40f", "#000000", 0.8, 0.6, label_key="gap.orphan_facility"),
    "network_problem": AreaStyle("#f1c40f", "#000000", 0.8, 0.6, dash=(2, 2),
                                 label_key="gap.network_problem"),
}
# The colour a desa takes on the "gaps" layer: the most severe gap wins (order of GAP_KINDS).
GAP_SEVERITY = {kind: i for i, kind in enumerate(GAP_KINDS)}
HIGHLIGHT_COLOUR = "#00e5ff"
SELECTION_COLOUR = "#ffff00"

# --- Budget sync --------------------------------------------------------------------------------
FUNDING_STYLES: dict[str, AreaStyle] = {
    "funded": AreaStyle("#27ae60", "#145a32", 0.8, 0.55, hatch=None, label_key="funding_state.funded"),
    "partly": AreaStyle("#f4d03f", "#7d6608", 0.8, 0.55, hatch="diagonal",
                        label_key="funding_state.partly"),
    "unfunded": AreaStyle("#cb4335", "#641e16", 0.8, 0.55, hatch="cross",
                          label_key="funding_state.unfunded"),
}

# --- Planning scenarios ---------------------------------------------------------------------------
# A scenario's sites by action (a bold colour and its own shape, apart from the existing
# facilities) and the desa where it closes or opens gaps; the same on screen, paper and web.
SCENARIO_SITE_STYLES: dict[str, PointStyle] = {
    "new_pustu": PointStyle("#d4ac0d", "#000000", 10.0, "triangle", "scenario.action.new_pustu"),
    "upgrade_pustu": PointStyle("#e67e22", "#000000", 10.0, "diamond",
                                "scenario.action.upgrade_pustu"),
    "new_posyandu": PointStyle("#d63384", "#000000", 8.0, "circle",
                               "scenario.action.new_posyandu"),
}
SCENARIO_OTHER_SITE_STYLE = PointStyle("#8e44ad", "#000000", 8.0, "square",
                                       "symbology.scenario.other")
SCENARIO_CHANGE_STYLES: dict[str, AreaStyle] = {
    "closed": AreaStyle("#1e8449", "#1e8449", 1.2, 0.30, label_key="symbology.scenario.closed"),
    "new": AreaStyle("#6c3483", "#6c3483", 1.2, 0.30, hatch="diagonal",
                     label_key="symbology.scenario.new"),
}


def scenario_site_style(action) -> PointStyle:
    """The marker of a scenario's site for its action."""
    return SCENARIO_SITE_STYLES.get(str(action), SCENARIO_OTHER_SITE_STYLE)


# PWS classes (Pemantauan Wilayah Setempat): traffic light from on target and rising (green) to
# below target and falling (red); worse classes hatched so they read in grey print as well.
# A desa without data is white with dots ("tidak ada data"), never coloured as a low figure.
PWS_STYLES: dict[str, AreaStyle] = {
    "baik": AreaStyle("#1a9850", "#0b4d28", 0.6, 0.75, label_key="pws.class.baik"),
    "kurang": AreaStyle("#fee08b", "#8a6d0b", 0.6, 0.85, hatch="horizontal",
                        label_key="pws.class.kurang"),
    "cukup": AreaStyle("#fdae61", "#8a4a0b", 0.6, 0.85, hatch="diagonal",
                       label_key="pws.class.cukup"),
    "jelek": AreaStyle("#d73027", "#67000d", 0.6, 0.8, hatch="cross",
                       label_key="pws.class.jelek"),
    "missing": AreaStyle("#ffffff", "#9a9a9a", 0.4, 1.0, hatch="dots",
                         label_key="common.missing"),
}
PWS_MISSING = "missing"


def pws_style_key(pws_class) -> str:
    """The :data:`PWS_STYLES` key of a PWS class: the class itself, or "missing" for a desa
    without data (``None``, NaN or anything that is not one of the four classes)."""
    return pws_class if isinstance(pws_class, str) and pws_class in PWS_STYLES \
        and pws_class != PWS_MISSING else PWS_MISSING


def pws_class_theme(ranking) -> dict[str, str]:
    """{desa code: PWS style key} of a :func:`ilp_gis.monitoring.pws.ranking` (every desa of the
    ranking; one without data is "missing") - how every map colours desa by PWS class."""
    return {str(c): pws_style_key(k)
            for c, k in zip(ranking["desa_code"], ranking["pws_class"], strict=True)}

# --- Thematic colouring (coverage figures) --------------------------------------------------------
# Sequential ramp, light = low coverage (bad) ... dark = high (good); colour-blind safe (viridis-like).
COVERAGE_RAMP = ("#fde725", "#7ad151", "#22a884", "#2a788e", "#414487")
# Ramp for "more is worse" figures (travel minutes, unserved people, priority score).
BURDEN_RAMP = ("#fee5d9", "#fcae91", "#fb6a4a", "#de2d26", "#a50f15")
NO_DATA_COLOUR = "#d5d8dc"


def quantile_breaks(values, classes: int = 5) -> list[float]:
    """Upper class bounds by quantiles (unique, ascending); empty input → []."""
    v = _finite(values)
    if v.size == 0:
        return []
    qs = np.quantile(v, np.linspace(0, 1, classes + 1)[1:])
    return sorted(set(float(q) for q in qs))


def natural_breaks(values, classes: int = 5) -> list[float]:
    """Upper class bounds by Jenks natural breaks (Fisher's exact method on ≤ 2,000 samples)."""
    v = np.sort(_finite(values))
    if v.size == 0:
        return []
    if v.size > 2000:  # sample evenly: the breaks of 2,000 sorted values are close enough
        v = v[np.linspace(0, v.size - 1, 2000).astype(int)]
    uniq = np.unique(v)
    k = min(classes, uniq.size)
    if k <= 1:
        return [float(v[-1])]
    n = v.size
    # Fisher-Jenks dynamic programme over sorted values (O(k n^2) with prefix sums).
    s1 = np.concatenate([[0.0], np.cumsum(v)])
    s2 = np.concatenate([[0.0], np.cumsum(v * v)])

    def ssd(i: int, j: int) -> float:  # sum of squared deviations of v[i:j]
        m = j - i
        s = s1[j] - s1[i]
        return (s2[j] - s2[i]) - s * s / m

    cost = np.full((k + 1, n + 1), math.inf)
    back = np.zeros((k + 1, n + 1), dtype=int)
    cost[0, 0] = 0.0
    for c in range(1, k + 1):
        for j in range(c, n + 1):
            best, arg = math.inf, c - 1
            for i in range(c - 1, j):
                val = cost[c - 1, i] + ssd(i, j)
                if val < best:
                    best, arg = val, i
            cost[c, j] = best
            back[c, j] = arg
    bounds = []
    j = n
    for c in range(k, 0, -1):
        bounds.append(float(v[j - 1]))
        j = back[c, j]
    return sorted(set(bounds))


def classify(values, breaks: list[float]) -> np.ndarray:
    """Class index per value (0..len(breaks)-1); -1 for missing."""
    arr = np.asarray(values, dtype=float)
    out = np.searchsorted(np.asarray(breaks, dtype=float), arr, side="left")
    out = np.minimum(out, max(len(breaks) - 1, 0))
    out[~np.isfinite(arr)] = -1
    return out


def ramp_colours(ramp: tuple[str, ...], n: int) -> list[str]:
    """``n`` colours spread over ``ramp`` (interpolated in RGB)."""
    if n <= 0:
        return []
    if n == 1:
        return [ramp[len(ramp) // 2]]
    rgb = np.array([hex_to_rgb(c) for c in ramp], dtype=float)
    pos = np.linspace(0, len(ramp) - 1, n)
    out = []
    for p in pos:
        i = min(int(p), len(ramp) - 2)
        t = p - i
        c = rgb[i] * (1 - t) + rgb[i + 1] * t
        out.append(rgb_to_hex(tuple(int(round(x)) for x in c)))
    return out


def thematic_colours(values, *, method: str = "quantile", classes: int = 5,
                     higher_is_better: bool = True) -> tuple[list[str], list[float], list[str]]:
    """Colour per value plus the legend (breaks and class colours)."""
    breaks = (natural_breaks if method == "natural" else quantile_breaks)(values, classes)
    ramp = COVERAGE_RAMP if higher_is_better else BURDEN_RAMP
    palette = ramp_colours(ramp, len(breaks))
    idx = classify(values, breaks)
    colours = [palette[i] if i >= 0 else NO_DATA_COLOUR for i in idx]
    return colours, breaks, palette


def hex_to_rgb(colour: str) -> tuple[int, int, int]:
    c = colour.lstrip("#")
    return int(c[0:2], 16), int(c[2:4], 16), int(c[4:6], 16)


def rgb_to_hex(rgb: tuple[int, int, int]) -> str:
    return "#{:02x}{:02x}{:02x}".format(*rgb)


def _finite(values) -> np.ndarray:
    arr = np.asarray(values, dtype=float).ravel()
    return arr[np.isfinite(arr)]


register_catalog("layers", "symbology")
