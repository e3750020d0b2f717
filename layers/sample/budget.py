"""The budget lines of one generated district: funded, partly funded and unfunded gaps.

May import the domain model and rules (``ilp_gis``) and ``layers.sample._columns``.
"""

from __future__ import annotations

import numpy as np

from ilp_gis import model
from ilp_gis.rules import default_rules
from layers.sample._columns import cols

# Two lines break the funding rules on purpose, so that a planner sees how the report lists
# them (``eligibility.*`` and the budget year): their notes say so.
NOTE_WRONG_SOURCE = ("contoh sengaja: Dana Desa tidak membiayai bangunan Pustu / on purpose: "
                     "Dana Desa does not pay for a Pustu building")
NOTE_WRONG_YEAR = ("contoh sengaja: TA 2027 tanpa tanda tahun jamak / on purpose: TA 2027 not "
                   "marked multi-year")


def make_budget(rng, spec, desa: dict, fac: dict) -> dict[str, np.ndarray]:
    """Sample budget lines (column arrays): funded, partly funded and unfunded gaps side by side,
    each line paid by a source the eligibility rules (``eligibility.*``) allow for its activity.

    Desa without a Pustu: ~30 % get a DAK Fisik line for the full building cost (TA 2026 or
    2027), ~15 % a first-stage DAK Fisik line (land and foundation, TA 2026) — half of those
    with the second stage on a multi-year TA 2027 line (funded over two years), the rest partly
    funded — and the others none (unfunded).  Half the Poskesdes/Polindes get an upgrade line
    (DAK Fisik); some Pustu equipment (DAK Fisik), renovation (third party) and staff (DAU)
    lines; BOK kader training per Puskesmas and DAK Non-Fisik kader training in a few desa (one
    whose kader are complete: a line that reaches no gap, reported as unused); Dana Desa for
    new Posyandu in two thirds of the desa with fewer Posyandu than dusun (one third of those
    only partly).  Two lines break the rules on purpose and are noted so (a Dana Desa line for
    a Pustu building; a TA 2027 second stage not marked multi-year).
    """
    kab = f"{spec.prov:02d}{spec.kab:02d}"
    parts: list[dict] = []

    def add(source, year, activity, amount, desa_codes=None, facility=None, status="usulan",
            note=None, multi_year=False):
        amount = np.asarray(amount, dtype=float)
        k = len(amount)
        if not k:
            return
        parts.append(cols(k, source=source, year=year, activity=activity,
                          target_desa=desa_codes, target_facility=facility,
                          amount=amount, status=status, note=note, multi_year=multi_year))

    build = 1_500_000_000
    ftype = fac["type"]
    codes = desa["code"]
    with_unit = set(fac["desa_code"][(ftype == "pustu") | (ftype == "puskesmas")])
    no_pustu = np.array([c for c in codes if c not in with_unit], dtype=object)
    no_pustu = no_pustu[rng.permutation(len(no_pustu))]
    m = len(no_pustu)
    full, part = no_pustu[: int(m * 0.3)], no_pustu[int(m * 0.3): int(m * 0.45)]
    rest = no_pustu[int(m * 0.45):]
    add("dak_fisik", rng.choice([2026, 2027], len(full)), "build_pustu",
        np.full(len(full), build), full,
        status=np.where(np.arange(len(full)) % 3 == 0, "usulan", "disetujui").astype(object))
    stage1 = rng.choice([250, 400, 600], len(part)) * 1_000_000
    add("dak_fisik", 2026, "build_pustu", stage1, part,
        note="tahap 1: lahan dan pondasi / stage 1: land and foundation")
    two = np.arange(len(part)) % 2 == 0  # every other one: stage 2 on a multi-year line
    add("dak_fisik", 2027, "build_pustu", build - stage1[two], part[two],
        note="tahap 2, tahun jamak / stage 2, multi-year", multi_year=True)
    if (~two).any():  # the first of the others: stage 2 in TA 2027, not marked multi-year
        j = np.flatnonzero(~two)[:1]
        add("dak_fisik", 2027, "build_pustu", build - stage1[j], part[j], note=NOTE_WRONG_YEAR)
    if len(rest):  # a desa left unfunded gets a line its source may not pay for
        add("dana_desa", 2026, "build_pustu", np.array([300_000_000]), rest[:1],
            note=NOTE_WRONG_SOURCE)
    is_pustu = ftype == "pustu"
    pre = np.flatnonzero(is_pustu & fac["precursor"].astype(bool))
    pre = pre[: max(1, len(pre) // 2)] if len(pre) else pre
    add("dak_fisik", 2026, "upgrade_pustu", np.full(len(pre), 600_000_000),
        fac["desa_code"][pre], fac["fac_id"][pre])
    full_pustu = np.flatnonzero(is_pustu & ~fac["precursor"].astype(bool))
    if len(full_pustu):
        eq = rng.choice(full_pustu, max(1, len(full_pustu) // 24), replace=False)
        add("dak_fisik", 2026, "equip", np.full(len(eq), 250_000_000),
            fac["desa_code"][eq], fac["fac_id"][eq], status="disetujui")
        rv = rng.choice(full_pustu, min(2, len(full_pustu)), replace=False)
        add("pihak_ketiga", 2025, "renovate", np.full(len(rv), 350_000_000),
            fac["desa_code"][rv], fac["fac_id"][rv], status="terealisasi",
            note="hibah donor / donor grant")
        # staff for Pustu short of a nurse or a midwife (else any Pustu)
        staff = np.asarray(fac["nurses"], dtype=float), np.asarray(fac["midwives"], dtype=float)
        lacks = full_pustu[(staff[0][full_pustu] < 1) | (staff[1][full_pustu] < 1)]
        pool = lacks if len(lacks) >= 3 else full_pustu
        st = rng.choice(pool, min(3, len(pool)), replace=False)
        add("dau", 2027, "add_nakes", np.full(len(st), 60_000_000), fac["desa_code"][st],
            fac["fac_id"][st])
    is_posy = ftype == "posyandu"
    kader = np.asarray(fac["kader"], dtype=float)
    min_kader = default_rules().value("target.posyandu_min_kader")
    short = {c for c, k in zip(fac["desa_code"][is_posy], kader[is_posy], strict=True)
             if k < min_kader}
    with_posy = list(dict.fromkeys(fac["desa_code"][is_posy]))
    lacking = [c for c in with_posy if c in short][:2]
    complete = [c for c in with_posy if c not in short][:1]
    dnf = np.array(lacking + complete, dtype=object)
    add("dak_non_fisik", 2026, "train_kader", np.full(len(dnf), 30_000_000.0), dnf,
        status="disetujui", note="pelatihan kader / kader training")
    pk = np.flatnonzero(ftype == "puskesmas")
    kader = rng.integers(20, 80, len(pk))
    add("bok", 2026, "train_kader", kader * 1_500_000.0, None, fac["fac_id"][pk],
        status="disetujui", note=np.array([f"{k} kader" for k in kader], dtype=object))
    index = {c: i for i, c in enumerate(codes)}
    posy = np.bincount([index[c] for c in fac["desa_code"][ftype == "posyandu"]],
                       minlength=len(codes))
    gap = desa["dusun_count"] - posy
    gd = np.flatnonzero(gap > 0)
    kind = np.arange(len(gd)) % 3  # 0 funded in full, 1 partly, 2 unfunded
    add("dana_desa", 2026, "open_posyandu",
        np.where(kind[kind < 2] == 0, gap[gd][kind < 2] * 25_000_000, 15_000_000),
        codes[gd][kind < 2])
    if not parts:
        return cols(0, **{c: np.empty(0, dtype=object) for c in model.BUDGET.column_names})
    out = {c: np.concatenate([p[c] for p in parts]) for c in parts[0]}
    k = len(out["amount"])
    out = {"budget_id": np.array([f"ANG-{kab}-{i + 1:04d}" for i in range(k)], dtype=object),
           **out}
    return {c: out[c] for c in model.BUDGET.column_names}
