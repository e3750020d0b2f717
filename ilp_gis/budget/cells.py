"""Reading what budget offices write in budget sheets: amounts ("Rp 1,5 M", "750 jt"), years,
funding sources, activities and statuses, each as a :class:`Parsed` value with a status and a
message.  Pure domain code (no files); imports ``ilp_gis`` (i18n, model, rules) only.
"""

from __future__ import annotations

import functools
import math
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ilp_gis.i18n import register_catalog, tr
from ilp_gis.model import Activity, BudgetStatus, FundingSource


@dataclass(frozen=True)
class Parsed:
    """A parsed cell: ``value`` (None when unreadable/empty), ``status`` ``ok`` | ``fixed`` |
    ``doubtful`` | ``error`` | ``empty`` and ``message`` (UI language) when not ``ok``."""

    value: Any
    status: str = "ok"
    message: str = ""

    @property
    def ok(self) -> bool:
        return self.status in ("ok", "fixed", "doubtful")


_MULTIPLIERS = {
    # miliar / milyar / M / Mlyr / B (billion) = 10^9
    "miliar": 1e9, "milyar": 1e9, "milliar": 1e9, "m": 1e9, "mlyr": 1e9, "mly": 1e9, "mil": 1e9,
    "mia": 1e9, "b": 1e9, "bn": 1e9, "billion": 1e9,
    # juta / jt / jta = 10^6
    "juta": 1e6, "jt": 1e6, "jta": 1e6, "jt.": 1e6, "million": 1e6, "mio": 1e6,
    # ribu / rb = 10^3
    "ribu": 1e3, "rb": 1e3, "k": 1e3, "thousand": 1e3,
    # triliun = 10^12
    "triliun": 1e12, "t": 1e12, "trilyun": 1e12, "trillion": 1e12,
}
_AMOUNT_RE = re.compile(r"^([0-9][0-9.,' ]*)\s*([a-z.]*)$")


def is_missing(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    if value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, str) and value.strip() in ("", "-", "–", "—", "nan", "NaN")


MAX_LINE_AMOUNT_RULE = "budget.max_line_amount"


@functools.cache
def default_max_line_amount() -> float:
    """The default upper bound of one budget line (rule ``budget.max_line_amount``)."""
    from ilp_gis.rules import default_rules

    return float(default_rules().value(MAX_LINE_AMOUNT_RULE))


def _grouped(number: str, group: str, decimal: str | None) -> bool:
    """Whether ``number`` is written with regular thousands groups (``1.250.000``,
    ``1,250,000.50``): 1-3 digits, then groups of exactly three, then the decimals."""
    g, d = re.escape(group), re.escape(decimal) if decimal else None
    tail = rf"(?:{d}\d+)?" if d else ""
    return re.fullmatch(rf"\d{{1,3}}(?:{g}\d{{3}})+{tail}", number) is not None


