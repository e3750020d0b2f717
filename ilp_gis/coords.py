"""Reading facility coordinates the way planners write them, and fixing what can be fixed
(every fix and rejection is reported).  Imports numpy, pandas and ``ilp_gis`` (i18n, speed).
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ilp_gis.i18n import register_catalog, tr
from ilp_gis.speed.arrow import to_float

INDONESIA_BBOX = (94.0, -11.5, 142.0, 6.5)
"""(min lon, min lat, max lon, max lat) around Indonesia."""

AREA_MARGIN_DEG = 0.1
"""Margin added around a study area's bounding box (about 11 km)."""

OK, FIXED, DOUBTFUL, REJECTED = "ok", "fixed", "doubtful", "rejected"

_HEMISPHERES = {"LS": ("lat", -1), "LU": ("lat", 1), "S": ("lat", -1), "N": ("lat", 1),
                "U": ("lat", 1),
                "BT": ("lon", 1), "BB": ("lon", -1), "E": ("lon", 1), "W": ("lon", -1),
                "T": ("lon", 1)}
_NUMBER = re.compile(r"\d+(?:[.,]\d+)?")
_DMS_MARKS = re.compile(r"[°º˚'′’\"″”:]")

# why a coordinate reads as empty when the reader knows (replaces ``missing_coordinates``)
EMPTY_BECAUSE = ("formula_without_value", "mixed_delimiter")
_CANNOT_READ = ("unreadable_coordinates", "not_finite_coordinates")

_PROBLEM_STATUS = {
    "missing_coordinates": REJECTED, "zero_coordinates": REJECTED,
    "not_finite_coordinates": REJECTED, "formula_without_value": REJECTED,
    "mixed_delimiter": REJECTED,
    "unreadable_coordinates": REJECTED, "projected_coordinates": REJECTED,
    "outside_indonesia": REJECTED, "swapped_coordinates": FIXED, "missing_minus_sign": FIXED,
    "comma_decimal": FIXED, "dms": FIXED, "outside_study_area": DOUBTFUL,
}


@dataclass(frozen=True)
class CoordResult:
    """One point: ``lon``/``lat`` (NaN when rejected), status ``ok|fixed|doubtful|rejected``,
    the problem kinds found and the original values."""

    lon: float
    lat: float
    status: str
    problems: tuple[str, ...]
    original: str

    def message(self, *, lang: str | None = None) -> str:
        return problems_message(self.problems, lon=self.lon, lat=self.lat,
                                original=self.original, lang=lang)


def problems_message(problems, *, lon: float = math.nan, lat: float = math.nan,
                     original: str = "", lang: str | None = None) -> str:
    """One sentence describing coordinate problem kinds ("" when none)."""
    return "; ".join(tr(f"coords.problem.{p}", lang=lang, original=original,
                        lon=_fmt(lon), lat=_fmt(lat)) for p in problems)


def _fmt(v: float) -> str:
    return "–" if v is None or not math.isfinite(v) else f"{v:.6f}"


def parse_value(value: object) -> tuple[float, str | None, tuple[str, ...]]:
    """Read one coordinate value.

    Returns ``(number, axis, problems)``: ``number`` is NaN when empty or unreadable, ``axis``
    is ``"lat"``/``"lon"`` when a hemisphere letter said so, ``problems`` the notes
    (``comma_decimal``, ``dms``, ``unreadable_coordinates``).

    Accepted spellings of one value: numbers (``-8.123``), comma decimals (``-8,123``), degrees
    with minutes/seconds and a hemisphere (``7°56'12,5" LS``, ``112° 37' 45" BT``, ``S 7 56 12.5``)
    with the Indonesian letters LS/LU/BT/BB or S/N/E/W.
    """
    if value is None or isinstance(value, bool):
        return math.nan, None, (() if value is None else ("unreadable_coordinates",))
    if isinstance(value, int | float | np.integer | np.floating):
        f = float(value)
        if math.isinf(f):
            return math.nan, None, ("not_finite_coordinates",)
        return (f if math.isfinite(f) else math.nan), None, ()
    text = str(value).strip().upper().replace("\u2212", "-").replace("\u00a0", " ")
    if not text:
        return math.nan, None, ()
    try:
        f = float(text)
    except ValueError:
        pass
    else:  # "inf", "-Infinity", "1e999", "nan" are numbers to Python, not coordinates
        return (f, None, ()) if math.isfinite(f) else (math.nan, None,
                                                       ("not_finite_coordinates",))
    letters = re.sub(r"[^A-Z]", "", text)
    axis = sign = None
    if letters:
        if letters not in _HEMISPHERES:
            return math.nan, None, ("unreadable_coordinates",)
        axis, sign = _HEMISPHERES[letters]
    rest = re.sub(r"[A-Z]", " ", text)
    negative = rest.strip().startswith("-")
    numbers = _NUMBER.findall(rest)
    leftovers = _NUMBER.sub(" ", _DMS_MARKS.sub(" ", rest)).replace("-", " ").strip()
    if not numbers or len(numbers) > 3 or leftovers:
        return math.nan, None, ("unreadable_coordinates",)
    problems: list[str] = []
    if any("," in n for n in numbers):
        problems.append("comma_decimal")
    vals = [float(n.replace(",", ".")) for n in numbers]
    if len(vals) > 1:
        if any(v >= 60 for v in vals[1:]) or any(not v.is_integer() for v in vals[:-1]):
            return math.nan, None, ("unreadable_coordinates",)
        problems.append("dms")
    elif letters:
        problems.append("dms")
    deg = vals[0] + (vals[1] / 60 if len(vals) > 1 else 0) + (vals[2] / 3600 if len(vals) > 2
                                                              else 0)
    if sign is not None:
        if negative and sign > 0:  # "-7.5 LU" contradicts itself
            return math.nan, None, ("unreadable_coordinates",)
        deg = deg * sign
    elif negative:
        deg = -deg
    return deg, axis, tuple(problems)


