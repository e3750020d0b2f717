"""Indonesian area codes: read every spelling planners produce, normalize, never mix the
Kemendagri and BPS systems (the reading rule: :func:`normalize_code`).  Imports ``ilp_gis``
(i18n, speed) only: no file or GIS library.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from ilp_gis.i18n import register_catalog, tr
from ilp_gis.speed.arrow import full_match
from ilp_gis.speed.distinct import per_value

KEMENDAGRI = "kemendagri"
BPS = "bps"
SYSTEMS = (KEMENDAGRI, BPS)

PROVINSI = "provinsi"
KABUPATEN = "kabupaten"
KECAMATAN = "kecamatan"
DESA = "desa"
LEVELS = (PROVINSI, KABUPATEN, KECAMATAN, DESA)

_KEMENDAGRI_PARTS = (2, 2, 2, 4)
_BPS_PARTS = (2, 2, 3, 3)
_BPS_LENGTHS = {2: PROVINSI, 4: KABUPATEN, 7: KECAMATAN, 10: DESA}
_KEMENDAGRI_LENGTHS = {2: PROVINSI, 4: KABUPATEN, 6: KECAMATAN, 10: DESA}

# Problems that leave a usable code (status "fixed"), and those that do not.
FIXED_PROBLEMS = ("stray_characters", "padded", "excel_trailing_zero", "dots_added")
DOUBTFUL_PROBLEMS = ("assumed_system", "system_mismatch", "wrong_level")
BAD_PROBLEMS = ("empty", "unreadable", "bad_length", "bad_province", "bad_desa_part")

_SEP = re.compile(r"[.\-\s/_,:|]+")
_EDGE_JUNK = re.compile(r"^[^0-9]+|[^0-9]+$")


@dataclass(frozen=True)
class CodeResult:
    """What was read from one code value.

    ``code`` is the normalized code (``None`` when it cannot be used), ``system`` is
    ``"kemendagri"``/``"bps"``/``None``, ``level`` one of :data:`LEVELS`, ``problems`` the
    machine-readable problem kinds (empty when the value was clean), ``original`` the value as
    written.
    """

    original: str | None
    code: str | None
    system: str | None
    level: str | None
    problems: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return self.code is not None

    @property
    def problem(self) -> str | None:
        return self.problems[0] if self.problems else None

    @property
    def is_kelurahan(self) -> bool | None:
        """True for a Kemendagri kelurahan (``1xxx``), False for a desa, None otherwise."""
        if self.system != KEMENDAGRI or self.level != DESA or not self.code:
            return None
        return self.code[-4] == "1"

    @property
    def status(self) -> str:
        """``imported`` | ``fixed`` | ``doubtful`` | ``skipped`` (the import-report status)."""
        if not self.ok:
            return "skipped"
        if any(p in DOUBTFUL_PROBLEMS for p in self.problems):
            return "doubtful"
        if self.problems:
            return "fixed"
        return "imported"

    def message(self, *, lang: str | None = None) -> str:
        """The problems in one sentence for people ("" when none)."""
        if not self.problems:
            return ""
        parts = [tr(f"codes.problem.{p}", lang=lang, value=self.original or "",
                    code=self.code or "", system=tr(f"codes.system.{self.system}", lang=lang)
                    if self.system else "", level=tr(f"codes.level.{self.level}", lang=lang)
                    if self.level else "")
                 for p in self.problems]
        return "; ".join(parts)


def _original_text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, float):
        if math.isnan(value):
            return None
        return repr(value)
    return str(value)


def normalize_code(value: object, *, system: str | None = None,
                   level: str | None = None) -> CodeResult:
    """Read one area code.

    Parameters
    ----------
    value
        The cell as read: text, int or float (Excel), ``None``/NaN for empty.
    system
        The system the column is declared to hold (``"kemendagri"``/``"bps"``), or ``None``.
    level
        The level the layer expects (``"desa"`` for a desa layer); a code of another level is
        reported as ``wrong_level`` (kept).

    Two systems exist and are never converted into each other:

    * **Kemendagri** ``PP.KK.CC.DDDD`` (``53.10.01.2001``): provinsi ``PP``, kabupaten ``PP.KK``,
      kecamatan ``PP.KK.CC``, desa/kelurahan ``PP.KK.CC.DDDD`` (``2xxx`` desa, ``1xxx`` kelurahan).
    * **BPS** ``PPKKCCCDDD`` (``5310010001``): provinsi 2, kabupaten 4, kecamatan 7, desa 10 digits.

    The reading rule (documented for planners):

    1. A value written with separators (dots, dashes, spaces, slashes) in the 2/2/2/4 pattern is
       Kemendagri; in the 2/2/3/3 pattern it is BPS.  Kemendagri parts that lost a leading zero
       (``53.10.1.2001``) are padded and reported as fixed.
    2. A value of plain digits (text or an Excel number such as ``5310012001.0``) is **BPS** — BPS
       codes are written without dots.  When the column is *declared* Kemendagri (e.g. RBI
       ``KDEPUM`` or ``--map desa.code=...``) plain digits are split 2/2/2/4 (desa) or 2/2/2 (six
       digits) instead.  Six plain digits only fit Kemendagri (kecamatan) and are read so.
    3. Plain digits read without a declared system are marked ``assumed`` (they also fit the other
       system); the importer reports them so a planner can declare the column.
    4. A Kemendagri desa part that does not start with 1 or 2, a provinsi outside 11–99 or a length
       that fits neither system is a problem: the code is kept as written and not used.
    """
    if system is not None and system not in SYSTEMS:
        raise ValueError(f"unknown code system {system!r}")
    original = _original_text(value)
    problems: list[str] = []
    if original is None or not original.strip():
        return CodeResult(original, None, None, None, ("empty",))

    # Numbers from spreadsheets: 5310012001.0 -> "5310012001"; 35.07 -> "35.07"; 53.1 -> "53.10"
    if isinstance(value, bool):
        return CodeResult(original, None, None, None, ("unreadable",))
    if isinstance(value, int):
        text = str(value)
    elif isinstance(value, float):
        if math.isinf(value) or value < 0:
            return CodeResult(original, None, None, None, ("unreadable",))
        if value.is_integer():
            text = str(int(value))
        else:
            text = repr(value)
            if "e" in text or "." not in text:  # 1e-06: no area code
                return CodeResult(original, None, None, None, ("unreadable",))
            whole, frac = text.split(".")
            if len(whole) != 2 or len(frac) > 2:
                return CodeResult(original, None, None, None, ("unreadable",))
            if len(frac) == 1:  # "53.10" typed into Excel became 53.1
                text = f"{whole}.{frac}0"
                problems.append("excel_trailing_zero")
            return _finish(_read_text(text, system, problems), original, level)
    else:
        text = original.strip().replace("\u00a0", " ")
        if text.endswith(".0") and text[:-2].isdigit():  # "5310012001.0" pasted from pandas
            text = text[:-2]
    return _finish(_read_text(text, system, problems), original, level)


def _finish(res: tuple[str | None, str | None, str | None, list[str]], original: str,
            level: str | None) -> CodeResult:
    code, system, found_level, problems = res
    if code is not None and level is not None and found_level != level:
        problems.append("wrong_level")
    return CodeResult(original, code, system, found_level, tuple(problems))


def _read_text(text: str, declared: str | None,
               problems: list[str]) -> tuple[str | None, str | None, str | None, list[str]]:
    stripped = _EDGE_JUNK.sub("", text)
    if stripped != text:
        problems.append("stray_characters")
    if not stripped:
        return None, None, None, ["unreadable"]
    groups = [g for g in _SEP.split(stripped) if g]
    if not all(g.isdigit() for g in groups):
        return None, None, None, ["unreadable"]

    if len(groups) > 1:
        lengths = tuple(len(g) for g in groups)
        if len(groups) <= 4 and lengths == _BPS_PARTS[:len(groups)] and len(groups) >= 3:
            # 2/2/3(/3): BPS written with separators
            return _check(BPS, "".join(groups), declared, problems)
        if len(groups) <= 4 and all(n <= m for n, m in zip(lengths, _KEMENDAGRI_PARTS, strict=False)):
            padded = [g.zfill(m) for g, m in zip(groups, _KEMENDAGRI_PARTS, strict=False)]
            if padded != groups:
                problems.append("padded")
            return _check(KEMENDAGRI, ".".join(padded), declared, problems)
        return None, None, None, problems + ["unreadable"]

    digits = groups[0]
    n = len(digits)
    if declared == KEMENDAGRI and n in _KEMENDAGRI_LENGTHS:
        if n > 2:
            problems.append("dots_added")
        parts, i = [], 0
        for m in _KEMENDAGRI_PARTS:
            if i >= n:
                break
            parts.append(digits[i:i + m])
            i += m
        return _check(KEMENDAGRI, ".".join(parts), declared, problems)
    if n == 6:  # only Kemendagri has a six-digit level
        if declared is None:
            problems.append("assumed_system")
        return _check(KEMENDAGRI, ".".join((digits[:2], digits[2:4], digits[4:])), declared,
                      problems)
    if n in _BPS_LENGTHS:
        if declared is None:
            problems.append("assumed_system")
        return _check(BPS, digits, declared, problems)
    return None, None, None, problems + ["bad_length"]


def _check(system: str, code: str, declared: str | None,
           problems: list[str]) -> tuple[str | None, str | None, str | None, list[str]]:
    if system == KEMENDAGRI:
        parts = code.split(".")
        level = LEVELS[len(parts) - 1]
        if len(parts) == 4 and parts[3][0] not in "12":
            return None, system, level, ["bad_desa_part"]
    else:
        level = _BPS_LENGTHS[len(code)]
    if not 11 <= int(code[:2]) <= 99:
        return None, system, level, ["bad_province"]
    if declared is not None and declared != system:
        problems.append("system_mismatch")
    return code, system, level, problems


def parent_code(code: str, system: str, level: str) -> str:
    """The code of the enclosing ``level`` (a prefix of ``code`` in its own system)."""
    if system == KEMENDAGRI:
        n = LEVELS.index(level) + 1
        return ".".join(code.split(".")[:n])
    return code[:{v: k for k, v in _BPS_LENGTHS.items()}[level]]


_CLEAN_PATTERNS = {
    KEMENDAGRI: r"(?:1[1-9]|[2-9]\d)\.\d{2}(?:\.\d{2}(?:\.[12]\d{3})?)?",
    BPS: r"(?:1[1-9]|[2-9]\d)(?:\d{2}|\d{5}|\d{8})?",
}
_LEVEL_DOTS = {PROVINSI: 0, KABUPATEN: 1, KECAMATAN: 2, DESA: 3}
_LEVEL_DIGITS = {v: k for k, v in _BPS_LENGTHS.items()}
_PROVINSI = r"(?:1[1-9]|[2-9]\d)"
_CLEAN_AT_LEVEL = {
    KEMENDAGRI: {PROVINSI: None, KABUPATEN: _PROVINSI + r"\.\d{2}",
                 KECAMATAN: _PROVINSI + r"\.\d{2}\.\d{2}",
                 DESA: _PROVINSI + r"\.\d{2}\.\d{2}\.[12]\d{3}"},
    BPS: {PROVINSI: _PROVINSI, KABUPATEN: _PROVINSI + r"\d{2}", KECAMATAN: _PROVINSI + r"\d{5}",
          DESA: _PROVINSI + r"\d{8}"},
}
""":data:`_CLEAN_PATTERNS` narrowed to one level (None: no clean code of that level)."""


def _clean_result(v: object, system: str | None, level: str | None) -> CodeResult | None:
    """What :func:`normalize_code` gives for an already clean code (most of them), without
    the general reader; None for any other value.  Clean means what :func:`clean_mask` says."""
    if v.__class__ is not str:
        return None
    kind = BPS if system == BPS else KEMENDAGRI
    if _CLEAN_REGEX[kind].fullmatch(v) is None:
        return None
    found = LEVELS[v.count(".")] if kind == KEMENDAGRI else _BPS_LENGTHS[len(v)]
    return CodeResult(v, v, kind, found,
                      ("wrong_level",) if level is not None and found != level else ())


_CLEAN_REGEX = {kind: re.compile(p, re.ASCII) for kind, p in _CLEAN_PATTERNS.items()}


def clean_mask(values, *, system: str | None = None, level: str | None = None):
    """Vectorised test: True where a value is text that is already a clean code — Kemendagri
    (``system`` None or kemendagri) or BPS (``system`` bps) — of ``level`` when given.
    For those, :func:`normalize_code` would return the value unchanged with no problem."""
    import numpy as np

    kind = BPS if system == BPS else KEMENDAGRI
    pattern = _CLEAN_PATTERNS[kind] if level is None else _CLEAN_AT_LEVEL[kind][level]
    if pattern is None:
        return np.zeros(len(values), dtype=bool)
    return full_match(values, pattern)


def normalize_many(values, *, system: str | None = None,
                   level: str | None = None) -> list[CodeResult]:
    """:func:`normalize_code` for a sequence, reading each distinct value once."""
    def read(v: object) -> CodeResult:
        return _clean_result(v, system, level) or normalize_code(v, system=system, level=level)

    return per_value(read, values)


register_catalog("ilp_gis", "codes")
