"""The load test of the shared store at pytest size (``bench/bench_pgstore.py`` runs the same
code with 20 writers × 500 edits): writers with their own team logins edit overlapping
facilities at once; every accepted edit is present, every other one was reported as a
conflict, the audit holds one row per accepted edit by its writer."""

from __future__ import annotations

from tests.layers.pgstore import load
from tests.layers.pgstore.store_fixtures import login

WRITERS, EDITS, FACILITIES = 5, 40, 3


def test_concurrent_team_writers_lose_nothing_and_every_conflict_is_reported(pg_cluster,
                                                                             store_url):
    roles, urls, rids = load.prepare(store_url, lambda r: login(pg_cluster, store_url, r),
                                     WRITERS, FACILITIES)
    out = load.run(urls, rids, EDITS, timeout=300)
    assert load.check(store_url, out, WRITERS, EDITS, roles) == []
    assert out.accepted and out.conflicts  # both kinds happened: the writers did overlap
    assert len(out.accepted) >= len(rids)  # at least one edit went through on a row


def test_the_check_catches_a_lost_edit(pg_cluster, store_url):
    """The checker itself is not blind: an accepted edit that the store does not hold, and a
    conflict on a row that never moved, are both reported."""
    roles, urls, rids = load.prepare(store_url, lambda r: login(pg_cluster, store_url, r), 1,
                                     1)
    out = load.run(urls, rids, 3, timeout=60)
    assert load.check(store_url, out, 1, 3, roles) == []  # one writer alone: no conflicts
    assert out.conflicts == [] and len(out.accepted) == 3
    rid = next(iter(rids.values()))
    out.accepted.append((0, rid, "hilang", 5))
    out.conflicts.append((0, rid, "palsu", 4, 4))
    problems = load.check(store_url, out, 1, 5, roles)
    assert "audit rows 3 != accepted edits 4" in problems
    assert "the audited edits are not the accepted ones" in problems
    assert f"writer 0: a conflict on row {rid} that had not moved on" in problems
    assert "writer 0: 3 audit rows, 4 accepted" in problems
