"""The report package (``.jgrpt``): a plain zip a person can open, nothing in it executed.

- ``manifest.json``: who sent it (code, name, level, parent's code, public key and fingerprint),
  the period, the form version, when and by which program version it was made, counts, and the
  SHA-256 of every other part;
- ``figures.json``: the summary as data values, exactly as ``jinguo export summary --format json``
  writes it (for an upper unit, its roll-up, with ``header.rollup`` naming the units in it);
- ``register.json`` (optional): the register of organizations, no people;
- ``signature``: Ed25519 over the bytes of manifest.json, base64.

Reading treats every file as hostile (as the importer treats workbooks): the file's size, the
number and names of its parts and each part's unpacked size are checked before anything is
unpacked; parts are read by their exact names, never written to disk.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import io
import json
import struct
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from models.entities import Organization, OrganizationServiceArea, Region, ServiceArea
from models.i18n import Message, msg
from models.units import Unit, fingerprint, sign, signature_valid

from ..file_safety import input_problem
from ..reports.summary_json import SCHEMA_VERSION as FORM_VERSION

FORMAT = "jinguo-hub.report-package"
FORMAT_VERSION = 1
RECEIPT_FORMAT = "jinguo-hub.report-receipt"
SUFFIX = ".jgrpt"
RECEIPT_SUFFIX = ".jgrcpt"
KNOWN_FORM_VERSIONS = frozenset({FORM_VERSION})
# The program version that first wrote each form version: named when a package needs a newer one.
FORM_VERSION_PROGRAM = {1: "0.1"}

MB = 1024 * 1024
MAX_FILE_BYTES = 64 * MB
MAX_PART_BYTES = {"manifest.json": 1 * MB, "signature": 4096, "figures.json": 32 * MB,
                  "register.json": 64 * MB, "receipt.json": 1 * MB}
MAX_RATIO = 200  # unpacked / packed, for parts over 1 MB
PACKAGE_PARTS = ("manifest.json", "figures.json", "register.json", "signature")
RECEIPT_PARTS = ("receipt.json", "signature")


class PackageError(Exception):
    """A file that is not a usable package; the message says why, in Chinese."""

    def __init__(self, message: Message):
        super().__init__(str(message))
        self.message = message


def _dump(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, indent=1, sort_keys=False).encode("utf-8")


def register_rows() -> list[dict[str, Any]]:
    """The register of organizations without people: name, kind, credit code, stage, service
    areas, township (no contact person, phone or address)."""
    from models.choices import INCUBATION_STAGES, LEGAL_FORMS, ORG_KINDS

    areas: dict[int, list[str]] = {}
    links = OrganizationServiceArea.select(OrganizationServiceArea.organization, ServiceArea.name)
    for org_id, name in links.join(ServiceArea).order_by(ServiceArea.sort_order).tuples():
        areas.setdefault(org_id, []).append(name)
    regions = {r.id: r for r in Region.select()}

    def township(region_id: int | None) -> str:
        region = regions.get(region_id)
        while region is not None and region.level not in ("township", "county"):
            region = regions.get(region.parent_id)
        return region.name if region is not None and region.level == "township" else ""

    rows = []
    for org in Organization.select().where(~Organization.archived).order_by(Organization.name):
        rows.append({"name": org.name, "kind": ORG_KINDS.label(org.kind),
                     "legal_form": LEGAL_FORMS.label(org.legal_form) if org.legal_form else "",
                     "credit_code": org.credit_code or "",
                     "stage": INCUBATION_STAGES.label(org.incubation_stage) if org.incubation_stage else "",
                     "service_areas": areas.get(org.id, []), "township": township(org.region_id)})
    return rows


def build_package(unit: Unit, key, period_code: str, document: dict[str, Any],
                  register: list[dict[str, Any]] | None, program: str,
                  made_at: dt.datetime | None = None) -> bytes:
    """The package's bytes (the caller writes them atomically)."""
    parts = {"figures.json": _dump(document)}
    if register is not None:
        parts["register.json"] = _dump(register)
    stamp = (made_at or dt.datetime.now()).astimezone().isoformat(timespec="microseconds")
    manifest = {
        "format": FORMAT, "format_version": FORMAT_VERSION,
        "sender": {"code": unit.code, "name": unit.name, "level": unit.level,
                   "parent_code": unit.parent_code, "public_key": key.public_key,
                   "fingerprint": fingerprint(key.public_key)},
        "period": period_code, "form_version": FORM_VERSION, "made_at": stamp,
        "program_version": program,
        "counts": {"values": len(document["values"]), "organizations": len(register or []),
                   "units": len(document["header"].get("rollup", {}).get("units", []))},
        "parts": {name: hashlib.sha256(data).hexdigest() for name, data in parts.items()},
    }
    manifest_bytes = _dump(manifest)
    return _zip({"manifest.json": manifest_bytes, **parts,
                 "signature": base64.b64encode(sign(manifest_bytes, key)) + b"\n"})


