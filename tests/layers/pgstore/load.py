"""The concurrent-writers load on the shared store, shared by the pytest version (a few writers)
and ``bench/bench_pgstore.py`` (20 writers × 500 edits): every writer logs in as its own team
role and edits overlapping facilities of one kabupaten (read the row version, write a value
unique to the edit); :func:`check` then proves that every accepted edit is present, every
refused one was reported as a conflict on a row that had really moved on, and the audit holds
exactly one row per accepted edit, by the writer that made it.  Test and bench code only."""

from __future__ import annotations

import random
import threading
import time
from dataclasses import dataclass, field

import geopandas as gpd
import shapely

from ilp_gis.project import Project

KAB = "35.07"


def load_project(facilities: int) -> Project:
    """One kabupaten, one desa, ``facilities`` Pustu: the rows the writers fight over."""
    kab = gpd.GeoDataFrame({"code": [KAB], "name": ["Kabupaten Beban"]},
                           geometry=[shapely.box(0, 0, 1, 1)], crs=4326)
    desa = gpd.GeoDataFrame({"code": [f"{KAB}.01.2001"], "name": ["Desa Beban"],
                             "kecamatan_code": [f"{KAB}.01"]},
                            geometry=[shapely.box(0, 0, 1, 1)], crs=4326)
    fac = gpd.GeoDataFrame(
        {"fac_id": [f"f{i}" for i in range(facilities)],
         "name": [f"Pustu {i}" for i in range(facilities)], "type": ["pustu"] * facilities,
         "desa_code": [f"{KAB}.01.2001"] * facilities, "nurses": [1.0] * facilities},
        geometry=[shapely.Point(0.1 + 0.8 * i / max(facilities, 1), 0.5)
                  for i in range(facilities)], crs=4326)
    return Project(layers={"kabupaten": kab, "desa": desa, "facilities": fac},
                   meta={"title": "Uji beban"})


@dataclass
class Outcome:
    """What the writers saw: accepted ``(writer, rid, value, new version)``, conflicts
    ``(writer, rid, value, expected version, their version)``, errors, seconds per edit."""

    accepted: list[tuple] = field(default_factory=list)
    conflicts: list[tuple] = field(default_factory=list)
    errors: list[BaseException] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)
    seconds: float = 0.0
    finished: bool = True


def prepare(admin_url: str, login, writers: int,
            facilities: int) -> tuple[list[str], list[str], dict]:
    """Push :func:`load_project` and add one team role per writer; returns (the roles, each
    writer's conninfo, fac_id → row id).  ``login(role)`` gives a role's conninfo."""
    import uuid

    from layers.pgstore.connection import connect
    from layers.pgstore.edits import find_rid
    from layers.pgstore.push import push_project
    from layers.pgstore.roles import add_role

    tag = uuid.uuid4().hex[:6]
    roles = [f"penulis_{w}_{tag}" for w in range(writers)]
    with connect(admin_url) as conn:
        push_project(conn, load_project(facilities))
        for role in roles:
            add_role(conn, role, kabupaten=KAB)
        rids = {f"f{i}": find_rid(conn, "facilities", "fac_id", f"f{i}")[0]
                for i in range(facilities)}
    return roles, [login(role) for role in roles], rids


def run(urls: list[str], rids: dict, edits: int, *, timeout: float = 600.0,
        seed: int = 15) -> Outcome:
    """Every writer (a thread with its own connection) makes ``edits`` edits at once."""
    from layers.pgstore.connection import connect
    from layers.pgstore.edits import EditConflict, edit_row, read_row

    out = Outcome()
    lock = threading.Lock()
    targets = sorted(rids.values())
    start = threading.Barrier(len(urls))

    def writer(w: int, url: str) -> None:
        rng = random.Random(seed * 1000 + w)
        try:
            with connect(url) as conn:
                start.wait(timeout=60)
                for i in range(edits):
                    rid = rng.choice(targets)
                    version = read_row(conn, "facilities", rid)["_row_version"]
                    conn.rollback()
                    value = f"w{w}-e{i}"
                    t = time.perf_counter()
                    try:
                        new = edit_row(conn, "facilities", rid, version, {"name": value})
                        item, bucket = (w, rid, value, new), out.accepted
                    except EditConflict as conflict:
                        conn.rollback()
                        theirs = conflict.theirs or {}
                        item = (w, rid, value, version, theirs.get("_row_version"))
                        bucket = out.conflicts
                    with lock:
                        bucket.append(item)
                        out.latencies.append(time.perf_counter() - t)
        except BaseException as exc:  # noqa: BLE001 - reported by check()
            with lock:
                out.errors.append(exc)

    threads = [threading.Thread(target=writer, args=(w, url), daemon=True)
               for w, url in enumerate(urls)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    deadline = t0 + timeout
    for t in threads:
        t.join(timeout=max(0.0, deadline - time.perf_counter()))
    out.seconds = time.perf_counter() - t0
    out.finished = not any(t.is_alive() for t in threads)
    return out


def check(admin_url: str, out: Outcome, writers: int, edits: int, roles: list[str]) -> list[str]:
    """What went wrong (empty: nothing): see the module doc."""
    import psycopg

    problems = []
    if not out.finished:
        problems.append("writers still running at the time limit")
    if out.errors:
        problems.append(f"{len(out.errors)} writer errors, first: {out.errors[0]!r}")
    if len(out.accepted) + len(out.conflicts) != writers * edits:
        problems.append(f"{len(out.accepted)} accepted + {len(out.conflicts)} conflicts != "
                        f"{writers * edits} edits made")
    with psycopg.connect(admin_url) as conn:
        audit = conn.execute(
            "SELECT who, row_id, after->>'name', (after->>'_row_version')::int FROM ilp_audit"
            " WHERE layer = 'facilities' AND op = 'update' ORDER BY id").fetchall()
        final = {r: (n, v) for r, n, v in conn.execute(
            "SELECT _rid, name, _row_version FROM facilities").fetchall()}
    if len(audit) != len(out.accepted):
        problems.append(f"audit rows {len(audit)} != accepted edits {len(out.accepted)}")
    accepted = {(rid, value, version) for _, rid, value, version in out.accepted}
    if {(r, n, v) for _, r, n, v in audit} != accepted:
        problems.append("the audited edits are not the accepted ones")
    refused = {value for _, _, value, _, _ in out.conflicts}
    if refused & ({n for _, _, n, _ in audit} | {n for n, _ in final.values()}):
        problems.append("a refused edit reached the store")
    for w, rid, _value, expected, theirs in out.conflicts:
        if theirs is None or theirs <= expected:
            problems.append(f"writer {w}: a conflict on row {rid} that had not moved on")
            break
    for rid in {r for _, r, _, _ in audit} | set(final):
        trail = [(n, v) for _, r, n, v in audit if r == rid]
        if [v for _, v in trail] != list(range(2, 2 + len(trail))):
            problems.append(f"row {rid}: versions skipped or repeated")
        if final[rid][1] != 1 + len(trail) or (trail and final[rid][0] != trail[-1][0]):
            problems.append(f"row {rid}: the last accepted edit is not what the row holds")
    by_writer = {}
    for who, *_ in audit:
        by_writer[who] = by_writer.get(who, 0) + 1
    for w, role in enumerate(roles):
        made = sum(1 for a in out.accepted if a[0] == w)
        if by_writer.get(role, 0) != made:
            problems.append(f"writer {w}: {by_writer.get(role, 0)} audit rows, {made} accepted")
    return problems