def _inside(lon, lat, bbox, margin=0.0):
    return ((lon >= bbox[0] - margin) & (lon <= bbox[2] + margin)
            & (lat >= bbox[1] - margin) & (lat <= bbox[3] + margin))


def fix_points(lons, lats, *, area_bbox=None) -> pd.DataFrame:
    """Read and check many points at once (vectorised; the slow path only for text values).

    Parameters
    ----------
    lons, lats
        Sequences of raw values (numbers, text, None) from the longitude and latitude columns.
    area_bbox
        ``(minx, miny, maxx, maxy)`` in degrees of the study area, or ``None``.

    Returns a DataFrame (same length, positional index) with ``lon``, ``lat``, ``status`` and
    ``problems`` (a tuple per row).
    """
    def numbers(values):
        """(raw values, float array); a float array is used as it is (no text to read)."""
        if isinstance(values, np.ndarray) and values.dtype.kind == "f":
            num = np.array(values, dtype=float)
            return pd.Series(num, dtype=float), num
        raw = pd.Series(list(values) if not isinstance(values, pd.Series) else
                        values.to_numpy(), dtype=object)
        return raw, to_float(raw)

    lon_raw, lon = numbers(lons)
    lat_raw, lat = numbers(lats)
    n = len(lon_raw)
    if len(lat_raw) != n:
        raise ValueError("lons and lats differ in length")
    notes: dict[int, list[str]] = defaultdict(list)  # only rows with something to say

    def _slow(raw: pd.Series, num: np.ndarray) -> np.ndarray:
        todo = np.flatnonzero(np.isnan(num) & raw.notna().to_numpy())
        axes = np.full(n, None, dtype=object)
        if not len(todo):
            return axes
        # comma decimals ("-8,123") in bulk; everything else value by value
        sub = raw.iloc[todo]
        is_text = np.array([v.__class__ is str for v in sub], dtype=bool)
        if is_text.any():
            txt = sub[is_text].astype(str).str.strip()
            comma = txt.str.fullmatch(r"-?\d{1,3},\d+").fillna(False).to_numpy(dtype=bool)
            if comma.any():
                idx = todo[is_text][comma]
                num[idx] = pd.to_numeric(txt[comma].str.replace(",", ".", regex=False),
                                         errors="coerce").to_numpy(dtype=float)
                for i in idx:
                    notes[i].append("comma_decimal")
            blank = (txt == "").to_numpy(dtype=bool)
            done = np.zeros(len(todo), dtype=bool)
            done[np.flatnonzero(is_text)[comma | blank]] = True
            todo = todo[~done]
        for i in todo:
            v, axis, probs = parse_value(raw.iat[i])
            num[i] = v
            axes[i] = axis
            for p in probs:
                if p not in notes[i]:
                    notes[i].append(p)
        return axes

    lon_axes = _slow(lon_raw, lon)
    lat_axes = _slow(lat_raw, lat)
    hint_swap = (lon_axes == "lat") | (lat_axes == "lon")
    if hint_swap.any():
        lon[hint_swap], lat[hint_swap] = lat[hint_swap].copy(), lon[hint_swap].copy()
        for i in np.flatnonzero(hint_swap):
            notes[i].append("swapped_coordinates")

    status = np.empty(n, dtype=object)
    status[:] = OK  # filled by a slice: np.full of a str is many times slower
    infinite = np.isinf(lon) | np.isinf(lat)  # numbers read in bulk ("inf" text included)
    for i in np.flatnonzero(infinite):
        notes[i].append("not_finite_coordinates")
    lon[infinite] = np.nan
    lat[infinite] = np.nan
    unreadable = np.zeros(n, dtype=bool)
    for i, x in notes.items():
        unreadable[i] = any(k in x for k in _CANNOT_READ)
    missing = (np.isnan(lon) | np.isnan(lat)) & ~unreadable
    zero = ~missing & ~unreadable & ((lon == 0) | (lat == 0))
    projected = ~missing & ~unreadable & ~zero & ((np.abs(lon) > 360) | (np.abs(lat) > 360))
    bad = missing | zero | projected | unreadable
    for mask, kind in ((missing, "missing_coordinates"), (zero, "zero_coordinates"),
                       (projected, "projected_coordinates")):
        for i in np.flatnonzero(mask):
            notes[i].append(kind)

    indo = INDONESIA_BBOX
    regions = [(area_bbox, AREA_MARGIN_DEG)] if area_bbox is not None else []
    regions.append((indo, 0.0))
    placed = bad.copy()
    candidates = (
        ((), lambda x, y: (x, y)),
        (("swapped_coordinates",), lambda x, y: (y, x)),
        (("missing_minus_sign",), lambda x, y: (x, -y)),
        (("swapped_coordinates", "missing_minus_sign"), lambda x, y: (y, -x)),
    )
    out_lon, out_lat = lon.copy(), lat.copy()
    for r_i, (bbox, margin) in enumerate(regions):
        for kinds, fn in candidates:
            todo = ~placed
            if not todo.any():
                break
            cx, cy = fn(lon, lat)
            hit = todo & _inside(cx, cy, bbox, margin)
            if "missing_minus_sign" in kinds:
                hit &= cy < 0  # only a positive latitude made negative
            if not hit.any():
                continue
            out_lon[hit], out_lat[hit] = cx[hit], cy[hit]
            placed |= hit
            is_area_miss = area_bbox is not None and r_i == len(regions) - 1
            if not kinds and not is_area_miss:
                continue  # placed as written: nothing to note (most rows)
            for i in np.flatnonzero(hit):
                notes[i].extend(kinds)
                if is_area_miss:
                    notes[i].append("outside_study_area")
    outside = ~placed
    for i in np.flatnonzero(outside):
        notes[i].append("outside_indonesia")
    rejected = bad | outside
    out_lon[rejected] = np.nan
    out_lat[rejected] = np.nan
    problems: list[tuple[str, ...]] = [()] * n
    for i, x in notes.items():
        if not x:
            continue
        problems[i] = tuple(dict.fromkeys(x))
        kinds = {_PROBLEM_STATUS[p] for p in problems[i]}
        status[i] = (REJECTED if REJECTED in kinds else DOUBTFUL if DOUBTFUL in kinds
                     else FIXED)
    return pd.DataFrame({"lon": out_lon, "lat": out_lat,
                         "status": pd.Series(status, dtype=object),  # no string-dtype copy
                         "problems": pd.Series(problems, dtype=object)})


