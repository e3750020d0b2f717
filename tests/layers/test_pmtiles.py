"""Reading a planner's PMTiles (v3) file for the offline basemap: tile ids, directories (root
and leaf, gzip or plain), the tiles over an area, and wrong or hostile files told clearly."""

from __future__ import annotations

import gzip
import json
import struct

import pytest

from ilp_gis.errors import InputError
from ilp_gis.i18n import language
from layers.basemap_file import read_basemap
from layers.pmtiles import read_pmtiles, tile_id
from tests.layers.test_mbtiles import BOUNDS, make_mbtiles, png


def _varint(v: int) -> bytes:
    out = bytearray()
    while True:
        b, v = v & 0x7F, v >> 7
        out.append(b | 0x80 if v else b)
        if not v:
            return bytes(out)


def _directory(entries) -> bytes:
    """Entries (tile_id, offset, length, run_length), ids ascending, as the v3 spec lays out."""
    out = bytearray(_varint(len(entries)))
    last = 0
    for t, *_ in entries:
        out += _varint(t - last)
        last = t
    for *_, run in entries:
        out += _varint(run)
    for _, _, length, _ in entries:
        out += _varint(length)
    for i, (_, off, _, _) in enumerate(entries):
        contiguous = i > 0 and off == entries[i - 1][1] + entries[i - 1][2]
        out += _varint(0 if contiguous else off + 1)
    return bytes(out)


def make_pmtiles(path, tiles, *, tile_type=2, gzip_dirs=True, leaf=False, version=3,
                 meta=None, zooms=None):
    """``tiles``: {(z, x, y): bytes} written as a PMTiles v3 file."""
    order = sorted(tiles, key=lambda k: tile_id(*k))
    data, entries = bytearray(), []
    for key in order:
        entries.append((tile_id(*key), len(data), len(tiles[key]), 1))
        data += tiles[key]
    pack = gzip.compress if gzip_dirs else bytes
    leaf_bytes = b""
    if leaf:
        leaf_bytes = pack(_directory(entries))
        root = pack(_directory([(entries[0][0], 0, len(leaf_bytes), 0)]))
    else:
        root = pack(_directory(entries))
    metadata = pack(json.dumps(meta or {"name": "Uji PMTiles"}).encode())
    zs = [k[0] for k in tiles] or [0]
    lo, hi = zooms or (min(zs), max(zs))
    root_off = 127
    meta_off = root_off + len(root)
    leaf_off = meta_off + len(metadata)
    data_off = leaf_off + len(leaf_bytes)
    head = b"PMTiles" + bytes([version]) + struct.pack(
        "<11Q", root_off, len(root), meta_off, len(metadata), leaf_off, len(leaf_bytes),
        data_off, len(data), len(tiles), len(tiles), len(tiles))
    head += bytes([1, 2 if gzip_dirs else 1, 1, tile_type, lo, hi])
    head += struct.pack("<4i", 1126000000, -81000000, 1127000000, -80000000)
    head += bytes([lo]) + struct.pack("<2i", 1126300000, -80500000)
    assert len(head) == 127
    path.write_bytes(head + root + metadata + leaf_bytes + bytes(data))
    return path


def _patch(path, at: int, value: int):
    """Overwrite the header's 8-byte number at byte ``at`` (8: root offset, 16: its length)."""
    raw = bytearray(path.read_bytes())
    raw[at:at + 8] = struct.pack("<Q", value)
    path.write_bytes(bytes(raw))
    return path


def test_tile_ids_along_the_hilbert_curve():
    # the v3 spec's order: zoom 0, then zoom 1 as (0,0) (0,1) (1,1) (1,0), then zoom 2 …
    assert [tile_id(0, 0, 0), tile_id(1, 0, 0), tile_id(1, 0, 1), tile_id(1, 1, 1),
            tile_id(1, 1, 0), tile_id(2, 0, 0)] == [0, 1, 2, 3, 4, 5]
    assert tile_id(12, 3423, 1763) == 19078479  # the reference implementation's test value


@pytest.mark.parametrize(("gzip_dirs", "leaf"), [(True, False), (False, False), (True, True)])
def test_reads_the_tiles_over_the_area(tmp_path, gzip_dirs, leaf):
    # z10 tiles 832/534 and 832/535 cover the district (worked out in test_mbtiles), z9 416/267
    tiles = {(10, x, y): png((x % 255, y % 255, 90)) for x in range(831, 834)
             for y in range(533, 537)}
    tiles[(9, 416, 267)] = png()
    path = make_pmtiles(tmp_path / "b.pmtiles", tiles, gzip_dirs=gzip_dirs, leaf=leaf,
                        meta={"name": "Peta PM", "attribution": "© Uji"})
    bm = read_basemap(path, BOUNDS)
    assert sorted(bm.tiles) == ["10/832/534", "10/832/535", "9/416/267"]
    assert bm.tiles["10/832/535"] == tiles[(10, 832, 535)]
    assert (bm.name, bm.attribution, bm.mime, bm.min_zoom, bm.max_zoom) == (
        "Peta PM", "© Uji", "image/png", 9, 10)


def test_budget_leaves_higher_zooms_out(tmp_path):
    small, big = png(size=16), png(size=512)
    tiles = {(9, 416, 267): small, (10, 832, 534): big, (10, 832, 535): big}
    path = make_pmtiles(tmp_path / "b.pmtiles", tiles)
    bm = read_pmtiles(path, BOUNDS, max_bytes=len(small) + len(big))
    assert sorted(bm.tiles) == ["9/416/267"] and bm.zooms_left_out == [10]


@pytest.mark.parametrize(("make", "words"), [
    (lambda p: make_pmtiles(p, {(10, 832, 534): png()}, tile_type=1), "ubin vektor"),
    (lambda p: make_pmtiles(p, {(10, 832, 534): png()}, version=2), "versi 2"),
    (lambda p: make_pmtiles(p, {(10, 832, 534): b"GIF89a-not-ours"}),
     "zoom 10, kolom 832, baris 534 bukan gambar"),
    (lambda p: make_pmtiles(p, {(10, 100, 100): png()}), "tidak ada ubin"),
    (lambda p: p.write_bytes(make_pmtiles(p, {(10, 832, 534): png()}).read_bytes()[:140]),
     "rusak"),
    (lambda p: p.write_bytes(b"PMTiles\x03" + b"\xff" * 119), "jenis ubin 255"),
    (lambda p: _patch(make_pmtiles(p, {(10, 832, 534): png()}), 8, 2**40), "rusak"),  # root
    (lambda p: _patch(make_pmtiles(p, {(10, 832, 534): png()}), 16, 3), "rusak"),  # cut dir
])
def test_wrong_pmtiles_told_clearly(tmp_path, make, words):
    path = tmp_path / "peta.pmtiles"
    make(path)
    with language("id"), pytest.raises(InputError) as err:
        read_basemap(path, BOUNDS)
    assert str(path) in str(err.value) and words in str(err.value)


def test_kind_told_by_the_first_bytes_not_the_name(tmp_path):
    sqlite_named_pm = make_mbtiles(tmp_path / "a.pmtiles", {(10, 832, 534): png()})
    assert sorted(read_basemap(sqlite_named_pm, BOUNDS).tiles) == ["10/832/534"]
    neither = tmp_path / "c.mbtiles"
    neither.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 100)
    with language("en"), pytest.raises(InputError, match="neither an MBTiles"):
        read_basemap(neither, BOUNDS)
