"""The budget lines of one generated district: funded, partly funded and unfunded gaps.

May import the domain model (``ilp_gis``) and ``layers.sample._columns``.
"""

from __future__ import annotations

import numpy as np

from ilp_gis import model
from layers.sample._columns import cols


def make_budget(rng, spec, desa: dict, fac: dict) -> dict[str, np.ndarray]:
    """Sample budget lines (column arrays): funded, partly funded and unfunded gaps side by side.

    Desa without a Pustu: ~30 % get a DAK Fisik line for the full building cost, ~15 % only a
    small Dana Desa line (partly funded), the rest none (unfunded).  Half the Poskesdes/Polindes
    get an upgrade line; some Pustu equipment (DAK Non-Fisik), renovation (third party) and
    staff (DAU) lines; BOK kader training per Puskesmas; Dana Desa for new Posyandu in two
    thirds of the desa with fewer Posyandu than dusun (one third of those only partly).
    """
    kab = f"{spec.prov:02d}{spec.kab:02d}"
    parts: list[dict] = []

    def add(source, year, activity, amount, desa_codes=None, facility=None, status="usulan",
            note=None):
        amount = np.asarray(amount, dtype=float)
        k = len(amount)
        if not k:
            return
        parts.append(cols(k, source=source, year=year, activity=activity,
                          target_desa=desa_codes, target_facility=facility,
                          amount=amount, status=status, note=note, multi_year=False))

    ftype = fac["type"]
    codes = desa["code"]
    with_unit = set(fac["desa_code"][(ftype == "pustu") | (ftype == "puskesmas")])
    no_pustu = np.array([c for c in codes if c not in with_unit], dtype=object)
    no_pustu = no_pustu[rng.permutation(len(no_pustu))]
    m = len(no_pustu)
    full, part = no_pustu[: int(m * 0.3)], no_pustu[int(m * 0.3): int(m * 0.45)]
    add("dak_fisik", rng.choice([2026, 2027], len(full)), "build_pustu",
        np.full(len(full), 1_500_000_000), full,
        status=np.where(np.arange(len(full)) % 3 == 0, "usulan", "disetujui").astype(object))
    add("dana_desa", 2026, "build_pustu", rng.choice([250, 400, 600], len(part)) * 1_000_000,
        part, note="lahan dan pondasi / land and foundation")
    is_pustu = ftype == "pustu"
    pre = np.flatnonzero(is_pustu & fac["precursor"].astype(bool))
    pre = pre[: max(1, len(pre) // 2)] if len(pre) else pre
    add("dak_fisik", 2026, "upgrade_pustu", np.full(len(pre), 600_000_000),
        fac["desa_code"][pre], fac["fac_id"][pre])
    full_pustu = np.flatnonzero(is_pustu & ~fac["precursor"].astype(bool))
    if len(full_pustu):
        eq = rng.choice(full_pustu, max(1, len(full_pustu) // 8), replace=False)
        add("dak_non_fisik", 2026, "equip", np.full(len(eq), 250_000_000),
            fac["desa_code"][eq], fac["fac_id"][eq], status="disetujui")
        rv = rng.choice(full_pustu, min(2, len(full_pustu)), replace=False)
        add("pihak_ketiga", 2025, "renovate", np.full(len(rv), 350_000_000),
            fac["desa_code"][rv], fac["fac_id"][rv], status="terealisasi",
            note="hibah donor / donor grant")
        st = rng.choice(full_pustu, min(3, len(full_pustu)), replace=False)
        add("dau", 2027, "add_nakes", np.full(len(st), 60_000_000), fac["desa_code"][st],
            fac["fac_id"][st])
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
