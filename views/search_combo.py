"""Choosing a record from a long list by typing: characters, full pinyin or initials.

A county has 60 townships and villages, 90 venues, dozens of organizations; a plain combo is a
full-height list to scroll. These widgets narrow the list as the clerk types (``bcy`` finds
白彩月, ``lsc`` finds 柳树村, ``东关`` finds 东关街道), matched by ``models.name_search.matches``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import shiboken6
from PySide6.QtCore import (
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    QTimer,
)
from PySide6.QtWidgets import QComboBox, QCompleter, QLabel, QLineEdit, QVBoxLayout, QWidget

from models.name_search import match_rank, matches

from .form import TRANSIENT
from .widgets import CheckList, ChoiceCombo

VISIBLE_ROWS = 12  # entries a narrowed list shows before it scrolls
# Qt's namespace of enums is imported where it is used: the home page's area box is built before
# the window shows, which does not wait for it (views.main_window).


class _Matching(QSortFilterProxyModel):
    """The combo's entries that match what was typed, those that start with it first (``js``:
    江苏省 before 北京市), each group in the list's own order; the blank entry only while
    nothing is typed."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.typed = ""
        self._ranks: dict[int, int | None] = {}

    def narrow(self, text: str) -> None:
        self.typed = text
        self._ranks = {}
        self.invalidate()
        self.sort(0 if text.strip() else -1)

    def _rank(self, row: int) -> int | None:
        if row not in self._ranks:
            from PySide6.QtCore import Qt

            index = self.sourceModel().index(row, 0)
            blank = index.data(Qt.ItemDataRole.UserRole) is None
            self._ranks[row] = None if blank else match_rank(self.typed, index.data() or "")
        return self._ranks[row]

    def filterAcceptsRow(self, row: int, parent: QModelIndex | QPersistentModelIndex) -> bool:
        return not self.typed.strip() or self._rank(row) is not None

    def lessThan(self, left: QModelIndex | QPersistentModelIndex,
                 right: QModelIndex | QPersistentModelIndex) -> bool:
        return (self._rank(left.row()) or 0, left.row()) < (self._rank(right.row()) or 0, right.row())


class SearchCombo(ChoiceCombo):
    """A ``ChoiceCombo`` to type into: the list narrows to the matching entries; Enter or a click
    chooses one (``value()`` is its value). Leaving without choosing puts the chosen entry's
    name back, so what is shown is always what will be saved; emptying the box chooses the
    blank entry where there is one."""

    def __init__(self, items: Iterable[tuple[Any, str]] = (), parent: QWidget | None = None,
                 blank: str | None = None):
        super().__init__(items, parent, blank)
        self.setEditable(True)
        self.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.setMaxVisibleItems(VISIBLE_ROWS)
        self.matching = _Matching(self)
        self.matching.setSourceModel(self.model())
        completer = QCompleter(self.matching, self)
        completer.setCompletionMode(QCompleter.CompletionMode.UnfilteredPopupCompletion)
        completer.setMaxVisibleItems(VISIBLE_ROWS)
        self.setCompleter(completer)  # QComboBox maps a chosen row back through the proxy
        edit = self.lineEdit()
        edit.setPlaceholderText(self.tr("输入名称、拼音或首字母查找"))
        edit.textEdited.connect(self._narrow)
        edit.returnPressed.connect(lambda: self._later(leaving=False))
        edit.editingFinished.connect(self._editing_finished)
        completer.popup().installEventFilter(self)
        edit.installEventFilter(self)
        self.currentIndexChanged.connect(lambda _i: self.matching.narrow(""))

    def setModel(self, model) -> None:
        """Entries shared by several combos (a training's attendees' organizations) narrow too."""
        super().setModel(model)
        self.matching.setSourceModel(model)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if watched is self.completer().popup() and kind == QEvent.Type.Hide:
            self._popup_hidden()
        elif kind in (QEvent.Type.ShortcutOverride, QEvent.Type.KeyPress) and self._key(watched, event):
            return True
        return super().eventFilter(watched, event)

    def _key(self, watched: QObject, event: QEvent) -> bool:
        """Whether the box took a key pressed while choosing."""
        from PySide6.QtCore import Qt  # a key pressed: the window has shown (see above)

        popup = self.completer().popup()
        if (event.type() == QEvent.Type.ShortcutOverride
                and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Escape)
                and (watched is popup or self.matching.typed.strip())):
            # Enter while choosing chooses: a page's own Enter (open the selected row) must
            # not take the key from the list.
            event.accept()
            return True
        if (watched is self.lineEdit() and event.type() == QEvent.Type.KeyPress
                and event.key() == Qt.Key.Key_Escape and self.matching.typed.strip()):
            self._restore()  # Escape drops what was typed (a second one closes the form)
            return True
        if (watched is self.lineEdit() and event.type() == QEvent.Type.KeyPress
                and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.matching.typed.strip()):
            # Enter while choosing chooses the first match, or with none puts the choice back:
            # it never reaches the form's 保存 as well
            popup.hide()
            self._settle(leaving=False)
            return True
        return False

    def _restore(self) -> None:
        self.completer().popup().hide()
        self.lineEdit().setText(self.itemText(self.currentIndex()))
        self.matching.narrow("")

    def currentText(self) -> str:
        """The chosen entry's name (not what is being typed): what is saved and printed."""
        return self.itemText(self.currentIndex())

    def offered(self) -> list[str]:
        """The entries the narrowed list shows now (what a clerk sees under the box)."""
        return [self.matching.index(r, 0).data() for r in range(self.matching.rowCount())]

    def _narrow(self, text: str) -> None:
        self.matching.narrow(text)
        completer = self.completer()
        if text.strip() and self.matching.rowCount():
            completer.complete()
        else:
            completer.popup().hide()

    def _take_first(self) -> None:
        source = self.matching.mapToSource(self.matching.index(0, 0))
        self.setCurrentIndex(source.row())

    def _later(self, leaving: bool) -> None:
        """Settle once the completer has handled the same key (a highlighted entry chosen)."""
        QTimer.singleShot(0, self, lambda: self._settle(leaving))

    def _editing_finished(self) -> None:
        edit = self.lineEdit()
        if edit is not None and shiboken6.isValid(edit):  # not while the form is torn down
            self._later(leaving=not edit.hasFocus())

    def _has_focus(self) -> bool:
        return self.hasFocus() or self.lineEdit().hasFocus()

    def _popup_hidden(self) -> None:
        if not self._has_focus():
            self._later(leaving=True)

    def _settle(self, leaving: bool) -> None:
        """Enter takes the first entry that matches what was typed, as the office's input
        methods do; leaving the box takes the one entry that matches, if only one does.
        Otherwise the chosen entry is shown again (or the blank one, when the box was emptied
        and there is one), so what is shown is always what will be saved."""
        popup = self.completer().popup()
        if popup.isVisible():
            if not leaving or self._has_focus():
                return
            popup.hide()  # focus moved on while the list was open
        typed = self.lineEdit().text().strip()
        if typed and typed != self.itemText(self.currentIndex()) and self.matching.typed.strip():
            if self.matching.rowCount() == 1 or (self.matching.rowCount() and not leaving):
                self._take_first()
        elif not typed and self.count() and self.itemData(0) is None:  # the blank entry
            self.setCurrentIndex(0)
        self._restore()


