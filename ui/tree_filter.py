"""What the network tree and the area tree share: filtering by text (a row stays when its name
or a row under it matches, the rows above a match open) and showing the map's selection (the
rows of the selected keys selected, their parents opened, the first scrolled to).  Imports Qt."""

from __future__ import annotations

from PySide6.QtWidgets import QTreeWidget, QTreeWidgetItem


def filter_tree(tree: QTreeWidget, text: str) -> None:
    text = text.strip().lower()

    def visit(item: QTreeWidgetItem) -> bool:
        shown = any([visit(item.child(i)) for i in range(item.childCount())])
        match = not text or text in item.text(0).lower()
        item.setHidden(not (match or shown))
        if text and shown:
            item.setExpanded(True)
        return match or shown

    for i in range(tree.topLevelItemCount()):
        visit(tree.topLevelItem(i))


def show_selection(tree: QTreeWidget, items: dict[str, QTreeWidgetItem], keys) -> None:
    """Select the rows of ``keys`` in ``items`` (signals blocked: the tree does not answer back)."""
    tree.blockSignals(True)
    try:
        tree.clearSelection()
        for k in keys:
            item = items.get(k)
            if item is None:
                continue
            item.setSelected(True)
            p = item.parent()
            while p is not None:
                p.setExpanded(True)
                p = p.parent()
            tree.scrollToItem(item)
    finally:
        tree.blockSignals(False)
