"""No lost edits on the shared store: a second writer on an old row version gets a conflict it
can settle (keep mine, keep theirs, merge fields), never a silent overwrite; every change is in
the audit table (who, when, before, after); many concurrent writers on overlapping facilities
leave exactly the accepted edits and one audit row each."""

from __future__ import annotations

import random
import threading

import psycopg
import pytest

from layers.pgstore.connection import connect
from layers.pgstore.edits import (
    KEEP_MINE,
    KEEP_THEIRS,
    MERGE,
    EditConflict,
    edit_row,
    find_rid,
    history,
    read_row,
    resolve,
)
from tests.layers.pgstore.store_fixtures import KAB_A, pushed_with_roles


@pytest.fixture
def store(pg_cluster, store_url):
    urls, roles = pushed_with_roles(pg_cluster, store_url,
                                    {"one": KAB_A, "two": KAB_A, "prov": None})
    return urls | {"roles": (roles["one"], roles["two"], roles["prov"])}


def test_the_second_writer_gets_a_conflict_not_an_overwrite(store):
    with connect(store["one"]) as one, connect(store["two"]) as two:
        rid, version = find_rid(one, "facilities", "fac_id", "a1")
        assert find_rid(two, "facilities", "fac_id", "a1") == (rid, version)
        assert edit_row(one, "facilities", rid, version, {"name": "Pustu Satu"}) == version + 1
        with pytest.raises(EditConflict) as err:
            edit_row(two, "facilities", rid, version, {"name": "Pustu Dua", "nurses": 4})
        conflict = err.value
        assert "simpan milik saya" in str(conflict)
        assert conflict.mine == {"name": "Pustu Dua", "nurses": 4}
        assert conflict.theirs["name"] == "Pustu Satu"
        assert conflict.theirs["_row_version"] == version + 1
        assert conflict.differing() == ["name", "nurses"]
        assert read_row(two, "facilities", rid)["name"] == "Pustu Satu"
        two.rollback()


def test_a_conflict_is_settled_by_keep_theirs_keep_mine_or_merge(store):
    with connect(store["one"]) as one, connect(store["two"]) as two:
        rid, version = find_rid(one, "facilities", "fac_id", "a1")
        edit_row(one, "facilities", rid, version, {"name": "Milik Mereka"})
        try:
            edit_row(two, "facilities", rid, version, {"name": "Milik Saya", "nurses": 7})
        except EditConflict as exc:
            conflict = exc
        assert resolve(two, conflict, KEEP_THEIRS) == version + 1
        assert read_row(two, "facilities", rid)["name"] == "Milik Mereka"
        assert resolve(two, conflict, MERGE, fields=["nurses"]) == version + 2
        row = read_row(two, "facilities", rid)
        assert (row["name"], row["nurses"]) == ("Milik Mereka", 7)
        with pytest.raises(EditConflict):  # the row moved on again: settling needs a new look
            resolve(two, conflict, KEEP_MINE)
        two.rollback()
        fresh = EditConflict("facilities", rid, version, conflict.mine,
                             read_row(two, "facilities", rid))
        two.rollback()
        assert resolve(two, fresh, KEEP_MINE) == version + 3
        row = read_row(two, "facilities", rid)
        assert (row["name"], row["nurses"]) == ("Milik Saya", 7)
        two.rollback()


def test_every_change_is_audited_with_who_when_before_after(store):
    tim_a, tim_a2, _ = store["roles"]
    with connect(store["one"]) as one, connect(store["two"]) as two:
        rid, version = find_rid(one, "facilities", "fac_id", "a2")
        version = edit_row(one, "facilities", rid, version, {"name": "Pustu Kidul Baru"})
        edit_row(two, "facilities", rid, version, {"nurses": 5})
        trail = history(one, "facilities", rid)
    assert [(t["who"], t["op"], t["changed"]) for t in trail] == [
        (tim_a, "update", ["name"]), (tim_a2, "update", ["nurses"])]
    assert trail[0]["before"]["name"] == "Pustu Kidul" and \
        trail[0]["after"]["name"] == "Pustu Kidul Baru"
    assert trail[1]["before"]["nurses"] == 2 and trail[1]["after"]["nurses"] == 5
    assert trail[0]["at"] <= trail[1]["at"]


def test_an_audit_row_cannot_be_changed_by_a_team(store):
    with psycopg.connect(store["one"]) as conn, pytest.raises(
            psycopg.errors.InsufficientPrivilege):
        conn.execute("UPDATE ilp_audit SET who = 'orang_lain'")


WRITERS, EDITS = 10, 30


def test_concurrent_writers_lose_no_edit_and_every_conflict_is_reported(store):
    """WRITERS threads, each with its own login, make EDITS edits to three overlapping
    facilities (read the version, write a value unique to the edit); afterwards every accepted
    edit is in the audit in order, every other one was reported as a conflict."""
    targets = ["a1", "a2", "b1"]
    with connect(store["admin"]) as conn:
        rids = {fac: find_rid(conn, "facilities", "fac_id", fac)[0] for fac in targets}
    accepted: list[tuple[int, str]] = []
    conflicts: list[tuple[int, str]] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def writer(w: int) -> None:
        rng = random.Random(w)
        try:
            with connect(store["prov"]) as conn:
                for i in range(EDITS):
                    rid = rids[rng.choice(targets)]
                    version = read_row(conn, "facilities", rid)["_row_version"]
                    conn.rollback()
                    value = f"w{w}-e{i}"
                    try:
                        edit_row(conn, "facilities", rid, version, {"name": value})
                        got = accepted
                    except EditConflict:
                        got = conflicts
                    with lock:
                        got.append((rid, value))
        except BaseException as exc:  # noqa: BLE001 - reported by the test below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(w,)) for w in range(WRITERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert errors == [] and not any(t.is_alive() for t in threads)
    assert len(accepted) + len(conflicts) == WRITERS * EDITS
    assert accepted and conflicts
    with psycopg.connect(store["admin"]) as conn:
        audit = conn.execute("SELECT row_id, after->>'name', (after->>'_row_version')::int"
                             " FROM ilp_audit WHERE layer = 'facilities' AND op = 'update'"
                             " ORDER BY id").fetchall()
        final = dict(conn.execute("SELECT _rid, _row_version FROM facilities").fetchall())
    assert len(audit) == len(accepted)
    assert sorted((r, v) for r, v, _ in audit) == sorted(accepted)
    assert not {v for _, v in conflicts} & {v for _, v, _ in audit}
    for rid in rids.values():  # versions 2, 3, ... in audit order: no write skipped a version
        versions = [n for r, _, n in audit if r == rid]
        assert versions == list(range(2, 2 + len(versions)))
        assert final[rid] == 1 + len(versions)
