"""QPainterPath building from numpy vertex arrays: whole layers and marker sets in one call.

May import numpy and PySide6 only (no project module, no widget).
"""

from __future__ import annotations

import struct

import numpy as np
from PySide6.QtCore import QByteArray, QDataStream
from PySide6.QtGui import QPainterPath


def path_from_arrays(x: np.ndarray, y: np.ndarray, codes: np.ndarray,
                     odd_even: bool = True) -> QPainterPath:
    """A QPainterPath from vertex arrays in one call (codes: 0 = moveTo, 1 = lineTo).

    The path is loaded from QPainterPath's own QDataStream format, built with numpy.
    """
    n = len(x)
    path = QPainterPath()
    if n == 0:
        return path
    arr = np.empty(n, dtype=[("c", ">i4"), ("x", ">f8"), ("y", ">f8")])
    arr["c"] = codes
    arr["x"] = x
    arr["y"] = y
    data = struct.pack(">i", n) + arr.tobytes() + struct.pack(">ii", 0, 0 if odd_even else 1)
    stream = QDataStream(QByteArray(data))
    stream >> path
    return path


def marker_template(shape: str, size: float) -> np.ndarray:
    """The closed outline of one marker ``shape`` around (0, 0), ``size`` pixels across."""
    r = size / 2.0
    if shape == "square":
        pts = [(-r, -r), (r, -r), (r, r), (-r, r)]
    elif shape == "triangle":
        pts = [(0, -r * 1.15), (r * 1.1, r * 0.8), (-r * 1.1, r * 0.8)]
    elif shape == "diamond":
        pts = [(0, -r * 1.2), (r, 0), (0, r * 1.2), (-r, 0)]
    elif shape == "cross":
        a, b = r, r * 0.35
        pts = [(-b, -a), (b, -a), (b, -b), (a, -b), (a, b), (b, b), (b, a), (-b, a), (-b, b),
               (-a, b), (-a, -b), (-b, -b)]
    else:  # circle
        t = np.linspace(0, 2 * np.pi, 13)[:-1]
        pts = list(zip(r * np.cos(t), r * np.sin(t), strict=False))
    pts.append(pts[0])
    return np.asarray(pts, dtype=float)


def marker_path(sx: np.ndarray, sy: np.ndarray, shape: str, size: float) -> QPainterPath:
    """One path holding a marker at every screen position (vectorised)."""
    tpl = marker_template(shape, size)
    k = len(tpl)
    n = len(sx)
    if n == 0:
        return QPainterPath()
    x = (sx[:, None] + tpl[None, :, 0]).ravel()
    y = (sy[:, None] + tpl[None, :, 1]).ravel()
    codes = np.ones((n, k), dtype=np.int32)
    codes[:, 0] = 0
    return path_from_arrays(x, y, codes.ravel(), odd_even=False)
