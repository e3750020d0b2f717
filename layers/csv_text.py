r"""Decoding CSV bytes — the one way every table reader (facilities, budget lines) reads CSV:
UTF-8 with or without BOM, UTF-16 (BOM or not), Windows-1252; every line ending made ``\n``;
the delimiter sniffed; rows written with another delimiter than the header recognised.
Imports ``ilp_gis`` (errors, i18n) only.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

from ilp_gis.errors import InputError
from ilp_gis.i18n import register_catalog, tr


def decode(raw: bytes) -> tuple[str, str]:
    r"""Text and encoding of a CSV file's bytes: UTF-8 (with or without BOM), UTF-16 (with a
    BOM, or without one when every other byte is NUL), else Windows-1252.  Line endings are
    made ``\n`` (Windows ``\r\n`` and old-Mac bare ``\r`` alike), so every reader after this
    sees one kind of line."""
    if raw.startswith(b"\xef\xbb\xbf"):
        text, encoding = raw[3:].decode("utf-8", errors="replace"), "utf-8-sig"
    elif raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        text, encoding = raw.decode("utf-16", errors="replace"), "utf-16"
    elif (bom_less := _utf16_without_bom(raw)) is not None:
        text, encoding = raw.decode(bom_less, errors="replace"), bom_less
    else:
        try:
            text, encoding = raw.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            text, encoding = raw.decode("cp1252", errors="replace"), "cp1252"
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text, encoding


def _utf16_without_bom(raw: bytes) -> str | None:
    """``utf-16-le``/``utf-16-be`` when the first bytes look like UTF-16 text of ASCII
    characters (a NUL in every other byte), else ``None``."""
    head = raw[:4096]
    if len(head) < 4:
        return None
    even, odd = head[0::2], head[1::2]
    if odd.count(0) >= 0.9 * len(odd) and even.count(0) <= 0.1 * len(even):
        return "utf-16-le"
    if even.count(0) >= 0.9 * len(even) and odd.count(0) <= 0.1 * len(odd):
        return "utf-16-be"
    return None


def sniff_delimiter(text: str) -> str:
    """The delimiter of the header line (``;``, ``,``, tab or ``|``; ``,`` when none), the one
    whose count is stable over the first lines when ``;`` and ``,`` both appear."""
    lines = [ln for ln in text.splitlines()[:20] if ln.strip()]
    if not lines:
        return ","
    header = lines[0]
    counts = {d: header.count(d) for d in (";", ",", "\t", "|")}
    best = max(counts, key=lambda d: counts[d])
    if counts[best] == 0:
        return ","
    # prefer the delimiter whose count is stable across the first lines
    if counts[";"] and counts[","]:
        def stable(d):
            return sum(1 for ln in lines[1:] if ln.count(d) == counts[d])
        best = ";" if stable(";") >= stable(",") else ","
    return best


@dataclass
class CsvText:
    r"""A CSV file decoded: its text (``\n`` line ends), encoding, delimiter and notes."""

    text: str
    encoding: str
    delimiter: str
    notes: list[str]


def read_csv_text(path: str | Path) -> CsvText:
    """Decode a CSV file and sniff its delimiter — the one way every table reader (facilities,
    budget lines) reads CSV bytes."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:  # missing, a folder, no permission
        raise InputError(tr("csv_text.cannot_open", why=exc.strerror or str(exc)),
                         file=path.name) from exc
    if (b"\x00" in raw[:4096] and not raw.startswith((b"\xff\xfe", b"\xfe\xff"))
            and _utf16_without_bom(raw) is None):
        raise InputError(tr("csv_text.binary"), file=path.name)
    try:
        text, encoding = decode(raw)
    except UnicodeDecodeError as exc:  # pragma: no cover - every decode replaces
        raise InputError(tr("csv_text.cannot_decode"), file=path.name) from exc
    if "\x00" in text:  # NULs left in the text are damage, not content
        text = text.replace("\x00", "")
    notes = [tr("csv_text.latin1")] if encoding == "cp1252" else []
    return CsvText(text, encoding, sniff_delimiter(text), notes)


def csv_rows(text: str, delim: str, path: Path) -> list[list[str]]:
    """Every row of a decoded CSV text as lists of fields (the careful, row-by-row reader)."""
    try:
        return list(csv.reader(io.StringIO(text, newline=""), delimiter=delim))
    except csv.Error as exc:  # e.g. a field over the size limit
        raise InputError(tr("csv_text.bad_csv", why=str(exc)), file=path.name) from exc


def mixed_delimiter(row: list[str], delim: str, width: int) -> str | None:
    """The other delimiter a row is written with, when it holds none of the header's ``delim``
    but clearly splits on another one (a tab-separated row under a semicolon header); else
    ``None``."""
    if width < 2 or len(row) != 1:
        return None
    counts = {o: row[0].count(o) for o in ("\t", ";", ",", "|") if o != delim}
    best = max(counts, key=lambda o: counts[o])  # "a\t-7,95\t112,65": tabs, not commas
    n = counts[best]
    return best if n >= max(1, (width - 1) // 2) and n >= min(2, width - 1) else None


def delimiter_name(delim: str) -> str:
    """How a message names a delimiter (``tab``, ``';'``)."""
    return tr("csv_text.tab") if delim == "\t" else f"'{delim}'"


def maybe_mixed(text: str, delim: str) -> bool:
    """Whether some line after the first holds no ``delim`` but another delimiter (cheap
    regular-expression scan; the careful reader then decides row by row)."""
    others = [o for o in (";", ",", "\t", "|") if o != delim and o in text]
    if not others:
        return False
    body = text.split("\n", 1)[1] if "\n" in text else ""
    pattern = re.compile("^[^" + re.escape(delim) + "\n]*[" + re.escape("".join(others))
                         + "][^" + re.escape(delim) + "\n]*$", re.M)
    return pattern.search(body) is not None


register_catalog("layers", "csv_text")