def parse_amount(value: Any, *, max_amount: float | None = None) -> Parsed:
    """Read a Rupiah amount as budget offices write it.

    ``Rp 1.250.000`` · ``1.250.000,00`` · ``Rp1.250.000,-`` · ``1,25 M`` (miliar) ·
    ``1,25 miliar`` · ``250 jt`` · ``250 juta`` · ``1250000`` · ``1,250,000`` · numbers.
    Empty → ``empty`` (missing stays missing); negative, unreadable, not finite or above
    ``max_amount`` (default: the rule ``budget.max_line_amount``) → ``error``; separators that
    form no regular thousands groups (``1,2,3``, ``1.2.3``) → ``doubtful`` with no value (the
    number is never guessed).
    """
    limit = default_max_line_amount() if max_amount is None else float(max_amount)
    if is_missing(value):
        return Parsed(None, "empty")
    if isinstance(value, bool):
        return Parsed(None, "error", tr("budget.amount.unreadable", value=str(value)))
    if isinstance(value, int | float | np.integer | np.floating):
        v = float(value)
        if not math.isfinite(v):
            return Parsed(None, "error", tr("budget.amount.not_finite", value=str(value)))
        if v < 0:
            return Parsed(None, "error", tr("budget.amount.negative", value=str(value)))
        if v == 0:
            return Parsed(0.0, "doubtful", tr("budget.amount.zero"))
        if v > limit:
            return _too_large(str(value), limit)
        return Parsed(v)
    text = unicodedata.normalize("NFKC", str(value)).strip().lower()
    original = str(value).strip()
    negative = text.startswith("-") or text.startswith("(") and text.endswith(")")
    text = text.strip("()")
    text = re.sub(r"^(rp\.?|idr)\s*", "", text.lstrip("-").strip())
    text = re.sub(r",-+$|\.-+$|-+$", "", text).strip()  # "Rp 1.250.000,-"
    text = text.replace("\u00a0", " ")
    m = _AMOUNT_RE.match(text)
    if not m:
        return Parsed(None, "error", tr("budget.amount.unreadable", value=original))
    number, suffix = m.group(1).strip().replace(" ", "").replace("'", ""), m.group(2).rstrip(".")
    mult = 1.0
    if suffix:
        if suffix not in _MULTIPLIERS:
            return Parsed(None, "error", tr("budget.amount.unreadable", value=original))
        mult = _MULTIPLIERS[suffix]
    status, message = "ok", ""
    dots, commas = number.count("."), number.count(",")
    irregular = Parsed(None, "doubtful", tr("budget.amount.irregular", value=original))
    if dots and commas:  # the last separator is the decimal one
        if number.rfind(",") > number.rfind("."):
            if commas > 1 or not _grouped(number, ".", ","):
                return irregular
            number = number.replace(".", "").replace(",", ".")  # 1.250.000,00
        else:
            if dots > 1 or not _grouped(number, ",", "."):
                return irregular
            number = number.replace(",", "")  # 1,250,000.00
    elif dots > 1 or (dots == 1 and not suffix and re.fullmatch(r"\d{1,3}\.\d{3}", number)):
        if not _grouped(number, ".", None):
            return irregular  # "1.2.3": no reading is safe
        number = number.replace(".", "")  # 1.250.000 / 1.250 (Indonesian grouping)
    elif commas > 1:
        if not _grouped(number, ",", None):
            return irregular  # "1,2,3"
        number = number.replace(",", "")  # 1,250,000 (English grouping)
        status, message = "fixed", tr("budget.amount.english_grouping", value=original)
    elif commas == 1:
        if not suffix and re.fullmatch(r"\d{1,3},\d{3}", number):
            # "1,250" without a unit: an English thousands separator is far likelier than
            # Rp 1,25 — but say so.
            number = number.replace(",", "")
            status, message = "doubtful", tr("budget.amount.ambiguous", value=original,
                                             read=number)
        else:
            number = number.replace(",", ".")  # 1,25 M
    try:
        v = float(number) * mult
    except ValueError:
        return Parsed(None, "error", tr("budget.amount.unreadable", value=original))
    if negative:
        return Parsed(None, "error", tr("budget.amount.negative", value=original))
    if not math.isfinite(v):
        return Parsed(None, "error", tr("budget.amount.not_finite", value=original))
    if v == 0:
        return Parsed(0.0, "doubtful", tr("budget.amount.zero"))
    if v > limit:
        return _too_large(original, limit)
    v = round(v, 2)
    if status == "ok" and (suffix or original.lower().startswith(("rp", "idr"))
                           or "," in original):
        status = "fixed" if suffix else "ok"
        if suffix:
            message = tr("budget.amount.unit_read", value=original, amount=v)
    return Parsed(v, status, message)


def _too_large(original: str, limit: float) -> Parsed:
    return Parsed(None, "error", tr("budget.amount.too_large", value=original,
                                    limit=format_amount_short(limit),
                                    rule=MAX_LINE_AMOUNT_RULE))


