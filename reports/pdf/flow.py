"""Long tables on the page: column widths that never break a header word, a continuation caption
("Kecamatan X (lanjutan)") above every page after the first with the header row repeated, no
page that carries a single orphan row, and a heading that never stays alone at a page bottom
(``long_table(..., lead=[heading, intro])`` keeps it with the table's first rows).  Imports
reportlab and reports.styles only.
"""

from __future__ import annotations

from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable, Paragraph, Table

from reports.styles import ACCENT, FONT_BOLD, esc, register_fonts

CELL_PADDING = 6.0
"""Left plus right padding of a cell in the one table style (``table_style``), in points."""

MIN_ROWS_PER_PAGE = 2
"""A page of a split table carries at least this many body rows (no single orphan row)."""


def _text_of(cell) -> str:
    if isinstance(cell, Paragraph):
        return cell.getPlainText()
    return "" if cell is None else str(cell)


def word_width(text: str, font: str = FONT_BOLD, size: float = 7.5) -> float:
    """The width of the longest word of ``text`` (what a column needs to never break a word)."""
    register_fonts()
    words = str(text).split()
    return max((stringWidth(w, font, size) for w in words), default=0.0)


def fit_widths(head, widths, *, font: str = FONT_BOLD, size: float = 7.5) -> list[float]:
    """Column ``widths`` adjusted so every header word fits on one line: a column narrower than
    its longest header word grows to it, and the room comes from the columns with slack, in
    proportion to their slack.  The total width stays the same; when it cannot hold every
    word the widths are returned unchanged (the words then wrap inside, as before)."""
    widths = [float(w) for w in widths]
    need = [word_width(_text_of(h), font, size) + CELL_PADDING + 0.5 for h in head]
    need += [0.0] * (len(widths) - len(need))
    short = [max(0.0, n - w) for n, w in zip(need, widths, strict=False)]
    deficit = sum(short)
    if deficit <= 0:
        return widths
    slack = [max(0.0, w - n) for n, w in zip(need, widths, strict=False)]
    room = sum(slack)
    if room < deficit:
        return widths
    return [max(w, n) if s > 0 else w - deficit * sl / room
            for w, n, s, sl in zip(widths, need, short, slack, strict=False)]


class Stack(Flowable):
    """Flowables drawn one below the other as one block (a heading and its intro notes above a
    table), with the space before/after of each kept between them."""

    def __init__(self, items: list[Flowable]) -> None:
        super().__init__()
        self.items = list(items)
        self._heights: list[float] = []
        self._gaps: list[float] = []

    def wrap(self, aw, ah):
        self._heights, self._gaps = [], []
        width, total = 0.0, 0.0
        for i, f in enumerate(self.items):
            w, h = f.wrap(aw, ah)
            gap = 0.0 if i == 0 else max(self.items[i - 1].getSpaceAfter(), f.getSpaceBefore())
            self._heights.append(h)
            self._gaps.append(gap)
            width, total = max(width, w), total + gap + h
        if self.items:
            total += self.items[-1].getSpaceAfter()  # room between the block and the table
        self.width, self.height = width, total
        return width, total

    def getSpaceBefore(self):  # noqa: N802 (reportlab's name)
        return self.items[0].getSpaceBefore() if self.items else 0.0

    def draw(self):
        y = self.height - (self.items[-1].getSpaceAfter() if self.items else 0.0)
        for f, h, gap in zip(self.items, self._heights, self._gaps, strict=True):
            y -= gap + h
            f.drawOn(self.canv, 0, y)


