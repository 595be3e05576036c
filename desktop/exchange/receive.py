"""Receiving packages (and receipts): a plan that says, for each file, what importing it would do
(新 / 替换 / 相同 / 待接受 / 拒绝 with the reason), then one transaction that does it.

A package is refused, and nothing of it kept, when it is not a package, is damaged or changed
(package.read_package), comes from a unit that is not directly below this one, is of a period
that has not begun, was renamed from another period, or comes from a unit or key not yet trusted
(``trust_new``: the user has compared the fingerprint). Of two packages for the same unit and
period the newer (by the time it was made) is current and the older stays as history; an older
one than the current is refused unless ``take_older``; after 已审核 a new package waits.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from models import audit
from models.db import database, now
from models.entities import User
from models.errors import ValidationFailed
from models.exchange import FiguresError, parse_figures
from models.exchange_entities import LowerUnit, ReceivedReceipt, ReportPackage, ReportReview
from models.i18n import Message, msg
from models.periods import parse_period
from models.settings import get_setting, set_setting
from models.units import Unit, current_unit, fingerprint, is_below, level_label, upper_level

from .package import RECEIPT_SUFFIX, SUFFIX, PackageError, ReadPackage, read_package

MAX_FILES = 2000  # files in one import (a folder of a USB stick)
STATUS_LABELS = {"new": "新", "replace": "替换", "same": "相同", "waiting": "待接受", "refused": "拒绝"}
APPLIED = ("new", "replace", "waiting")


class InputError(Exception):
    """Nothing to import at all (no such file, no unit set): exit 2."""

    def __init__(self, message: Message):
        super().__init__(str(message))
        self.message = message


@dataclass
class Verdict:
    path: Path
    status: str
    reason: str = ""
    kind: str = "package"  # package | receipt
    unit_code: str = ""
    unit_name: str = ""
    period: str = ""
    made_at: str = ""
    fingerprint: str = ""
    new_unit: bool = False
    new_key: bool = False
    read: ReadPackage | None = field(default=None, repr=False)

    @property
    def label(self) -> str:
        return STATUS_LABELS[self.status]

    def as_json(self) -> dict:
        return {"file": str(self.path), "kind": self.kind, "status": self.status, "label": self.label,
                "reason": self.reason, "unit": {"code": self.unit_code, "name": self.unit_name},
                "period": self.period, "made_at": self.made_at, "fingerprint": self.fingerprint,
                "new_unit": self.new_unit, "new_key": self.new_key}


def gather(paths: list[Path]) -> list[Path]:
    """The files named, and the packages and receipts in the folders named (their subfolders too)."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            found = sorted(p for p in path.rglob("*") if p.is_file() and not p.is_symlink()
                           and p.suffix.lower() in (SUFFIX, RECEIPT_SUFFIX))
            if not found:
                raise InputError(msg("文件夹 {path} 中没有上报数据包（.jgrpt）或回执（.jgrcpt）。",
                                     path=path))
            files += found
        elif path.is_file():
            files.append(path)
        else:
            raise InputError(msg("找不到 {path}，请检查路径。", path=path))
        if len(files) > MAX_FILES:
            raise InputError(msg("一次最多导入 {n} 个文件，请分几次导入。", n=MAX_FILES))
    return files


_NAMED_PERIOD = re.compile(r"(?<![0-9])(\d{4}(?:[Qq][1-4]|-\d{1,2})?)(?![0-9Qq-])")


def named_period(name: str) -> str | None:
    """The period a file's name states (``青禾县_2025Q3.jgrpt`` → 2025Q3), if it states one."""
    found = _NAMED_PERIOD.findall(Path(name).stem)
    if len(found) != 1:
        return None
    try:
        return parse_period(found[0]).code
    except ValidationFailed:
        return None


def plan_import(paths: list[Path], trust_new: bool = False, take_older: bool = False,
                today: dt.date | None = None) -> list[Verdict]:
    me = current_unit()
    if not me.is_set:
        raise InputError(msg("尚未设置本单位，无法接收数据包：请先用 jinguo unit set 设置本单位。"))
    verdicts: list[Verdict] = []
    for path in gather(paths):
        try:
            read = read_package(path)
        except PackageError as e:
            verdicts.append(Verdict(path, "refused", str(e.message)))
            continue
        if read.kind == "receipt":
            verdicts.append(_receipt_verdict(path, read, me, trust_new))
        else:
            verdicts.append(_package_verdict(path, read, me, trust_new, today or dt.date.today()))
    _against_held(verdicts, take_older)
    return verdicts


