"""Tiny hand-made district for the importer tests (2 kecamatan, 4 desa near Malang)."""

from __future__ import annotations

import geopandas as gpd
from shapely.geometry import Polygon, box

# desa squares 0.1° wide: columns x0 = 112.5, 112.6 ; rows y0 = -8.1, -8.0
DESA = [
    # code, name, kecamatan code, kecamatan name, box
    ("35.07.01.2001", "Sukamaju", "35.07.01", "Alpha", (112.5, -8.1, 112.6, -8.0)),
    ("35.07.01.1002", "Kota Lama", "35.07.01", "Alpha", (112.6, -8.1, 112.7, -8.0)),
    ("35.07.02.2001", "Sidomulyo", "35.07.02", "Beta", (112.5, -8.0, 112.6, -7.9)),
    ("35.07.02.2002", "Tegalrejo", "35.07.02", "Beta", (112.6, -8.0, 112.7, -7.9)),
]

# facility rows (lon, lat) well inside each desa
FAC = [
    ("P3507010101", "Puskesmas Alpha", "Puskesmas", 112.55, -8.05, "Sukamaju"),
    ("P3507020201", "Puskesmas Beta", "PKM", 112.55, -7.95, "Sidomulyo"),
    ("", "Pustu Kota Lama", "Puskesmas Pembantu", 112.65, -8.05, "Kota Lama"),
    ("", "Poskesdes Tegalrejo", "Poskesdes", 112.65, -7.95, "Tegalrejo"),
    ("", "Posyandu Mawar 1", "Posyandu", 112.56, -8.04, "Sukamaju"),
    ("", "Posyandu Mawar 2", "posyandu", 112.57, -8.03, "Sukamaju"),
]


def desa_frame(**extra) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({
        "KDEPUM": [d[0] for d in DESA], "WADMKD": [d[1] for d in DESA],
        "KDCPUM": [d[2] for d in DESA], "WADMKC": [d[3] for d in DESA],
        "PENDUDUK": [3000, 5000, None, 2500], "JUMLAH_DUSUN": [4, 6, 3, None], **extra,
    }, geometry=[box(*d[4]) for d in DESA], crs="EPSG:4326")


def kecamatan_frame() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"kode": ["35.07.01", "35.07.02"], "nama": ["Alpha", "Beta"]},
                            geometry=[box(112.5, -8.1, 112.7, -8.0), box(112.5, -8.0, 112.7, -7.9)],
                            crs="EPSG:4326")


def kabupaten_frame() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"shapeName": ["Kabupaten Contoh"], "shapeISO": ["ID-JI"]},
                            geometry=[box(112.5, -8.1, 112.7, -7.9)], crs="EPSG:4326")


def bowtie() -> Polygon:
    """A self-intersecting polygon (invalid)."""
    return Polygon([(112.5, -8.1), (112.6, -8.0), (112.6, -8.1), (112.5, -8.0)])


def csv_text(sep: str = ",", rows=None, header=None) -> str:
    header = header or ["kode_faskes", "nama_faskes", "jenis_faskes", "long_", "lat_", "desa",
                        "perawat", "bidan"]
    lines = [sep.join(header)]
    for code, name, kind, lon, lat, desa in rows or FAC:
        lines.append(sep.join([code, name, kind, str(lon), str(lat), desa, "2", "1"]))
    return "\n".join(lines) + "\n"