class SearchCheckList(QWidget):
    """A checklist with a search box above it (a project's 服务阵地 among 90 venues): typing
    narrows the rows shown; what is ticked stays ticked whether shown or not, and the count of
    ticked entries is said below."""

    def __init__(self, items: Iterable[tuple[Any, str]], parent: QWidget | None = None,
                 rows: int = 8):
        super().__init__(parent)
        self.search = QLineEdit(self)
        self.search.setObjectName("checklist_search")
        self.search.setProperty(TRANSIENT, True)  # what is typed here narrows the list: not data
        self.search.setClearButtonEnabled(True)
        self.search.setPlaceholderText(self.tr("输入名称、拼音或首字母筛选"))
        self.list = CheckList(items, self)
        self.list.setMaximumHeight(self.list.sizeHintForRow(0) * min(max(self.list.count(), 1), rows) + 8)
        self.summary = QLabel(self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.search)
        layout.addWidget(self.list)
        layout.addWidget(self.summary)
        self.search.textChanged.connect(self.narrow)
        self.list.itemChanged.connect(lambda _item: self._count())
        self._count()

    def narrow(self, text: str) -> None:
        for i in range(self.list.count()):
            item = self.list.item(i)
            self.list.setRowHidden(i, not matches(text, item.text()))
        shown = sum(not self.list.isRowHidden(i) for i in range(self.list.count()))
        self._count(shown if text.strip() else None)

    def shown_rows(self) -> list[int]:
        return [i for i in range(self.list.count()) if not self.list.isRowHidden(i)]

    def shown(self) -> list[str]:
        """The names the narrowed list shows."""
        return [self.list.item(i).text() for i in self.shown_rows()]

    def _count(self, shown: int | None = None) -> None:
        ticked = len(self.list.values())
        text = self.tr("已选 {n} 个").format(n=ticked)
        if shown == 0:
            text += self.tr("；没有名称相符的，换个写法试试")
        elif shown is not None:
            text += self.tr("；显示 {shown} / {total} 个").format(shown=shown, total=self.list.count())
        self.summary.setText(text)

    def values(self) -> list[Any]:
        return self.list.values()

    def setValues(self, values: Iterable[Any]) -> None:
        self.list.setValues(values)
