"""Chinese renders without a Chinese system font; Qt's own dialogs speak Chinese."""

from PySide6.QtGui import QFontDatabase, QFontMetrics
from PySide6.QtWidgets import QDialogButtonBox

from resources import CJK_FONT_FAMILY


def test_bundled_font_is_registered_and_used_as_fallback(qapp, chinese_app):
    assert chinese_app == CJK_FONT_FAMILY
    assert CJK_FONT_FAMILY in QFontDatabase.families()
    assert CJK_FONT_FAMILY in qapp.font().families()
    metrics = QFontMetrics(qapp.font())
    assert all(metrics.inFontUcs4(ord(ch)) for ch in "巾帼枢纽妇联社会组织孵化")


def test_standard_buttons_are_translated(qtbot):
    box = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
    qtbot.addWidget(box)
    assert box.button(QDialogButtonBox.StandardButton.Ok).text() == "确定"
    assert box.button(QDialogButtonBox.StandardButton.Cancel).text() == "取消"


def test_application_icon_is_set_from_the_bundled_image(qapp):
    from desktop.app import create_application

    assert create_application() is qapp
    sizes = qapp.windowIcon().availableSizes()
    assert sizes and max(size.width() for size in sizes) == 256
