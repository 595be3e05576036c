"""帮助: the user manual (bundled as resources/help/manual.html, F1) and the keyboard shortcuts."""

from __future__ import annotations

from html import escape

from PySide6.QtCore import QCoreApplication, QUrl
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QTextBrowser, QVBoxLayout, QWidget

from resources import MANUAL, resource_path


def _tr(text: str) -> str:
    return QCoreApplication.translate("help", text)


def shortcuts() -> list[tuple[str, str]]:
    """(keys, what they do): the shortcuts the pages and the main window set up."""
    return [
        ("F1", _tr("打开使用手册")),
        ("Ctrl+K", _tr("查找并打开组织、人员、团队、阵地或项目")),
        ("Ctrl+F", _tr("转到本页的搜索框")),
        ("Ctrl+N", _tr("新建一条记录（名册页）")),
        (_tr("回车 / 双击"), _tr("打开选中行的详情")),
        ("Ctrl+Shift+E", _tr("编辑选中的一行（名册页）")),
        ("Delete", _tr("归档或恢复选中的一行（词表页：删除）")),
        ("Ctrl+C", _tr("复制选中的行，可粘贴到 Excel、WPS")),
        (_tr("右键 / Shift+F10 / 菜单键"), _tr("选中行可进行的操作")),
        ("Ctrl+E", _tr("把当前列表导出为 Excel")),
        ("Ctrl+S", _tr("保存（设置页）")),
        ("Esc", _tr("关闭对话框（表单：取消，不保存）")),
        ("Ctrl+Q", _tr("退出程序")),
    ]


def shortcuts_html() -> str:
    rows = "".join(f"<tr><td><b>{escape(k)}</b></td><td>{escape(v)}</td></tr>" for k, v in shortcuts())
    return (f"<h1>{escape(_tr('键盘快捷键'))}</h1>"
            f"<table cellpadding='6' border='1' style='border-collapse:collapse'>"
            f"<tr><th>{escape(_tr('按键'))}</th><th>{escape(_tr('作用'))}</th></tr>{rows}</table>")


class HelpDialog(QDialog):
    """A window beside the main window (not modal: the user reads while working)."""

    def __init__(self, parent: QWidget | None = None, shortcuts_only: bool = False):
        super().__init__(parent)
        self.browser = QTextBrowser(self)
        self.browser.setObjectName("help")
        self.browser.setOpenExternalLinks(False)
        if shortcuts_only:
            self.setWindowTitle(_tr("键盘快捷键"))
            self.browser.setHtml(shortcuts_html())
            self.resize(560, 520)
        else:
            self.setWindowTitle(_tr("巾帼枢纽使用手册"))
            self.browser.setSource(QUrl.fromLocalFile(str(resource_path(MANUAL))))
            self.resize(760, 640)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.browser, 1)
        layout.addWidget(buttons)