def build_receipt(unit: Unit, key, receipt: dict[str, Any]) -> bytes:
    body = _dump({"format": RECEIPT_FORMAT, "format_version": FORMAT_VERSION,
                  "sender": {"code": unit.code, "name": unit.name, "level": unit.level,
                             "public_key": key.public_key, "fingerprint": fingerprint(key.public_key)},
                  **receipt})
    return _zip({"receipt.json": body, "signature": base64.b64encode(sign(body, key)) + b"\n"})


# Every field of the zip is fixed (parts stored, not compressed; the date 2000-01-01; no extra
# fields, no comment), so a package is exactly ``_zip`` of its parts: a reader rebuilds it and
# compares, and one changed byte anywhere (a header, the directory) is found, not only in the
# signed parts. Written here rather than by zipfile so that no Python version changes a byte.
_DOS_DATE, _DOS_TIME = (2000 - 1980) << 9 | 1 << 5 | 1, 0
_FILE_MODE = 0o100644 << 16


def _zip(parts: dict[str, bytes]) -> bytes:
    body, directory = bytearray(), bytearray()
    for name, data in parts.items():
        raw = name.encode("ascii")
        crc, size, offset = zlib.crc32(data), len(data), len(body)
        body += struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 0, _DOS_TIME, _DOS_DATE, crc, size, size,
                            len(raw), 0) + raw + data
        directory += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 0, _DOS_TIME, _DOS_DATE, crc,
                                 size, size, len(raw), 0, 0, 0, 0, _FILE_MODE, offset) + raw
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(parts), len(parts), len(directory), len(body), 0)
    return bytes(body + directory + end)


# --- reading ------------------------------------------------------------------------------


@dataclass
class ReadPackage:
    """A package whose signature and part hashes are good (its content still to be judged)."""

    kind: str  # package | receipt
    manifest: dict[str, Any]
    manifest_bytes: bytes
    signature: str
    sha256: str
    document: dict[str, Any]  # figures.json, or receipt.json
    register: list[dict[str, Any]] | None

    @property
    def sender(self) -> dict[str, Any]:
        return self.manifest["sender"]


def _not_package(name: str) -> PackageError:
    return PackageError(msg("{name} 不是巾帼枢纽的上报数据包或回执，没有导入。", name=name))


