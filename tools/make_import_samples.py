"""Regenerates the spreadsheets of tests/data/calc-*.xlsx the way an office makes them: typed (here:
CSV text) into LibreOffice Calc and saved as .xlsx, so that Calc decides what becomes a number
("1983.10" → the number 1983.1), a date ("1970/5/1") or text (columns set to text, as a careful clerk
sets the ID column).

Run: ``python tools/make_import_samples.py`` (needs ``soffice`` on PATH). Not needed to run or test
the program: the files are committed.
"""

from __future__ import annotations

import csv
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from models.validators import id_check_char  # noqa: E402

DATA = ROOT / "tests" / "data"


def resident_id(birth: str, serial: int) -> str:
    first17 = f"321002{birth}{serial:03d}"
    return first17 + id_check_char(first17)


TEXT, YMD = 2, 5  # Calc's CSV column formats: text; a date typed year/month/day

# name: (rows, {column (from 1): format})
SAMPLES: dict[str, tuple[list[list[str]], dict[int, int]]] = {
    # 出生年月 typed as 1983.10 etc.: Calc stores numbers; 1985.03 shows the column pads its months.
    "calc-birth-months": ([
        ["序号", "姓名", "性别", "出生年月", "联系电话", "加入时间"],
        ["1", "王秀英", "女", "1983.10", "13812345678", ""],
        ["2", "李桂芳", "女", "1985.03", "", "2020/3/8"],
        ["3", "张玉兰", "女", "1990.12", "", ""],
        ["4", "刘红梅", "女", "2031.05", "", ""],
        ["5", "陈丽娟", "女", "1899.12", "", ""],
        ["6", "赵敏", "女", "1975.08", "", "1970/5/1"],
    ], {6: YMD}),
    # Nothing in this column says whether 1983.1 was typed as 1983.1 or as 1983.10.
    "calc-birth-ambiguous": ([
        ["序号", "姓名", "性别", "出生年月"],
        ["1", "孙丽", "女", "1983.10"],
        ["2", "周芳", "女", "1990.11"],
        ["3", "吴静", "女", "1979.12"],
    ], {}),
    # A volunteers roster as the program prints it, retyped: several organizations in one cell.
    "calc-volunteers": ([
        ["湾头镇志愿者花名册"],
        ["填报单位：湾头镇妇联"],
        ["序号", "姓名", "性别", "出生年月", "身份证号", "联系电话", "身份", "所在组织",
         "累计服务时长（小时）"],
        ["1", "钱晓燕", "女", "1986.04", resident_id("19860412", 24), "13912340001", "义工",
         "阳光协会、爱心妈妈团、巾帼志愿服务队", "27.5"],
        ["2", "冯雪梅", "女", "1979.11", resident_id("19791103", 42), "13912340002", "义工、社工",
         "阳光协会\n爱心妈妈团", "12"],
        ["3", "韩倩", "女", "1992.06", resident_id("19920620", 66), "13912340003", "义工",
         "巾帼志愿服务队，爱心妈妈团", "3"],
    ], {5: TEXT}),
    # An organization roster: 职务 is the role in the organization, not a federation post.
    "calc-org-roster": ([
        ["阳光协会成员花名册"],
        ["填报单位：湾头镇妇联    日期：2026年11月1日    共 3 人（按姓氏笔画排序）"],
        ["序号", "姓名", "性别", "出生年月", "身份证号", "联系电话", "职务"],
        ["1", "白彩月", "女", "1968.02", resident_id("19680215", 28), "13800001111", "成员"],
        ["2", "孙丽", "女", "1975.09", resident_id("19750901", 46), "13800002222", "负责人"],
        ["3", "周芳", "女", "1988.10", resident_id("19881010", 64), "13800003333", "骨干"],
    ], {5: TEXT}),
    # People without ID or phone, as a township keeps them: matched by name and what agrees.
    "calc-people-no-id": ([
        ["姓名", "出生日期", "所属镇（街道）"],
        ["王芳", "1980/2/3", "湾头镇"],
        ["李娜", "", "湾头镇"],
    ], {2: YMD}),
    # The organizations list's columns, 阶段起始 among them, typed back in.
    "calc-orgs-stage": ([
        ["组织名称", "类型", "孵化阶段", "阶段起始", "联盟成员", "联系人", "联系电话"],
        ["阳光协会", "草根组织（备案）", "初创期", "2024/5/6", "是", "孙丽", "13800002222"],
    ], {4: YMD}),
    # A people list exported with masked ID numbers (the default), then edited.
    "calc-masked-ids": ([
        ["姓名", "身份证号", "联系电话"],
        ["王芳", "321002********0249", "13900000000"],
        ["李娜", "321002********0465", ""],
    ], {2: TEXT}),
    # Titles that only resemble known ones.
    "calc-variant-titles": ([
        ["序号", "姓名", "志愿者服务时长", "家庭住址"],
        ["1", "甲", "5", "东关街"],
    ], {}),
    # The same ID with another name: a rename to confirm.
    "calc-renamed": ([
        ["姓名", "身份证号", "联系电话"],
        ["孙丽", resident_id("19750901", 46), "13811112222"],
    ], {2: TEXT}),
}


def main() -> None:
    soffice = shutil.which("soffice")
    if soffice is None:
        sys.exit("soffice (LibreOffice) is not on PATH")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for name, (rows, formats) in SAMPLES.items():
            source = folder / f"{name}.csv"
            with open(source, "w", newline="", encoding="utf-8") as f:
                csv.writer(f).writerows(rows)
            columns = "/".join(f"{c}/{f}" for c, f in formats.items())
            subprocess.run([soffice, f"-env:UserInstallation=file://{folder}/profile", "--headless",
                            "--convert-to", "xlsx", f"--infilter=CSV:44,34,76,1,{columns}",
                            "--outdir", str(folder), str(source)], check=True, capture_output=True)
            shutil.copy(folder / f"{name}.xlsx", DATA / f"{name}.xlsx")
            print(DATA / f"{name}.xlsx")


if __name__ == "__main__":
    main()
