"""Rights per kabupaten enforced by the database (row-level security), tried by logging in as
each role: a team writes only its own kabupaten's rows, never another's nor province-level
data, and cannot grant itself more; the province role reads and writes all."""

from __future__ import annotations

import psycopg
import pytest

from layers.pgstore.connection import StoreError, connect
from layers.pgstore.edits import edit_row, find_rid
from layers.pgstore.roles import add_role, role_scope
from tests.layers.pgstore.store_fixtures import KAB_A, KAB_B, pushed_with_roles


@pytest.fixture
def teams(pg_cluster, store_url):
    urls, _ = pushed_with_roles(pg_cluster, store_url, {"a": KAB_A, "b": KAB_B, "prov": None})
    return urls


def _one(url: str, query: str, params=()):
    with psycopg.connect(url) as conn:
        return conn.execute(query, params).fetchone()


def _rowcount(url: str, query: str, params=()) -> int:
    with psycopg.connect(url) as conn:
        return conn.execute(query, params).rowcount


def test_roles_know_their_scope(teams):
    with connect(teams["a"]) as conn:
        user, province, codes = role_scope(conn)
    assert user.startswith("tim_a_") and not province and codes == [KAB_A]
    with connect(teams["prov"]) as conn:
        assert role_scope(conn)[1] is True


def test_every_role_reads_the_whole_province(teams):
    for who in ("a", "b", "prov"):
        assert _one(teams[who], "SELECT count(*) FROM facilities")[0] == 3
        assert _one(teams[who], "SELECT count(*) FROM roads")[0] == 1


def test_a_team_writes_its_own_kabupaten(teams):
    assert _rowcount(teams["b"], "UPDATE facilities SET nurses = 9 WHERE _kab = %s",
                     (KAB_B,)) == 1
    assert _one(teams["admin"], "SELECT nurses FROM facilities WHERE fac_id = 'b1'")[0] == 9


def test_a_cross_kabupaten_write_is_refused_by_the_database(teams):
    b = teams["b"]
    # rows of another kabupaten are invisible to a team's UPDATE and DELETE: nothing changes
    assert _rowcount(b, "UPDATE facilities SET name = 'direbut' WHERE _kab = %s", (KAB_A,)) == 0
    assert _rowcount(b, "DELETE FROM desa WHERE _kab = %s", (KAB_A,)) == 0
    assert _rowcount(b, "UPDATE roads SET name = 'x'") == 0  # province-level data
    with pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security"):
        _rowcount(b, "INSERT INTO facilities (_kab, fac_id, name) VALUES (%s, 'x', 'x')",
                  (KAB_A,))
    with pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security"):
        _rowcount(b, "UPDATE facilities SET _kab = %s WHERE _kab = %s", (KAB_A, KAB_B))
    admin = teams["admin"]
    assert _one(admin, "SELECT array_agg(name ORDER BY fac_id) FROM facilities")[0] == [
        "Pustu Sumber", "Pustu Kidul", "Pustu Wetan"]
    assert _one(admin, "SELECT count(*) FROM desa")[0] == 3
    assert _one(admin, "SELECT name FROM roads")[0] == "Jalan Provinsi"


def test_the_client_api_reports_a_refused_edit(teams):
    with connect(teams["b"]) as conn:
        rid, version = find_rid(conn, "facilities", "fac_id", "a1")
        with pytest.raises(StoreError, match="hanya boleh mengubah"):
            edit_row(conn, "facilities", rid, version, {"name": "direbut"})
    assert _one(teams["admin"], "SELECT name FROM facilities WHERE fac_id = 'a1'")[0] == \
        "Pustu Sumber"


def test_a_team_cannot_grant_itself_more_or_bypass_the_rules(teams):
    b = teams["b"]
    for statement in ("INSERT INTO ilp_team_kabupaten VALUES (session_user, '35.07')",
                      "ALTER TABLE facilities DISABLE ROW LEVEL SECURITY",
                      "DROP POLICY ilp_update ON facilities",
                      "INSERT INTO ilp_audit (layer, op) VALUES ('x', 'palsu')",
                      "DELETE FROM ilp_audit",
                      "DROP TABLE facilities"):
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            _rowcount(b, statement)
    assert _rowcount(b, "UPDATE facilities SET name = 'x' WHERE _kab = %s", (KAB_A,)) == 0


