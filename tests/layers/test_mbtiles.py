"""Reading a planner's MBTiles file for the offline basemap: the tiles over an area, XYZ rows,
the byte budget, and every kind of wrong or hostile file told clearly."""

from __future__ import annotations

import io
import sqlite3

import pytest
from PIL import Image

from ilp_gis.errors import InputError
from ilp_gis.i18n import language
from layers.mbtiles import read_mbtiles, tile_range

# the hand-made district of tests/reports/webmap_fixtures.py: lon 112.60–112.66, lat -8.07–-8.03
BOUNDS = (112.60, -8.07, 112.66, -8.03)


def png(colour=(200, 220, 200), size=256) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (size, size), colour).save(buf, "PNG")
    return buf.getvalue()


def make_mbtiles(path, tiles, *, meta=None, schema=True):
    """``tiles``: {(z, x, y_xyz): bytes}; stored with TMS rows as MBTiles does."""
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE metadata (name TEXT, value TEXT)")
    con.executemany("INSERT INTO metadata VALUES (?, ?)",
                    list((meta or {"name": "Uji", "format": "png"}).items()))
    if schema:
        con.execute("CREATE TABLE tiles (zoom_level INTEGER, tile_column INTEGER, "
                    "tile_row INTEGER, tile_data BLOB)")
        con.executemany("INSERT INTO tiles VALUES (?, ?, ?, ?)",
                        [(z, x, 2 ** z - 1 - y, data) for (z, x, y), data in tiles.items()])
    else:
        con.execute("CREATE TABLE images (tile_id TEXT, tile_data BLOB)")
    con.commit()
    con.close()
    return path


def test_tile_range_worked_out_by_hand():
    # z10: x = (112.60 + 180) / 360 * 1024 = 832.28 -> 832 (112.66 -> 832.45, same column);
    # y = (1 - asinh(tan(lat)) / pi) / 2 * 1024: lat -8.03 -> 534.92 (534), -8.07 -> 535.03 (535)
    assert tile_range(BOUNDS, 10) == (832, 534, 832, 535)
    assert tile_range(BOUNDS, 0) == (0, 0, 0, 0)


def test_reads_the_tiles_over_the_area_with_xyz_rows(tmp_path):
    tiles = {(10, x, y): png((x % 255, y % 255, 100)) for x in range(830, 835)
             for y in range(532, 538)}
    tiles[(9, 416, 267)] = png()
    path = make_mbtiles(tmp_path / "b.mbtiles", tiles,
                        meta={"name": "Peta uji", "format": "png", "attribution": "© Uji"})
    bm = read_mbtiles(path, BOUNDS)
    # z9: 416.14 -> 416, rows 267.46/267.52 -> 267; z10 as worked out above (the 20% margin
    # of 0.012° lon / 0.008° lat keeps the same tiles)
    assert sorted(bm.tiles) == ["10/832/534", "10/832/535", "9/416/267"]
    assert bm.tiles["10/832/534"] == tiles[(10, 832, 534)]  # the XYZ row, not the TMS one
    assert (bm.name, bm.attribution, bm.mime) == ("Peta uji", "© Uji", "image/png")
    assert (bm.min_zoom, bm.max_zoom, bm.zooms_left_out) == (9, 10, [])


def test_higher_zooms_left_out_past_the_budget(tmp_path):
    small, big = png(size=16), png(size=512)
    tiles = {(9, 416, 267): small, (10, 832, 534): big, (10, 832, 535): big,
             (11, 1664, 1069): small}
    path = make_mbtiles(tmp_path / "b.mbtiles", tiles)
    bm = read_mbtiles(path, BOUNDS, max_bytes=len(small) + len(big))  # z10 does not fit
    assert sorted(bm.tiles) == ["9/416/267"]
    assert bm.max_zoom == 9 and bm.zooms_left_out == [10, 11]
    with pytest.raises(InputError, match="MB"):
        read_mbtiles(path, BOUNDS, max_bytes=len(small) - 1)  # not even the lowest zoom


@pytest.mark.parametrize(("make", "words"), [
    (lambda p: p.write_text("zoom,x,y\n1,2,3\n"), "bukan berkas MBTiles (basis data SQLite) maupun PMTiles"),
    (lambda p: p.write_bytes(b"SQLite format 3\x00" + b"\x00" * 200), "rusak"),
    (lambda p: make_mbtiles(p, {}, schema=False), "tabel 'tiles'"),
    (lambda p: make_mbtiles(p, {(10, 832, 534): png()}, meta={"format": "pbf"}),
     "ubin vektor"),
    (lambda p: make_mbtiles(p, {(10, 832, 534): b"\x1f\x8b\x08gzipped-vector"},
                            meta={"name": "x"}), "ubin vektor"),
    (lambda p: make_mbtiles(p, {(10, 832, 534): b"<html>not a picture</html>"}),
     "zoom 10, kolom 832, baris 489 bukan gambar"),
    (lambda p: make_mbtiles(p, {(10, 100, 100): png()}), "tidak ada ubin"),
])
def test_wrong_files_are_told_clearly(tmp_path, make, words):
    path = tmp_path / "peta.mbtiles"
    make(path)
    with language("id"), pytest.raises(InputError) as err:
        read_mbtiles(path, BOUNDS)
    assert str(path) in str(err.value) and words in str(err.value)


def test_missing_file(tmp_path):
    with language("en"), pytest.raises(InputError, match="file not found"):
        read_mbtiles(tmp_path / "nope.mbtiles", BOUNDS)


def test_file_is_opened_read_only(tmp_path):
    path = make_mbtiles(tmp_path / "b.mbtiles", {(10, 832, 534): png()})
    before = path.read_bytes()
    read_mbtiles(path, BOUNDS)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["b.mbtiles"]  # no journal left