def read_package(path: Path) -> ReadPackage:
    """Open and verify one file; PackageError (Chinese, naming the file) if it is not a good one."""
    name = path.name
    refused = input_problem(path)  # never open the live database: that would drop its locks
    if refused is not None:
        raise PackageError(refused)
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise PackageError(msg("{name} 有 {size} MB，超过了数据包最大 {limit} MB 的限制，没有读取。",
                                   name=name, size=size // MB, limit=MAX_FILE_BYTES // MB))
        data = path.read_bytes()
    except OSError as e:
        raise PackageError(msg("无法读取 {name}：{reason}", name=name, reason=e.strerror or e)) from e
    return read_package_bytes(data, name)


def read_package_bytes(data: bytes, name: str) -> ReadPackage:
    if not data.startswith(b"PK\x03\x04"):
        raise _not_package(name)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, ValueError, EOFError) as e:
        raise PackageError(msg("{name} 已损坏（不是完整的压缩包），请对方重新导出后再发送。",
                               name=name)) from e
    names = [i.filename for i in infos]
    kind = "receipt" if "receipt.json" in names else "package"
    allowed = RECEIPT_PARTS if kind == "receipt" else PACKAGE_PARTS
    if len(names) != len(set(names)) or not set(names) <= set(allowed) or "signature" not in names \
            or (kind == "package" and "manifest.json" not in names):
        raise _not_package(name) if not set(names) & set(allowed) else PackageError(msg(
            "{name} 的内容与数据包的格式不符（多出、缺少或重复的部分），可能被改动过，没有导入。", name=name))
    for info in infos:
        if info.file_size > MAX_PART_BYTES[info.filename] or (
                info.file_size > MB and info.file_size > MAX_RATIO * max(info.compress_size, 1)):
            raise PackageError(msg("{name} 中的 {part} 解压后过大，不是正常的数据包，没有读取。",
                                   name=name, part=info.filename))
    try:
        parts = {n: archive.read(n) for n in names}
    except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, ValueError, EOFError, OSError,
            RuntimeError, NotImplementedError) as e:  # CRC errors, encryption, unknown compression
        raise PackageError(msg("{name} 已损坏（压缩包中的内容读不出或校验不符），可能被改动过，没有导入。",
                               name=name)) from e
    if _zip(parts) != data:
        raise PackageError(msg("{name} 在制作后被改动过（文件结构与制作时不同），没有导入。"
                               "请对方重新导出后再发送。", name=name))
    signed = parts["receipt.json" if kind == "receipt" else "manifest.json"]
    try:
        manifest = json.loads(signed.decode("utf-8"))
        signature = base64.b64decode(parts["signature"].strip(), validate=True)
        public_key = manifest["sender"]["public_key"]
        expected = RECEIPT_FORMAT if kind == "receipt" else FORMAT
        if manifest.get("format") != expected:
            raise _not_package(name)
    except (UnicodeDecodeError, ValueError, KeyError, TypeError, RecursionError) as e:
        raise PackageError(msg("{name} 的清单读不出，可能已损坏或被改动过，没有导入。", name=name)) from e
    if manifest.get("format_version") != FORMAT_VERSION:
        raise PackageError(msg("{name} 由较新版本的巾帼枢纽制作（数据包格式 {v}），请升级本程序后再导入。",
                               name=name, v=manifest.get("format_version")))
    if not isinstance(public_key, str) or not signature_valid(signed, signature, public_key):
        raise PackageError(msg("{name} 的签名不符：文件在制作后被改动过，或不是发送单位制作的。没有导入，"
                               "请对方重新导出后再发送。", name=name))
    sha256 = hashlib.sha256(data).hexdigest()
    if kind == "receipt":
        return ReadPackage("receipt", manifest, signed, parts["signature"].decode().strip(), sha256,
                           manifest, None)
    listed = manifest.get("parts")
    if not isinstance(listed, dict) or set(listed) | {"manifest.json", "signature"} != set(names):
        raise PackageError(msg("{name} 的内容与清单不符，可能被改动过，没有导入。", name=name))
    for part, digest in listed.items():
        if hashlib.sha256(parts[part]).hexdigest() != digest:
            raise PackageError(msg("{name} 中的 {part} 与签名时不同：文件被改动过，没有导入。",
                                   name=name, part=part))
    form = manifest.get("form_version")
    if form not in KNOWN_FORM_VERSIONS:
        needed = FORM_VERSION_PROGRAM.get(form) if isinstance(form, int) else None
        raise PackageError(msg("{name} 使用报表格式第 {form} 版，本程序只认识到第 {known} 版。请安装巾帼枢纽 "
                               "{needed}后再导入。", name=name, form=form, known=max(KNOWN_FORM_VERSIONS),
                               needed=f"{needed} 或更新的版本" if needed else "最新版本"))
    try:
        document = json.loads(parts["figures.json"].decode("utf-8"))
        register = json.loads(parts["register.json"].decode("utf-8")) if "register.json" in parts else None
    except (UnicodeDecodeError, ValueError, RecursionError) as e:
        raise PackageError(msg("{name} 的数据读不出，没有导入。", name=name)) from e
    if not isinstance(document, dict) or not isinstance(document.get("header"), dict) \
            or not isinstance(document.get("values"), list):
        raise PackageError(msg("{name} 的数据格式不对，没有导入。", name=name))
    return ReadPackage("package", manifest, signed, parts["signature"].decode().strip(), sha256,
                       document, register)
