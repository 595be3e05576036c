"""Step 5, 下一步: what is still to be set up, and where to go now — the import page, the demo
database, or straight to work."""

from __future__ import annotations

from PySide6.QtWidgets import QButtonGroup, QLabel, QRadioButton, QWidget

from desktop.context import AppContext
from desktop.demo import DEMO_USERS
from models.permissions import can
from models.setup_status import missing_setup

from ..i18n import tr_msg
from .page import GuidePage

IMPORT, DEMO, DONE = "import", "demo", "done"
NOTE_STYLE = "color: #555; margin-left: 22px;"


class FinishPage(GuidePage):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(ctx, 5, self.tr("接下来"), self.tr(
            "跳过的步骤可以随时补上：文件 ▸ 本单位设置向导…，或“设置”页。"), parent)
        self.status = QLabel(self)
        self.status.setObjectName("setup_status")
        self.status.setWordWrap(True)
        self.body.addWidget(self.status)
        self.body.addSpacing(8)
        self.choices = QButtonGroup(self)
        name, _shown, _role, password = DEMO_USERS[0]
        self.import_choice = self._choice(IMPORT, self.tr("导入旧表"), self.tr(
            "把原来用 Excel、WPS 记的社会组织名册、人员名单、志愿者花名册导入进来（打开“导入”页）。"))
        self.demo_choice = self._choice(DEMO, self.tr("先看演示数据"), self.tr(
            "生成一个虚构的“青禾县”的演示数据库，切换过去看看各页面用起来的样子。它是数据文件夹中"
            "另一个文件（演示数据.db），窗口标题会显示“演示数据”，不会改动本单位的数据。"
            "演示数据库的登录：用户名 {name}，密码 {password}。看完后关闭程序再打开，"
            "就回到本单位的数据库。").format(name=name, password=password))
        self.done_choice = self._choice(DONE, self.tr("完成"), self.tr("直接开始使用。"))
        self.done_choice.setChecked(True)
        self.import_choice.setEnabled(can(ctx.user, "import"))
        self.body.addStretch(1)

    def _choice(self, key: str, text: str, note: str) -> QRadioButton:
        button = QRadioButton(text, self)
        button.setObjectName(f"choice_{key}")
        button.setProperty("choice", key)
        self.choices.addButton(button)
        explanation = QLabel(note, self)
        explanation.setWordWrap(True)
        explanation.setStyleSheet(NOTE_STYLE)
        self.body.addWidget(button)
        self.body.addWidget(explanation)
        return button

    def initializePage(self) -> None:
        missing = missing_setup()
        if not missing:
            self.status.setText(self.tr("本单位已经设置好了。"))
            return
        lines = [self.tr("还没有设置的（以后可以补上）：")]
        lines += [self.tr("• {title}：{what}（{where}）").format(
            title=tr_msg(item.title), what="、".join(tr_msg(m) for m in item.missing),
            where=tr_msg(item.where)) for item in missing]
        self.status.setText("\n".join(lines))

    def choice(self) -> str:
        checked = self.choices.checkedButton()
        return checked.property("choice") if checked is not None else DONE
