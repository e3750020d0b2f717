"""The shared PostGIS store against a real server: numbered migrations in one transaction with
a schema version an older client refuses; a pushed project pulls back into an equal GeoPackage;
geometry columns with SRIDs and spatial indexes as QGIS expects; hostile names and values are
stored literally; the ``ilp-gis db`` commands."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import psycopg
import pytest
import shapely
from geopandas.testing import assert_geodataframe_equal

from ilp_gis import model
from ilp_gis.project import Project
from layers.pgstore import schema
from layers.pgstore.connection import StoreError, connect, safe_target
from layers.pgstore.pull import META_SOURCE, pull_project
from layers.pgstore.push import push_project
from layers.project_file import open_project, save_project
from ui.cli import main

_VOLATILE_META = {model.META_MODIFIED, model.META_APP_VERSION, META_SOURCE}


def _assert_same_project(a: Project, b: Project) -> None:
    assert sorted(a.layers) == sorted(b.layers)
    for name in a.layers:
        left, right = a.layers[name], b.layers[name]
        if isinstance(left, gpd.GeoDataFrame):
            assert_geodataframe_equal(left, right, check_less_precise=False)
        else:
            pd.testing.assert_frame_equal(pd.DataFrame(left), pd.DataFrame(right))
    assert sorted(a.tables) == sorted(b.tables)
    for name in a.tables:
        pd.testing.assert_frame_equal(pd.DataFrame(a.tables[name]),
                                      pd.DataFrame(b.tables[name]))
    strip = lambda meta: {k: v for k, v in meta.items() if k not in _VOLATILE_META}  # noqa: E731
    assert strip(a.meta) == strip(b.meta)
    assert a.rules.text == b.rules.text


def test_migrations_apply_once_and_record_their_version(pg_url):
    with connect(pg_url) as conn:
        assert schema.schema_version(conn) is None
        with pytest.raises(StoreError, match="ilp-gis db init"):
            schema.check_version(conn)
        assert schema.migrate(conn) == [v for v, _, _ in schema.migrations()]
        assert schema.migrate(conn) == []
        assert schema.check_version(conn) == schema.SUPPORTED_VERSION
        rows = conn.execute("SELECT version, file FROM ilp_schema_version ORDER BY 1").fetchall()
    assert rows == [(v, f) for v, f, _ in schema.migrations()]
    assert rows[0] == (1, "0001_base.sql")


def test_a_failing_migration_leaves_the_database_as_it_was(pg_url, monkeypatch):
    broken = schema.migrations() + [(schema.SUPPORTED_VERSION + 1, "9999_broken.sql",
                                     "CREATE TABLE ilp_half_done (x int); SELECT nonsense(;")]
    monkeypatch.setattr(schema, "migrations", lambda: broken)
    monkeypatch.setattr(schema, "SUPPORTED_VERSION", schema.SUPPORTED_VERSION + 1)
    with connect(pg_url) as conn:
        with pytest.raises(StoreError, match="tidak ada yang diubah"):
            schema.migrate(conn)
        left = conn.execute("SELECT to_regclass('ilp_layers'), to_regclass('ilp_half_done'),"
                            " to_regclass('ilp_schema_version')").fetchone()
    assert left == (None, None, None)


def test_an_older_client_refuses_a_newer_schema(store_url):
    newer = schema.SUPPORTED_VERSION + 1
    with connect(store_url) as conn:
        conn.execute("INSERT INTO ilp_schema_version (version, file) VALUES (%s, %s)",
                     (newer, f"{newer:04d}_future.sql"))
        conn.commit()
        with pytest.raises(StoreError) as err:
            schema.check_version(conn)
        assert f"versi {newer}" in str(err.value) and "Perbarui ilp-gis" in str(err.value)
        with pytest.raises(StoreError, match="lebih baru"):
            schema.migrate(conn)
        with pytest.raises(StoreError, match="lebih baru"):
            pull_project(conn)


def test_sample_pushed_and_pulled_back_is_the_same_geopackage(store_url, sample_project_path,
                                                              tmp_path):
    original = open_project(sample_project_path)
    with connect(store_url) as conn:
        counts = push_project(conn, original)
        pulled = pull_project(conn, source=safe_target(store_url))
    assert counts["facilities"] == len(original.facilities) > 0
    assert counts["desa"] == len(original.desa) > 0
    assert pulled.meta[META_SOURCE] == safe_target(store_url)
    again = open_project(save_project(pulled, tmp_path / "dari_basis_data.gpkg"))
    _assert_same_project(original, again)


def test_qgis_sees_geometry_columns_srids_and_spatial_indexes(store_url, sample_project_path):
    with connect(store_url) as conn:
        push_project(conn, open_project(sample_project_path))
        columns = dict(((t, (c, s, g)) for t, c, s, g in conn.execute(
            "SELECT f_table_name, f_geometry_column, srid, type FROM geometry_columns"
            " WHERE f_table_schema = 'public'")))
        gist = {t for (t,) in conn.execute(
            "SELECT tablename FROM pg_indexes WHERE schemaname = 'public'"
            " AND indexdef ILIKE '%USING gist (geom)%'")}
    assert columns["desa"] == ("geom", 4326, "MULTIPOLYGON")
    assert columns["kecamatan"] == ("geom", 4326, "MULTIPOLYGON")
    assert columns["facilities"] == ("geom", 4326, "POINT")
    assert columns["roads"] == ("geom", 4326, "MULTILINESTRING")
    assert set(columns) <= gist and {"desa", "facilities", "roads"} <= gist
    # QGIS edits a table only with a primary key: every stored table has one, on _rid
    with connect(store_url) as conn:
        keys = dict(conn.execute(
            "SELECT c.relname, a.attname FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid"
            " JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = ANY(i.indkey)"
            " WHERE i.indisprimary AND c.relname IN (SELECT name FROM ilp_layers)").fetchall())
        stored = {n for (n,) in conn.execute("SELECT name FROM ilp_layers")}
    assert set(keys) == stored and set(keys.values()) == {"_rid"}


def test_a_second_push_needs_replace_and_replaces_whole(store_url, sample_project_path):
    project = open_project(sample_project_path)
    with connect(store_url) as conn:
        push_project(conn, project)
        with pytest.raises(StoreError, match="--replace"):
            push_project(conn, project)
        smaller = Project(layers={"desa": project.desa.head(5)}, meta=dict(project.meta),
                          rules=project.rules)
        push_project(conn, smaller, replace=True)
        back = pull_project(conn)
    assert sorted(back.layers) == ["desa"] and len(back.desa) == 5


HOSTILE = ["'); DROP TABLE desa; --", 'Robert"); DROP TABLE "facilities', "x' OR '1'='1",
           "$$; SELECT pg_sleep(10); $$", "\\'; COPY facilities TO '/tmp/x'; --",
           "Desa \t tab\nbaris\\N", "E'\\x00'::text"]


def test_hostile_names_and_values_are_stored_literally(store_url, tmp_path):
    desa = gpd.GeoDataFrame(
        {"code": ["35.07.01.2001", "35.07.01.2002", "35.07.01.2003", "35.07.01.2004",
                  "35.07.01.2005", "35.07.01.2006", "35.07.01.2007"],
         "name": HOSTILE, "population": [1.0, None, 3.0, 4.0, 5.0, 6.0, 7.0]},
        geometry=[shapely.box(i, 0, i + 1, 1) for i in range(7)], crs=4326)
    budget = pd.DataFrame({"budget_id": ["b1", "b2"], "activity": HOSTILE[:2],
                           "amount": [1.0, 2.0], "target_desa": ["35.07.01.2001", None]})
    odd = pd.DataFrame({'kolom"; DROP TABLE desa; --': HOSTILE, "Nama Desa (asli)": HOSTILE})
    project = Project(layers={"desa": desa, "budget": budget},
                      tables={'hasil"; DROP TABLE budget; --': odd},
                      meta={"catatan'); DROP TABLE meta; --": HOSTILE[0]})
    with connect(store_url) as conn:
        push_project(conn, project)
        tables = {t for (t,) in conn.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public'")}
        back = pull_project(conn)
    assert {"desa", "budget", "meta", 'hasil"; DROP TABLE budget; --'} <= tables
    assert back.desa["name"].tolist() == HOSTILE
    assert back.budget["activity"].tolist() == HOSTILE[:2]
    pd.testing.assert_frame_equal(back.tables['hasil"; DROP TABLE budget; --'], odd)
    assert back.meta["catatan'); DROP TABLE meta; --"] == HOSTILE[0]


@pytest.mark.parametrize("column", ["_rid", "_kab", "_row_version", "geom"])
def test_a_column_with_a_store_name_is_refused_and_nothing_stored(store_url, column):
    table = pd.DataFrame({column: [1, 2], "x": [3, 4]})
    with connect(store_url) as conn:
        with pytest.raises(StoreError, match=f"kolom {column}"):
            push_project(conn, Project(tables={"hasil": table}))
        assert conn.execute("SELECT count(*) FROM ilp_layers").fetchone()[0] == 0
        assert conn.execute("SELECT to_regclass('hasil')").fetchone()[0] is None


def test_a_name_postgresql_would_cut_is_refused(store_url):
    with connect(store_url) as conn:
        with pytest.raises(StoreError, match="63 bita"):
            push_project(conn, Project(tables={"t" * 64: pd.DataFrame({"x": [1]})}))


def test_a_target_keeps_no_password():
    assert "rahasia" not in safe_target("postgresql://tim:rahasia@server.example/prov")
    assert "rahasia" not in safe_target("host=server.example dbname=prov password=rahasia")
    assert "server.example" in safe_target("postgresql://tim:rahasia@server.example/prov")
    assert safe_target("provinsi_jatim") == "service=provinsi_jatim"


def test_unreachable_server_is_a_clear_message(tmp_path):
    with pytest.raises(StoreError, match="Tidak dapat terhubung"):
        connect(f"host={tmp_path} port=1 dbname=x user=x")
    with pytest.raises(StoreError, match="Sebutkan basis data"):
        connect("  ")


def test_cli_init_push_status_pull(pg_url, sample_project_path, tmp_path, capsys):
    with_password = pg_url + " password=rahasia-jangan-disimpan"
    assert main(["db", "init", pg_url]) == 0
    assert "versi 1" in capsys.readouterr().out
    assert main(["db", "status", pg_url]) == 0
    assert "Belum ada proyek" in capsys.readouterr().out
    assert main(["db", "push", pg_url, str(sample_project_path)]) == 0
    assert "Diunggah" in capsys.readouterr().out
    assert main(["db", "push", pg_url, str(sample_project_path)]) == 1
    assert "--replace" in capsys.readouterr().err
    assert main(["--lang", "en", "db", "status", pg_url]) == 0
    out = capsys.readouterr().out
    assert "Schema version: 1" in out and "the whole province" in out
    assert f"facilities: {len(open_project(sample_project_path).facilities):,} rows" in out
    target = tmp_path / "tarik.gpkg"
    assert main(["db", "pull", with_password, str(target)]) == 0
    assert "rahasia" not in target.read_bytes().decode("latin-1")
    _assert_same_project(open_project(sample_project_path), open_project(target))
    assert open_project(target).meta[META_SOURCE] == safe_target(pg_url)


def test_cli_service_file_and_bad_input(pg_cluster, pg_url, tmp_path, capsys):
    dbname = psycopg.conninfo.conninfo_to_dict(pg_url)["dbname"]
    services = tmp_path / "layanan.conf"
    services.write_text(f"[provinsi]\nhost={pg_cluster.socket_dir}\nport={pg_cluster.url().split()[1][5:]}"
                        f"\ndbname={dbname}\nuser=ilp_admin\n", "utf-8")
    assert main(["db", "init", "provinsi", "--service-file", str(services)]) == 0
    capsys.readouterr()
    assert main(["db", "pull", "provinsi", "--service-file", str(services),
                 str(tmp_path / "x.gpkg")]) == 1
    assert "belum berisi proyek" in capsys.readouterr().err
    assert not (tmp_path / "x.gpkg").exists()
    assert main(["db", "init", pg_url, "--team", "tanpa_kode"]) == 1
    assert "PERAN=PP.KK" in capsys.readouterr().err
    assert main(["db", "push", pg_url, str(tmp_path / "tidak_ada.gpkg")]) == 1
    assert "tidak_ada.gpkg" in capsys.readouterr().err


def test_a_password_on_the_command_line_reaches_neither_log_nor_message(tmp_path, capsys):
    log = tmp_path / "ilp.log"
    code = main(["--log-file", str(log), "db", "status",
                 "postgresql://tim:rahasia@127.0.0.1:1/prov"])
    err = capsys.readouterr().err
    assert code == 1 and "Tidak dapat terhubung" in err and "rahasia" not in err
    assert "postgresql://tim:***@127.0.0.1:1/prov" in log.read_text("utf-8")
    assert "rahasia" not in log.read_text("utf-8")


def test_every_kind_of_value_travels_exactly_in_batches(store_url, monkeypatch):
    from layers.pgstore import push

    monkeypatch.setattr(push, "COPY_BATCH", 2)  # five rows: three COPY batches
    values = pd.DataFrame({
        "text": ["", None, 'a "kutip", koma', "baris\nbaru\\N", "Ñusa Tenggara"],
        "number": [0.1 + 0.2, None, 1e-300, 123456789.123456789, -0.0],
        "count": pd.array([1, None, 2**62, -5, 0], dtype="Int64"),
        "flag": pd.array([True, None, False, True, False], dtype="boolean"),
        "mixed": ["teks", 7, None, 2.5, "x"]})
    desa = gpd.GeoDataFrame(
        {"code": [f"35.07.01.200{i}" for i in range(5)]},
        geometry=[shapely.box(0, 0, 1, 1), shapely.MultiPolygon([shapely.box(1, 0, 2, 1)]),
                  shapely.Polygon(), None, shapely.box(0.1, 0.2, 0.3, 0.4)], crs=4326)
    with connect(store_url) as conn:
        counts = push_project(conn, Project(layers={"desa": desa}, tables={"nilai": values}))
        back = pull_project(conn)
    assert counts["nilai"] == 5 and counts["desa"] == 5
    got = back.tables["nilai"]
    assert got["text"].tolist()[:1] == [""] and pd.isna(got["text"][1])
    assert got["text"].tolist()[2:] == values["text"].tolist()[2:]
    assert got["number"].tolist()[0] == 0.1 + 0.2 and pd.isna(got["number"][1])
    assert got["number"].tolist()[2:4] == [1e-300, 123456789.123456789]
    assert got["count"].tolist()[0] == 1 and got["count"][2] == 2**62
    assert pd.isna(got["count"][1]) and pd.isna(got["flag"][1])
    assert got["flag"].tolist()[::2] == [True, False, False]
    assert got["mixed"].tolist()[:2] == ["teks", "7"] and got["mixed"][3] == "2.5"
    kinds = [None if g is None else g.geom_type for g in back.desa.geometry]
    assert kinds == ["MultiPolygon", "MultiPolygon", None, None, "MultiPolygon"]
    assert back.desa.geometry[4].equals(shapely.MultiPolygon([shapely.box(0.1, 0.2, 0.3, 0.4)]))


def test_every_command_of_an_older_client_refuses_a_newer_schema(store_url, sample_project_path,
                                                                 tmp_path, capsys):
    with connect(store_url) as conn:
        push_project(conn, open_project(sample_project_path))
        newer = schema.SUPPORTED_VERSION + 1
        conn.execute("INSERT INTO ilp_schema_version (version, file) VALUES (%s, %s)",
                     (newer, f"{newer:04d}_future.sql"))
        conn.commit()
        with pytest.raises(StoreError, match="lebih baru"):
            push_project(conn, open_project(sample_project_path), replace=True)
    out = tmp_path / "keluar"
    commands = [["db", "status", store_url], ["db", "init", store_url],
                ["db", "push", store_url, str(sample_project_path), "--replace"],
                ["db", "pull", store_url, str(out) + ".gpkg"],
                ["db", "checkout", store_url, str(out) + ".gpkg", "--kabupaten", "35.07"],
                ["analyze", "--db", store_url, "--out", str(out)]]
    for command in commands:
        assert main(command) == 1, command
        err = capsys.readouterr().err
        assert f"versi {newer}" in err and "Perbarui ilp-gis" in err, (command, err)
        assert "Traceback" not in err
    assert not any(tmp_path.iterdir())
    with psycopg.connect(store_url) as conn:  # the store is as it was
        assert conn.execute("SELECT count(*) FROM ilp_audit WHERE op = 'push'").fetchone()[0] == 1
