"""Data written into the page: escaped HTML text, JSON safe inside <script>, GeoJSON text.

May import numpy/pandas/shapely; nothing of the project.
"""

from __future__ import annotations

import html
import json
import math
from typing import Any

import numpy as np
import pandas as pd
import shapely


def escape_html(s: Any) -> str:
    return html.escape(str(s), quote=True)


def feature_collection(geoms, props: list[dict]) -> str:
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


def script_json(obj: Any) -> str:
    """JSON safe to embed in a <script> element (numpy scalars as numbers, NaN/NA as null)."""
    try:  # plain data (the usual case) need no cleaning pass: the same text, far faster
        return plain_json(obj)
    except (TypeError, ValueError):  # a numpy integer, NA, NaN, ...: cleaned first
        return _script_safe(json.dumps(_clean(obj), ensure_ascii=False, separators=(",", ":"),
                                       allow_nan=False))


def plain_json(obj: Any) -> str:
    """:func:`script_json` of data that are plain already (str, int, finite float, bool,
    None, lists and dicts of them): no cleaning pass (columns of ~300,000 values)."""
    return _script_safe(json.dumps(obj, ensure_ascii=False, separators=(",", ":"),
                                   allow_nan=False))


def _script_safe(text: str) -> str:
    """JSON text that cannot end or confuse the <script> element it sits in."""
    return text.replace("</", "<\\/").replace("<!--", "<\\!--")


def _json_default(obj: Any) -> Any:
    """What the JSON encoder cannot write itself: numpy scalars, NA/NaT; anything else as text."""
    plain = _clean(obj)
    return str(obj) if plain is obj else plain


def _clean(obj: Any) -> Any:
    """``obj`` with numpy scalars as Python ones and NaN/NA/NaT as None (dicts and lists too)."""
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
