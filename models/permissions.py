"""Who may do what: one table of roles and actions that the window and the CLI both ask.

Roles (``USER_ROLES``): 管理员 admin, 录入员 clerk, 查看员 viewer. A ``None`` user is the
program itself (schema creation, migrations, tests of the domain rules); every person at the
keyboard or on the command line acts as a ``User``.
"""

from __future__ import annotations

from .choices import USER_ROLES
from .entities import User
from .errors import ValidationFailed
from .i18n import msg

# action -> roles allowed to do it
PERMISSIONS: dict[str, frozenset[str]] = {
    "view": frozenset({"admin", "clerk", "viewer"}),  # read lists and forms
    "print": frozenset({"admin", "clerk", "viewer"}),  # print lists and rosters (IDs masked)
    "edit": frozenset({"admin", "clerk"}),  # create, edit, archive, delete records
    "import": frozenset({"admin", "clerk"}),
    "export": frozenset({"admin", "clerk"}),  # files of personal data (IDs masked but for admins)
    "settings": frozenset({"admin"}),
    "users": frozenset({"admin"}),
    "backup": frozenset({"admin", "clerk"}),
    "restore": frozenset({"admin"}),
    "copy": frozenset({"admin"}),  # the whole database to another file or server (jinguo db copy)
    "full_ids": frozenset({"admin"}),  # see and print full ID numbers
    "merge": frozenset({"admin", "clerk"}),  # find duplicates, merge them, undo a merge
}

ACTION_LABELS: dict[str, str] = {
    "view": "查看", "print": "打印", "edit": "新建或修改", "import": "导入", "export": "导出",
    "settings": "修改设置", "users": "管理操作员", "backup": "备份", "restore": "从备份恢复",
    "copy": "复制整个数据库", "full_ids": "查看完整身份证号", "merge": "查重与合并",
}

# Audited entity (table name) -> the permission a change to it needs; other tables need "edit".
ENTITY_PERMISSIONS: dict[str, str] = {
    "setting": "settings",
    "user": "users",
    "import_batch": "import",
    "duplicate_dismissal": "merge",
    "merge_record": "merge",
}


class PermissionDenied(ValidationFailed):
    """The user's role does not allow the action; the message says so in Chinese.

    A ValidationFailed, so forms and commands that already show refusals show this one too.
    """

    def __init__(self, user: User | None, action: str):
        role = user.role if user is not None else ""
        super().__init__({"permission": msg(
            "“{role}”角色不能{what}。如需这样做，请用有权限的账户登录，或请管理员调整角色。",
            role=USER_ROLES.label(role) or role, what=ACTION_LABELS.get(action, action),
        )})
        self.action = action


def can(user: User | None, action: str) -> bool:
    """Whether ``user`` may do ``action`` (a key of PERMISSIONS); ``None`` is the program itself."""
    if action not in PERMISSIONS:
        raise KeyError(f"unknown permission {action!r}")
    if user is None:
        return True
    return bool(user.active) and user.role in PERMISSIONS[action]


def require(user: User | None, action: str) -> None:
    if not can(user, action):
        raise PermissionDenied(user, action)


# Settings that are working memory of an action rather than office settings.
SETTING_PREFIX_PERMISSIONS: dict[str, str] = {"import.": "import"}


def permission_for_change(entity: str, setting_key: str | None = None) -> str:
    """The permission needed to change rows of ``entity`` (a table name); for a setting,
    its key decides (the import's remembered column mapping is the importer's)."""
    if entity == "setting" and setting_key:
        for prefix, permission in SETTING_PREFIX_PERMISSIONS.items():
            if setting_key.startswith(prefix):
                return permission
    return ENTITY_PERMISSIONS.get(entity, "edit")