def test_the_province_role_writes_everything(teams):
    p = teams["prov"]
    assert _rowcount(p, "UPDATE facilities SET nurses = 5") == 3
    assert _rowcount(p, "UPDATE roads SET name = 'Jalan Nasional'") == 1
    assert _rowcount(p, "INSERT INTO facilities (_kab, fac_id, name) VALUES (%s, 'n', 'Baru')",
                     (KAB_B,)) == 1


def test_a_bad_kabupaten_code_for_a_role_is_refused(store_url):
    with connect(store_url) as conn, pytest.raises(StoreError, match="PP.KK"):
        add_role(conn, "tim_x", kabupaten="35.7")


def test_a_budget_line_aimed_at_a_facility_belongs_to_that_facilitys_kabupaten(
        pg_cluster, store_url):
    """A line with a target facility and no target desa is the facility's kabupaten's: in that
    team's check-out (and only there), editable by that team only."""
    from layers.pgstore.checkout import check_out
    from layers.pgstore.push import push_project
    from tests.layers.pgstore.store_fixtures import login, role_names, two_kabupaten_project

    project = two_kabupaten_project()
    project.layers["budget"] = project.layers["budget"].assign(target_facility=None)
    extra = {"budget_id": "bf", "activity": "Latih kader", "amount": 5e5, "target_desa": None,
             "target_facility": "b1"}
    project.layers["budget"].loc[len(project.layers["budget"])] = extra
    team_a, team_b, _ = role_names()
    with connect(store_url) as conn:
        push_project(conn, project)
        add_role(conn, team_a, kabupaten=KAB_A)
        add_role(conn, team_b, kabupaten=KAB_B)
        assert check_out(conn, KAB_B).layers["budget"]["budget_id"].tolist() == ["bb", "bf"]
        assert check_out(conn, KAB_A).layers["budget"]["budget_id"].tolist() == ["ba"]
    a, b = login(pg_cluster, store_url, team_a), login(pg_cluster, store_url, team_b)
    assert _one(store_url, "SELECT _kab FROM budget WHERE budget_id = 'bf'")[0] == KAB_B
    assert _rowcount(a, "UPDATE budget SET amount = 1 WHERE budget_id = 'bf'") == 0
    assert _rowcount(b, "UPDATE budget SET amount = 2 WHERE budget_id = 'bf'") == 1


_SCOPED = [("facilities", "fac_id", "name", "'direbut'"), ("desa", "code", "name", "'direbut'"),
           ("kabupaten", "code", "name", "'direbut'"),
           ("budget", "budget_id", "activity", "'direbut'")]


@pytest.mark.parametrize(("team", "own", "other"), [("a", KAB_A, KAB_B), ("b", KAB_B, KAB_A)])
def test_each_team_role_is_refused_every_write_outside_its_kabupaten(teams, team, own, other):
    url, admin = teams[team], teams["admin"]
    before = {layer: _one(admin, f"SELECT array_agg({col} ORDER BY _rid) FROM {layer}")[0]
              for layer, _, col, _ in _SCOPED}
    for layer, _, col, value in _SCOPED:
        assert _rowcount(url, f"UPDATE {layer} SET {col} = {value} WHERE _kab = %s",
                         (other,)) == 0
        assert _rowcount(url, f"DELETE FROM {layer} WHERE _kab = %s", (other,)) == 0
        assert _rowcount(url, f"UPDATE {layer} SET {col} = {col} WHERE _kab IS NULL") == 0
        for kab in (other, None):  # another kabupaten's row, a province-level row
            with pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level"):
                _rowcount(url, f"INSERT INTO {layer} (_kab, {col}) VALUES (%s, 'x')", (kab,))
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level"):
            _rowcount(url, f"UPDATE {layer} SET _kab = %s WHERE _kab = %s", (other, own))
    assert _rowcount(url, "DELETE FROM roads") == 0  # province-level layer
    with pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level"):
        _rowcount(url, "INSERT INTO roads (name) VALUES ('x')")
    after = {layer: _one(admin, f"SELECT array_agg({col} ORDER BY _rid) FROM {layer}")[0]
             for layer, _, col, _ in _SCOPED}
    assert after == before
    assert _one(admin, "SELECT count(*) FROM roads")[0] == 1
    # and its own kabupaten it may write, in every one of those layers
    for layer, _, col, _ in _SCOPED:
        assert _rowcount(url, f"UPDATE {layer} SET {col} = {col} WHERE _kab = %s", (own,)) >= 1