def _package_verdict(path: Path, read: ReadPackage, me: Unit, trust_new: bool, today: dt.date) -> Verdict:
    m, sender = read.manifest, read.sender
    code, level = str(sender.get("code", "")), str(sender.get("level", ""))
    v = Verdict(path, "new", unit_code=code, unit_name=str(sender.get("name", "")),
                period=str(m.get("period", "")), made_at=str(m.get("made_at", "")),
                fingerprint=fingerprint(sender["public_key"]), read=read)

    def refuse(message: Message) -> Verdict:
        v.status, v.reason, v.read = "refused", str(message), None
        return v

    if level not in ("township", "county") or sender.get("parent_code") != me.code \
            or not is_below(code, level, me.code, me.level):
        return refuse(msg("{name}（{code}，{level}）不是本单位（{me}，{my_code}）的下级单位，"
                          "数据包没有导入。",
                          name=v.unit_name, code=code, level=level_label(level) if level else "级别不明",
                          me=me.name, my_code=me.code))
    try:
        period = parse_period(v.period)
    except ValidationFailed:
        return refuse(msg("{file} 的报告期“{p}”无法识别，没有导入。", file=path.name, p=v.period[:20]))
    if period.start > today:
        return refuse(msg("{file} 的报告期 {p} 尚未开始，不能导入（请核对对方电脑的日期）。", file=path.name,
                          p=period.label))
    header = read.document["header"].get("period")
    if not isinstance(header, dict) or header.get("code") != period.code:
        return refuse(msg("{file} 的清单与数据的报告期不一致，没有导入。", file=path.name))
    stated = named_period(path.name)
    if stated is not None and stated != period.code:
        return refuse(msg("{file} 的文件名写的是 {stated}，包内却是 {p} 的数据：文件可能被改名，没有导入。"
                          "请对方重新导出 {stated} 的数据包。", file=path.name, stated=stated, p=period.code))
    try:
        parse_figures(read.document["values"])
    except FiguresError as e:
        return refuse(msg("{file} 的数据有误（{problem}），没有导入。", file=path.name, problem=e.message))
    held = LowerUnit.get_or_none(LowerUnit.code == code)
    if held is None:
        v.new_unit = True
        if not trust_new:
            return refuse(msg("{name}（{code}）还不是本单位登记的下级单位。请打电话与对方核对密钥指纹 {fp}，"
                              "一致后用 --trust-new 导入（窗口中确认指纹）。", name=v.unit_name, code=code,
                              fp=v.fingerprint))
    elif held.public_key != sender["public_key"]:
        v.new_key = True
        if not trust_new:
            return refuse(msg("{name}（{code}）的数据包用一把新的密钥签名（指纹 {fp}，原来是 {old}）："
                              "可能是对方重装了电脑，也可能是他人冒充。"
                              "请打电话与对方核对新指纹，一致后用 --trust-new 导入。",
                              name=v.unit_name, code=code, fp=v.fingerprint, old=held.fingerprint))
    v.period = period.code
    return v


def _against_held(verdicts: list[Verdict], take_older: bool) -> None:
    """新/替换/相同/待接受 for the acceptable packages, in the order they were made (a batch holding
    two packages of the same unit and period keeps the newer)."""
    current: dict[tuple[str, str], tuple[str, str]] = {}  # (code, period) -> (made_at, sha256)
    seen: set[tuple[str, str]] = set()  # (code, sha256) held or planned
    accepted: set[tuple[str, str]] = set()
    for r in (ReportPackage.select(ReportPackage, LowerUnit).join(LowerUnit)):
        seen.add((r.unit.code, r.sha256))
        if r.state == "current":
            current[(r.unit.code, r.period)] = (r.made_at, r.sha256)
    reviews = ReportReview.select(ReportReview, LowerUnit).join(LowerUnit)
    for r in reviews.where(ReportReview.state == "accepted"):
        accepted.add((r.unit.code, r.period))
    packages = [v for v in verdicts if v.kind == "package" and v.status != "refused"]
    for v in sorted(packages, key=lambda v: _made(v.made_at)):
        sha = v.read.sha256
        key = (v.unit_code, v.period)
        if (v.unit_code, sha) in seen:
            v.status, v.read = "same", None
            v.reason = "与已导入的数据包完全相同，无需再次导入"
            continue
        seen.add((v.unit_code, sha))
        held = current.get(key)
        if held is None:
            v.status = "new"
        elif _made(v.made_at) <= _made(held[0]) and not take_older:
            v.status, v.read = "refused", None
            v.reason = (f"比已导入的数据包（{held[0][:19]} 制作）更旧，没有导入；确需用旧的替换时请选择它"
                        "（命令行加 --take-older）")
            continue
        elif key in accepted:
            v.status = "waiting"
            v.reason = "该报告期已审核：新数据包等待接受（jinguo exchange accept --take-waiting）"
            continue
        else:
            v.status = "replace"
        current[key] = (v.made_at, sha)