def explain_missing(problems: tuple[str, ...], reason: str) -> tuple[str, ...]:
    """``problems`` with ``missing_coordinates`` replaced by the reason the reader knows the
    cells read as empty (one of :data:`EMPTY_BECAUSE`); other problems are kept."""
    if "missing_coordinates" not in problems:
        return problems
    return tuple(reason if p == "missing_coordinates" else p for p in problems)


def fix_point(lon: object, lat: object, *, area_bbox=None) -> CoordResult:
    """:func:`fix_points` for one point, as a :class:`CoordResult`.

    Checks on each point (lon, lat), in this order; every fix and rejection is reported:

    * an empty value → rejected ``missing_coordinates``; 0 → rejected ``zero_coordinates``;
    * values far beyond degrees (e.g. UTM metres) → rejected ``projected_coordinates``;
    * the point as written inside the study area (or Indonesia when no area is known) → kept;
    * otherwise the first of these that lands inside the study area, then inside Indonesia, is used
      and reported: lat/lon swapped (``swapped_coordinates``), latitude sign lost
      (``missing_minus_sign``), both;
    * a point inside Indonesia but outside the study area → kept, ``outside_study_area`` (doubtful);
    * anything else → rejected ``outside_indonesia``.

    Hemisphere letters that contradict the column (``112 BT`` in the latitude column) swap the pair.
    """
    row = fix_points([lon], [lat], area_bbox=area_bbox).iloc[0]
    original = f"{_orig(lon)}, {_orig(lat)}"
    return CoordResult(float(row["lon"]), float(row["lat"]), row["status"], row["problems"],
                       original)


def _orig(v: object) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return ""
    return str(v)


register_catalog("ilp_gis", "coords")
