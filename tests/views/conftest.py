import datetime as dt

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtWidgets import QApplication, QDialogButtonBox

from desktop.app import load_cjk_font, load_translations
from models.entities import Region
from models.organizations import OrganizationData, save_organization
from models.validators import credit_check_char


@pytest.fixture(scope="session", autouse=True)
def chinese_app(qapp):
    """The application as users get it: Qt's Chinese strings and the bundled font."""
    translators = load_translations(qapp)
    family = load_cjk_font(qapp)
    yield family
    for translator in translators:
        qapp.removeTranslator(translator)


def credit_code(serial: int) -> str:
    first17 = f"52321088MJ{serial:07d}"
    return first17 + credit_check_char(first17)


@pytest.fixture
def county(ctx):
    county = Region.create(name="青禾县", level="county")
    east = Region.create(name="东关街道", level="township", parent=county, sort_order=1)
    west = Region.create(name="西湖镇", level="township", parent=county, sort_order=2)
    village = Region.create(name="柳树村", level="village", parent=west)
    return {"county": county, "east": east, "west": west, "village": village}


@pytest.fixture
def orgs(ctx, county):
    """A handful of organizations in different kinds, stages and places."""
    today = dt.date.today()
    specs = [
        OrganizationData(name="阳光家庭教育服务中心", kind="registered", legal_form="service_org",
                         credit_code=credit_code(1), region_id=county["east"].id,
                         initial_stage="startup", initial_stage_on=today - dt.timedelta(days=30),
                         service_area_ids=[2]),
        OrganizationData(name="柳树村妇女微家互助会", region_id=county["village"].id,
                         initial_stage="sprouting", initial_stage_on=today - dt.timedelta(days=500),
                         service_area_ids=[3, 4]),
        OrganizationData(name="巾帼志愿服务队", short_name="巾帼队", region_id=county["west"].id),
        OrganizationData(name="爱心助老协会", kind="registered", legal_form="social_group",
                         credit_code=credit_code(2), region_id=county["east"].id,
                         alliance_member=True, alliance_joined_on=today - dt.timedelta(days=100)),
    ]
    return [save_organization(spec, ctx.user) for spec in specs]


def type_text(widget, text: str) -> None:
    """Type as a Chinese input method does: the IME commits whole strings to the widget.

    (QTest.keyClicks handles only ASCII keys.)
    """
    widget.setFocus()
    event = QInputMethodEvent()
    event.setCommitString(text)
    QApplication.sendEvent(widget, event)


def save(qtbot, dialog) -> None:
    """Click the form's 保存 button, as the user does."""
    qtbot.mouseClick(dialog.buttons.button(QDialogButtonBox.StandardButton.Save), Qt.MouseButton.LeftButton)


def show_page(qtbot, widget, width: int = 1200, height: int = 700):
    """Show a page as a user sees it: sized, shown and exposed (shortcuts need that)."""
    qtbot.addWidget(widget)
    widget.resize(width, height)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def column_values(page, column: int = 0) -> list:
    """One column of every row the page's table has, in the order shown."""
    return [page.model.row_at(r).values[column] for r in range(page.model.rowCount())]
