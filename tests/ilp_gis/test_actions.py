"""Action plans: who, when, how much, what was spent, which are late (issue 14)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from ilp_gis.errors import InputError
from ilp_gis.monitoring import actions as A
from tests.ilp_gis import micro


def test_plan_spending_and_lateness():
    project = micro.make_project()
    a = A.add_action(project, kegiatan="Bangun Pustu B2", activity="build_pustu",
                     desa_code="35.07.02.2002", responsible="Seksi Yankes", partners="PUPR",
                     start="01/02/2026", end="2026-09-30", budget_amount=1.5e9,
                     funding_source="dak_fisik", status="berjalan")
    b = A.add_action(project, kegiatan="Latih kader A1", activity="train_kader",
                     desa_code="35.07.01.2001", start="2026-03-01", end="2026-04-30",
                     budget_amount=20e6, funding_source="bok", status="Selesai")
    c = A.add_action(project, kegiatan="Posyandu baru C1", desa_code="35.07.03.2001",
                     end="2026-06-30")  # no budget yet
    assert (a, b, c) == ("RA-0001", "RA-0002", "RA-0003")
    A.record_spending(project, a, "2026-05-10", 600e6, "termin 1")
    A.record_spending(project, a, "2026-11-01", 300e6, "termin 2")
    A.record_spending(project, b, "15/04/2026", 18e6)

    p = A.progress(project, "2026-10-15").actions.set_index("action_id")
    assert p.loc[a, "spent"] == 600e6  # the November payment is after the date asked
    assert p.loc[a, "spent_share"] == pytest.approx(0.4)
    assert bool(p.loc[a, "late"]) and p.loc[a, "days_late"] == 15
    assert not bool(p.loc[b, "late"])  # done: never late
    assert p.loc[b, "spent"] == 18e6
    assert bool(p.loc[c, "late"]) and p.loc[c, "spent"] == 0.0
    assert np.isnan(p.loc[c, "spent_share"])  # no budget: no share, not 0%
    prog = A.progress(project, "2026-10-15")
    by = prog.by_source.set_index("funding_source")
    assert by.loc["dak_fisik", "budget"] == 1.5e9 and by.loc["–", "actions"] == 1
    kec = prog.by_kecamatan.set_index("kecamatan_code")
    assert kec.loc["35.07.02", "spent"] == 600e6

    A.update_action(project, a, status="selesai")
    assert not bool(A.progress(project, "2026-10-15").actions.set_index("action_id").loc[
        a, "late"])


def test_bad_values_are_named():
    project = micro.make_project()
    with pytest.raises(InputError, match="kegiatan wajib"):
        A.add_action(project, kegiatan="")
    with pytest.raises(InputError, match="sebelum tanggal mulai"):
        A.add_action(project, kegiatan="x", start="2026-05-01", end="2026-04-01")
    with pytest.raises(InputError, match="status"):
        A.add_action(project, kegiatan="x", status="hampir")
    with pytest.raises(InputError, match="tidak terbaca"):
        A.add_action(project, kegiatan="x", end="akhir tahun")
    with pytest.raises(InputError, match="tidak ada dalam rencana"):
        A.record_spending(project, "RA-9999", "2026-01-01", 5)
    i = A.add_action(project, kegiatan="x")
    with pytest.raises(InputError, match="negatif"):
        A.record_spending(project, i, "2026-01-01", -5)


def test_from_planned_costs_each_action_once():
    project = micro.make_project()
    planned = pd.DataFrame([
        dict(activity="build_pustu", desa_code="35.07.02.2002", cost=1.5e9,
             gap_ids="G1;G2;G3"),
        dict(activity="add_nakes", fac_id="PT_A2", cost=60e6, gap_ids="G4"),
    ])
    ids = A.from_planned(project, planned, start=dt.date(2027, 1, 1), end="2027-12-31",
                         responsible="Dinkes")
    assert len(ids) == 2
    assert A.from_planned(project, planned) == []  # not added twice
    t = A.plan(project).set_index("action_id")
    assert t.loc[ids[0], "kegiatan"] == "Bangun Pustu B2"
    assert t.loc[ids[0], "origin"] == "plan" and t.loc[ids[0], "gap_ids"] == "G1;G2;G3"
    assert t["budget_amount"].sum() == 1.5e9 + 60e6