def format_amount_short(value: float | None, *, lang: str | None = None) -> str:
    """``5e9`` → ``Rp 5 M`` · ``7.5e8`` → ``Rp 750 jt`` · ``1.25e9`` → ``Rp 1,25 M`` (id);
    English uses ``bn``/``mn`` and a decimal point."""
    from ilp_gis.i18n import format_number, get_language

    if value is None or not np.isfinite(value):
        return "–"
    lang = lang or get_language()
    v = float(value)
    for size, id_unit, en_unit in ((1e12, "T", "tn"), (1e9, "M", "bn"), (1e6, "jt", "mn"),
                                   (1e3, "rb", "k")):
        if abs(v) >= size:
            q = v / size
            dec = 0 if abs(q - round(q)) < 1e-9 else (1 if abs(q * 10 - round(q * 10)) < 1e-6
                                                       else 2)
            return f"Rp {format_number(q, dec, lang=lang)} {id_unit if lang == 'id' else en_unit}"
    return f"Rp {format_number(v, 0, lang=lang)}"


def parse_year(value: Any) -> Parsed:
    """``2026`` · ``"2026"`` · ``"TA 2026"`` · ``"T.A. 2026"`` · ``2026.0``; 2000..2100."""
    if is_missing(value):
        return Parsed(None, "empty")
    if isinstance(value, int | float | np.integer | np.floating) and not isinstance(value, bool):
        f = float(value)
        if f.is_integer() and 2000 <= f <= 2100:
            return Parsed(int(f))
        return Parsed(None, "error", tr("budget.year.bad", value=str(value)))
    text = str(value).strip()
    years = re.findall(r"(?<!\d)(20\d\d|2100)(?!\d)", text)
    if not years:
        return Parsed(None, "error", tr("budget.year.bad", value=text))
    year = int(years[0])
    if len(set(years)) > 1:
        return Parsed(year, "doubtful", tr("budget.year.several", value=text, year=str(year)))
    if text != years[0]:
        return Parsed(year, "fixed", tr("budget.year.read", value=text, year=str(year)))
    return Parsed(year)


def _words(text: str) -> str:
    """Lower-case, accents removed, every non-alphanumeric run → one space."""
    text = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode()
    return " " + re.sub(r"[^a-z0-9]+", " ", text.lower()).strip() + " "


# (pattern on " words ", value).  First match wins, so specific before general.
_SOURCE_PATTERNS: tuple[tuple[str, FundingSource], ...] = (
    (r" bok | bantuan operasional kesehatan ", FundingSource.BOK),
    (r" dak ?(non|nf|non ?fisik) | dana alokasi khusus non ", FundingSource.DAK_NON_FISIK),
    (r" dak ?(f|fisik)? | dana alokasi khusus ", FundingSource.DAK_FISIK),
    (r" apb ?des | dana desa | dd | add | alokasi dana desa | apb ?desa ", FundingSource.DANA_DESA),
    (r" dau | dana alokasi umum ", FundingSource.DAU),
    (r" csr | pihak (ke ?)?(3|tiga|ketiga) | pihakketiga | swasta | donor | hibah | ngo | lsm |"
     r" unicef | who | usaid | dfat | jica | koica | gavi | global fund | bank dunia |"
     r" world bank | filantropi | yayasan ", FundingSource.PIHAK_KETIGA),
    (r" lain| other | lainnya ", FundingSource.OTHER),
)
_SOURCE_DOUBTFUL: tuple[tuple[str, FundingSource], ...] = (
    # APBD of the district is mostly DAU plus own revenue: read as DAU but say so.
    (r" apbd( kab(upaten)?| kota| ii| 2)? | pad | apbd ", FundingSource.DAU),
    (r" apbn | dekon(sentrasi)? | tp | tugas pembantuan ", FundingSource.OTHER),
)