def _made(stamp: str) -> dt.datetime:
    try:
        made = dt.datetime.fromisoformat(stamp)
    except ValueError:
        return dt.datetime.min.replace(tzinfo=dt.timezone.utc)
    return made if made.tzinfo else made.replace(tzinfo=dt.timezone.utc)


def _receipt_verdict(path: Path, read: ReadPackage, me: Unit, trust_new: bool) -> Verdict:
    r, sender = read.document, read.sender
    v = Verdict(path, "new", kind="receipt", unit_code=str(sender.get("code", "")),
                unit_name=str(sender.get("name", "")), period=str(r.get("period", "")),
                made_at=str(r.get("made_at", "")), fingerprint=fingerprint(sender["public_key"]), read=read)
    if v.unit_code != me.parent_code or sender.get("level") != upper_level(me.level) \
            or r.get("unit_code") != me.code:
        v.status, v.read = "refused", None
        v.reason = str(msg("这份回执不是上级单位发给本单位的（发出：{name} {code}），没有导入。",
                           name=v.unit_name, code=v.unit_code))
        return v
    known = get_setting("exchange.parent_key")
    if known != sender["public_key"] and not trust_new:
        v.status, v.read = "refused", None
        v.new_key = bool(known)
        v.reason = str(msg("上级单位 {name} 的密钥指纹是 {fp}：请打电话核对，一致后用 --trust-new 导入。",
                           name=v.unit_name, fp=v.fingerprint))
        return v
    if r.get("state") not in ("received", "accepted", "returned"):
        v.status, v.read, v.reason = "refused", None, "回执内容无法识别，没有导入"
        return v
    if ReceivedReceipt.select().where((ReceivedReceipt.made_at == v.made_at)
                                      & (ReceivedReceipt.period == v.period)).exists():
        v.status, v.read, v.reason = "same", None, "这份回执已导入过"
    return v


def apply_import(verdicts: list[Verdict], user: User | None) -> int:
    """Keep every package the plan accepted, in one transaction; returns how many were kept."""
    done = 0
    with database.atomic():
        for v in sorted((v for v in verdicts if v.status in APPLIED and v.read is not None),
                        key=lambda v: _made(v.made_at)):
            if v.kind == "receipt":
                _keep_receipt(v)
            else:
                _keep_package(v)
            done += 1
        if done:
            audit.record(user, "import", None, entity="report",
                         summary=f"导入上报数据包或回执 {done} 个："
                                 + "，".join(f"{v.unit_name} {v.period} {v.label}" for v in verdicts
                                            if v.status in APPLIED)[:500])
    return done


def _keep_package(v: Verdict) -> None:
    read, sender, stamp = v.read, v.read.sender, now()
    unit = LowerUnit.get_or_none(LowerUnit.code == v.unit_code)
    if unit is None:
        unit = LowerUnit.create(code=v.unit_code, name=v.unit_name, level=sender["level"],
                                public_key=sender["public_key"], fingerprint=v.fingerprint,
                                first_package_at=stamp)
    unit.name, unit.public_key, unit.fingerprint = v.unit_name, sender["public_key"], v.fingerprint
    unit.first_package_at = unit.first_package_at or stamp
    unit.last_package_at = stamp
    unit.save()
    if v.status != "waiting":
        (ReportPackage.update(state="replaced")
         .where((ReportPackage.unit == unit) & (ReportPackage.period == v.period)
                & (ReportPackage.state == "current")).execute())
        # a package after 退回 is the corrected one: the return is settled
        ReportReview.delete().where((ReportReview.unit == unit) & (ReportReview.period == v.period)
                                    & (ReportReview.state == "returned")).execute()
    ReportPackage.create(unit=unit, period=v.period, made_at=v.made_at, sha256=read.sha256,
                         state="waiting" if v.status == "waiting" else "current", received_at=stamp,
                         file_name=v.path.name[:200], manifest=read.manifest_bytes.decode("utf-8"),
                         figures=json.dumps(read.document["values"], ensure_ascii=False),
                         register=json.dumps(read.register, ensure_ascii=False) if read.register is not None
                         else "", signature=read.signature)


def _keep_receipt(v: Verdict) -> None:
    r = v.read.document
    if get_setting("exchange.parent_key") != v.read.sender["public_key"]:
        set_setting("exchange.parent_key", v.read.sender["public_key"], None)
    ReceivedReceipt.create(period=v.period, state=r["state"], note=str(r.get("note", ""))[:2000],
                           package_sha256=str(r.get("package_sha256", "")), made_at=v.made_at,
                           sender_code=v.unit_code, sender_name=v.unit_name)