class ContinuedTable(Flowable):
    """A table that, when it runs onto another page, starts that page with ``continued`` (a
    paragraph such as "Kecamatan X (lanjutan)") above the repeated header rows, and splits only
    where each page keeps at least ``MIN_ROWS_PER_PAGE`` body rows.  ``footnote`` (a paragraph
    explaining a mark such as "1 (1*)") is drawn under every page's part whose cells hold
    ``mark`` (every part when ``mark`` is None): a mark is explained on the page it appears."""

    FOOTNOTE_GAP = 3.0

    def __init__(self, table: Table, continued: Paragraph | None = None, *,
                 caption: Flowable | None = None, footer_rows: int = 0,
                 footnote: Flowable | None = None, mark: str | None = None) -> None:
        super().__init__()
        self.table = table
        self.footer_rows = footer_rows
        self.continued = continued
        self.caption = caption
        self.footnote = footnote
        self.mark = mark
        self._ch = 0.0
        self._th = 0.0
        self._fh = 0.0

    def getSpaceBefore(self):  # noqa: N802 (reportlab's name)
        return self.caption.getSpaceBefore() if self.caption is not None else 0.0

    def _header_rows(self) -> int:
        rr = self.table.repeatRows
        return rr if isinstance(rr, int) else max(rr) + 1

    def _body_rows(self, table: Table, *, last: bool = False) -> int:
        """Body rows of ``table`` (a part); in the ``last`` part the footer (totals) rows do
        not count."""
        return len(table._cellvalues) - self._header_rows() - (self.footer_rows if last else 0)

    def _footnote_height(self, aw, ah, table: Table | None = None) -> float:
        """The room the footnote takes under ``table`` (this part by default): none when the
        part holds no marked cell."""
        if self.footnote is None:
            return 0.0
        table = self.table if table is None else table
        if self.mark is not None and not any(self.mark in _text_of(c)
                                             for row in table._cellvalues for c in row):
            return 0.0
        return self.footnote.wrap(aw, ah)[1] + self.FOOTNOTE_GAP

    def wrap(self, aw, ah):
        self._ch = self.caption.wrap(aw, ah)[1] if self.caption is not None else 0.0
        self._fh = self._footnote_height(aw, ah)
        tw, self._th = self.table.wrap(aw, max(ah - self._ch - self._fh, 0))
        self.width = tw
        return tw, self._ch + self._th + self._fh

    def draw(self):
        if self.caption is not None:
            self.caption.drawOn(self.canv, 0, self._fh + self._th)
        self.table.drawOn(self.canv, 0, self._fh)
        if self._fh:
            self.footnote.drawOn(self.canv, 0, 0)

    def split(self, aw, ah):
        ch = self.caption.wrap(aw, ah)[1] if self.caption is not None else 0.0
        height = ah - ch - self._footnote_height(aw, ah)  # room for the footnote kept
        for _ in range(len(self.table._cellvalues) + 1):
            parts = self.table.split(aw, height)
            if len(parts) < 2:
                return []
            first, rest = parts[0], parts[1]
            if self._body_rows(first) < MIN_ROWS_PER_PAGE:
                return []  # the whole table moves to the next page
            if self._body_rows(rest, last=True) >= MIN_ROWS_PER_PAGE:
                break
            first.wrap(aw, height)  # leave one more row for the next page
            height -= first._rowHeights[-1] + 0.01
        else:
            return []
        note = {"footnote": self.footnote, "mark": self.mark}
        head = ContinuedTable(first, self.continued, caption=self.caption, **note)
        tail = ContinuedTable(rest, self.continued, caption=self.continued,
                              footer_rows=self.footer_rows, **note)
        return [head, tail]


def totals_style() -> list:
    """The look of a table's last row when it is a totals row: a rule above, bold."""
    return [("LINEABOVE", (0, -1), (-1, -1), 0.8, ACCENT),
            ("FONTNAME", (0, -1), (-1, -1), FONT_BOLD)]


def long_table(rows: list, widths, *styles, continued: str | None = None, caption_style=None,
               header_rows: int = 1, totals: bool = False,
               fit_header: bool = True, lead: list[Flowable] | None = None,
               footnote: Flowable | None = None, mark: str | None = None) -> Flowable:
    """The one way the reports print a long table: header row(s) repeated on every page,
    header words kept whole (``fit_widths``), ``continued`` (plain text) above the header on
    every page after the first (in ``caption_style``), no single-row orphan page.  ``styles``
    (TableStyles or lists of style commands) are applied in order; ``totals`` True: the last
    row is a totals row (bold, a rule above; it never counts as a page's body row).  ``lead``
    (a heading and its intro paragraphs) is drawn above the first page's rows and moves with
    them: a heading is never left alone at the bottom of a page (keep-with-next).
    ``footnote`` is drawn under every page of the table whose cells hold ``mark``."""
    if fit_header and rows:
        widths = fit_widths(rows[0], widths)
    t = Table(rows, colWidths=list(widths), repeatRows=header_rows)
    for cmds in styles + ((totals_style(),) if totals else ()):
        t.setStyle(cmds)
    cont = Paragraph(esc(continued), caption_style) if continued and caption_style else None
    return ContinuedTable(t, cont, caption=Stack(lead) if lead else None,
                          footer_rows=1 if totals else 0, footnote=footnote, mark=mark)
