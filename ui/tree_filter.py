"""Filtering a tree widget by text: a row stays when its name or a row under it matches, and
the rows above a match open.  Shared by the network tree and the area tree.  Imports Qt."""

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
