"""SQL injection tried through every user-supplied field that reaches the shared store: facility
names, desa names and budget descriptions (pushed, edited by a team, checked in after offline
work) and column mappings (an imported file's hostile header, kept in the project's mapping
record): each is stored literally, nothing is executed, every table stays as it was."""

from __future__ import annotations

import json

import psycopg
import pytest

from ilp_gis.project import Project
from layers.importing.pipeline import import_files
from layers.pgstore.checkout import check_in, check_out
from layers.pgstore.connection import connect
from layers.pgstore.edits import edit_row, find_rid, history
from layers.pgstore.pull import pull_project
from layers.pgstore.push import push_project
from layers.project_file import open_project, save_project
from tests.layers.pgstore.store_fixtures import KAB_A, pushed_with_roles, two_kabupaten_project
from tests.layers.pgstore.test_store_core import HOSTILE

MAPPINGS_META = "column_mappings_json"


@pytest.fixture
def store(pg_cluster, store_url):
    urls, _ = pushed_with_roles(pg_cluster, store_url, {"a": KAB_A})
    return urls


def _tables(url: str) -> set[str]:
    with psycopg.connect(url) as conn:
        return {t for (t,) in conn.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public'")}


def _value(url: str, layer: str, key: str, value: str, column: str) -> str:
    with psycopg.connect(url) as conn:
        return conn.execute(psycopg.sql.SQL("SELECT {} FROM {} WHERE {} = %s").format(
            psycopg.sql.Identifier(column), psycopg.sql.Identifier(layer),
            psycopg.sql.Identifier(key)), (value,)).fetchone()[0]


@pytest.mark.parametrize(("layer", "key", "value", "column"), [
    ("facilities", "fac_id", "a1", "name"), ("desa", "code", "35.07.01.2001", "name"),
    ("budget", "budget_id", "ba", "activity")],
    ids=["facility name", "desa name", "budget description"])
def test_a_teams_hostile_edit_is_stored_literally(store, layer, key, value, column):
    before = _tables(store["admin"])
    with connect(store["a"]) as conn:
        rid, version = find_rid(conn, layer, key, value)
        for text in HOSTILE:
            version = edit_row(conn, layer, rid, version, {column: text})
            assert _value(store["admin"], layer, key, value, column) == text
        assert find_rid(conn, layer, column, HOSTILE[0]) is None  # the last one is stored
        assert find_rid(conn, layer, column, HOSTILE[-1]) == (rid, version)
        entries = history(conn, layer, rid)
    assert _tables(store["admin"]) == before
    afters = [e["after"].get(column) for e in entries if e["after"]]
    assert set(HOSTILE) <= set(afters)  # the audit trail keeps each value as typed


def test_hostile_names_checked_in_after_offline_work_are_stored_literally(store, tmp_path):
    before = _tables(store["admin"])
    with connect(store["a"]) as conn:
        project = open_project(save_project(check_out(conn, KAB_A), tmp_path / "malang.gpkg"))
    project.facilities.loc[project.facilities.index[0], "name"] = HOSTILE[0]
    project.facilities.loc[project.facilities.index[1], "name"] = HOSTILE[1]
    project.desa.loc[project.desa.index[0], "name"] = HOSTILE[2]
    project.budget.loc[project.budget.index[0], "activity"] = HOSTILE[5]
    with connect(store["a"]) as conn:
        result = check_in(conn, project)
    assert result.applied and result.updated == 4
    admin = store["admin"]
    assert _value(admin, "facilities", "fac_id", "a1", "name") == HOSTILE[0]
    assert _value(admin, "facilities", "fac_id", "a2", "name") == HOSTILE[1]
    assert _value(admin, "desa", "code", "35.07.01.2001", "name") == HOSTILE[2]
    assert _value(admin, "budget", "budget_id", "ba", "activity") == HOSTILE[5]
    assert _value(admin, "facilities", "fac_id", "b1", "name") == "Pustu Wetan"
    assert _tables(admin) == before


def test_a_hostile_column_mapping_of_an_import_is_stored_literally(store_url, tmp_path):
    header = HOSTILE[1]
    csv = tmp_path / "fasilitas.csv"
    quoted = '"' + header.replace('"', '""') + '"'
    rows = "".join(f'"{n.replace(chr(34), chr(34) * 2)}",-7.9,112.6\n' for n in HOSTILE[:3])
    csv.write_text(f"{quoted},lat,lon\n{rows}", "utf-8")
    project = two_kabupaten_project()
    imported = Project()
    import_files(imported, facilities=[("pustu", csv)], mappings={"facilities": {"name": header}})
    project.meta[MAPPINGS_META] = imported.meta[MAPPINGS_META]
    project.layers["facilities"] = imported.facilities
    with connect(store_url) as conn:
        push_project(conn, project)
        back = pull_project(conn)
    mapping = json.loads(back.meta[MAPPINGS_META])["fasilitas.csv"]
    assert mapping["fields"]["name"] == header
    assert back.facilities["name"].tolist() == HOSTILE[:3]
    assert {"desa", "facilities", "budget", "meta"} <= _tables(store_url)
    assert len(back.desa) == 3 and len(back.budget) == 2
