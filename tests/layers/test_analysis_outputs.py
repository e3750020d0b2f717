"""The result files of ``ilp-gis analyze`` (``layers.analysis_io``): the CSV writer's exact
bytes, the GeoPackage written through Arrow, and a failing command leaving no file behind."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest
from shapely.geometry import Polygon

from layers import analysis_io
from layers.atomic import all_or_nothing


def test_csv_bytes_bom_quotes_formulas_and_missing_values(tmp_path):
    frame = pd.DataFrame({"name": ["Desa, Satu", 'Kata "dua"', "=1+1", None],
                          "value": [1.5, 10.0, float("nan"), 2.25],
                          "rank": pd.array([1, None, 3, 4], dtype="Int64")})
    path = analysis_io.write_csv(frame, tmp_path / "t.csv")
    expected = ('\ufeffname,value,rank\n"Desa, Satu",1.5,1\n"Kata ""dua""",10.0,\n'
                "'=1+1,,3\n,2.25,4\n")
    assert path.read_bytes() == expected.encode("utf-8")


def _desa() -> gpd.GeoDataFrame:
    square = Polygon([(106.0, -6.0), (106.1, -6.0), (106.1, -6.1)])
    return gpd.GeoDataFrame({"code": ["3201010001", "3201010002"],
                             "has_pustu": pd.array([True, None], dtype="boolean"),
                             "population": [1200.0, float("nan")],
                             "gap_count": [0, 2]},
                            geometry=[square, square], crs="EPSG:4326")


def test_gpkg_through_arrow_keeps_types_missing_values_and_multi_geometry(tmp_path):
    path = analysis_io.write_gpkg(_desa(), tmp_path / "d.gpkg", "desa_coverage")
    info = pyogrio.read_info(path, layer="desa_coverage")
    assert info["geometry_type"] == "MultiPolygon"
    # a yes/no column that may be missing is stored as a small integer (1, 0 or empty)
    assert dict(zip(info["fields"], info["dtypes"], strict=True))["has_pustu"] == "int16"
    back = pyogrio.read_dataframe(path)
    assert list(back["code"]) == ["3201010001", "3201010002"]
    assert back["has_pustu"].iloc[0] == 1 and pd.isna(back["has_pustu"].iloc[1])
    assert back["population"].iloc[0] == 1200.0 and pd.isna(back["population"].iloc[1])
    assert list(back["gap_count"]) == [0, 2]


def test_a_failure_after_the_files_were_written_leaves_none_of_them(tmp_path):
    frame = pd.DataFrame({"name": ["a"], "value": [1.0]})
    with pytest.raises(RuntimeError), all_or_nothing():
        analysis_io.write_csv(frame, tmp_path / "gaps.csv")
        analysis_io.write_gpkg(_desa(), tmp_path / "desa_coverage.gpkg", "desa_coverage")
        raise RuntimeError("the store failed")
    assert list(tmp_path.iterdir()) == []