def parse_source(value: Any) -> Parsed:
    """Read a funding source in its many spellings (DAK Fisik, dak-fisik, BOK, Dana Desa,
    APBDes, CSR/pihak ketiga, donor, ...) → :class:`FundingSource` value."""
    if is_missing(value):
        return Parsed(None, "empty")
    original = str(value).strip()
    w = _words(original)
    try:
        exact = FundingSource(original.lower())
        return Parsed(exact.value)
    except ValueError:
        pass
    for pattern, source in _SOURCE_PATTERNS:
        if re.search(pattern, w):
            return Parsed(source.value)
    for pattern, source in _SOURCE_DOUBTFUL:
        if re.search(pattern, w):
            return Parsed(source.value, "doubtful",
                          tr("budget.source.guessed", value=original, source=source.label))
    return Parsed(FundingSource.OTHER.value, "doubtful",
                  tr("budget.source.unknown", value=original))


_ACTIVITY_PATTERNS: tuple[tuple[str, Activity], ...] = (
    (r" (upgrad\w*|peningkatan|alih ?fungsi|transformasi|revitalisasi|konversi)\b.*"
     r"(poskesdes|polindes)| (poskesdes|polindes)\b.*(jadi|menjadi|ke) pustu ",
     Activity.UPGRADE_TO_PUSTU),
    (r" (rehab\w*|renovasi|perbaikan|pemeliharaan gedung) ", Activity.RENOVATE),
    (r" (pengadaan|penyediaan|pembelian)? ?(alat|alkes|peralatan|sarana|set|kit|bmhp|"
     r"usg|timbangan|antropometri)", Activity.EQUIP),
    (r" (posyandu baru|pembentukan posyandu|buka posyandu|pembukaan posyandu|"
     r"pendirian posyandu|pembangunan posyandu|open posyandu) ", Activity.OPEN_POSYANDU),
    (r" (pembangunan|bangun|membangun|konstruksi|pendirian|build)\b.*(pustu|puskesmas pembantu|"
     r"gedung)", Activity.BUILD_PUSTU),
    (r" (nakes|tenaga kesehatan|perawat|bidan|rekrut\w*|pengangkatan|insentif|honor\w*|"
     r"sdm kesehatan|add nakes) ", Activity.ADD_NAKES),
    (r" kader ", Activity.TRAIN_KADER),
)


def parse_activity(value: Any) -> Parsed:
    """Read an activity written in Indonesian (``Pembangunan Pustu``, ``Pelatihan kader
    Posyandu``, ``Peningkatan Poskesdes menjadi Pustu``, ``Pengadaan alkes``, ...)."""
    if is_missing(value):
        return Parsed(None, "empty")
    original = str(value).strip()
    try:
        return Parsed(Activity(original.lower()).value)
    except ValueError:
        pass
    w = _words(original)
    for pattern, activity in _ACTIVITY_PATTERNS:
        if re.search(pattern, w):
            return Parsed(activity.value)
    return Parsed(Activity.OTHER.value, "doubtful", tr("budget.activity.unknown", value=original))


_STATUS_PATTERNS: tuple[tuple[str, BudgetStatus], ...] = (
    (r" (terealisasi|realisasi|realised|realized|selesai|done|completed) ", BudgetStatus.REALISED),
    (r" (disetujui|setuju|approved|ditetapkan|dpa|apbd murni|final) ", BudgetStatus.APPROVED),
    (r" (usulan|usul|diusulkan|proposed|rencana|rka|draft|draf) ", BudgetStatus.PROPOSED),
)


def parse_status(value: Any) -> Parsed:
    if is_missing(value):
        return Parsed(None, "empty")
    original = str(value).strip()
    w = _words(original)
    for pattern, status in _STATUS_PATTERNS:
        if re.search(pattern, w):
            return Parsed(status.value)
    return Parsed(None, "doubtful", tr("budget.status.unknown", value=original))


register_catalog("ilp_gis", "budget.cells")
