"""Draw disclosures from structured specs: text (as copied out of a PDF), PDF (reportlab), XLSX
(one flat header row) and XLSX as finance software exports it (merged multi-level headers, a
栏次 row, 科目编码 split into 类/款/项).

A `Spec` names a department's leaf items; `build` derives every table by the arithmetic the
template promises (parents, totals, sides, fund sources) and the narrative figures, and is the
truth the loaded result is compared with. The layouts follow the national template, not one
file, so the loaders are tested on departments, subjects and layouts that are not in ../shared.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

CATEGORIES = [
    "一般公共服务支出",
    "外交支出",
    "国防支出",
    "公共安全支出",
    "教育支出",
    "科学技术支出",
    "文化旅游体育与传媒支出",
    "社会保障和就业支出",
    "社会保险基金支出",
    "卫生健康支出",
    "节能环保支出",
    "城乡社区支出",
    "农林水支出",
    "交通运输支出",
    "资源勘探工业信息等支出",
    "商业服务业等支出",
    "金融支出",
    "援助其他地区支出",
    "自然资源海洋气象等支出",
    "住房保障支出",
    "粮油物资储备支出",
    "国有资本经营预算支出",
    "灾害防治及应急管理支出",
    "预备费",
    "其他支出",
    "转移性支出",
    "债务还本支出",
    "债务付息支出",
    "债务发行费用支出",
    "抗疫特别国债安排的支出",
]
INCOME_ITEMS = [
    "一般公共预算拨款收入",
    "政府性基金预算拨款收入",
    "国有资本经营预算拨款收入",
    "财政专户管理资金收入",
    "事业收入",
    "事业单位经营收入",
    "上级补助收入",
    "附属单位上缴收入",
    "其他收入",
]
ORD = [
    "一",
    "二",
    "三",
    "四",
    "五",
    "六",
    "七",
    "八",
    "九",
    "十",
    "十一",
    "十二",
    "十三",
    "十四",
    "十五",
    "十六",
    "十七",
    "十八",
    "十九",
    "二十",
    "二十一",
    "二十二",
    "二十三",
    "二十四",
    "二十五",
    "二十六",
    "二十七",
    "二十八",
    "二十九",
    "三十",
]
ECONOMIC = {"301": "工资福利支出", "302": "商品和服务支出", "303": "对个人和家庭的补助"}


@dataclass
class Leaf:
    code: str  # 7 digits
    name: str
    basic: float = 0.0  # 一般公共预算 基本支出
    project: float = 0.0  # 一般公共预算 项目支出
    fund: float = 0.0  # 政府性基金 项目支出
    shiye: float = 0.0  # 事业收入 spent as 项目支出


@dataclass
class Spec:
    code: str
    department: str
    year: int
    leaves: list[Leaf]
    names: dict[str, str]  # names of the 类 (3 digits) and 款 (5 digits) codes used
    economic: list[tuple[str, str, float, float]]  # (code5, name, 人员经费, 公用经费)
    sanggong: dict[str, float] = field(default_factory=dict)  # 因公出国（境）费, 公务接待费, 公务用车购置费, 公务用车运行费
    change: float = -100.0  # 收支总额 比上年增减
    unit_kind: str = "行政"


def c2(x: float) -> float:
    return round(x + 0.0, 2)


def build(spec: Spec) -> dict:
    """Every table as {title, key, columns, rows:[{row, code, name, values}], note} and the facts."""
    leaves = spec.leaves
    basic_total = c2(sum(e[2] + e[3] for e in spec.economic))
    assert abs(basic_total - sum(x.basic for x in leaves)) < 0.005, "economic items must add up to 基本支出"

    def tree(value_of) -> list[dict]:
        """合计 row and the 类/款/项 rows of the leaves that have a value, parents summed."""
        rows, codes = [], []
        for leaf in leaves:
            if not any(abs(v) > 0.0001 for v in value_of(leaf).values()):
                continue
            for code in (leaf.code[:3], leaf.code[:5], leaf.code):
                if code not in codes:
                    codes.append(code)
        for code in codes:
            kids = [x for x in leaves if x.code.startswith(code)]
            values: dict[str, float] = {}
            for leaf in kids:
                for k, v in value_of(leaf).items():
                    values[k] = c2(values.get(k, 0) + v)
            name = next(x.name for x in leaves if x.code == code) if len(code) == 7 else spec.names[code]
            rows.append({"code": code, "name": name, "values": {k: v for k, v in values.items() if abs(v) > 0.0001}})
        total: dict[str, float] = {}
        for r in rows:
            if len(r["code"]) == 3:
                for k, v in r["values"].items():
                    total[k] = c2(total.get(k, 0) + v)
        out = [{"code": None, "name": "合计", "values": total}] + rows
        for i, r in enumerate(out, 1):
            r["row"] = i
        return out if rows else []

    gp = c2(sum(x.basic + x.project for x in leaves))
    fund = c2(sum(x.fund for x in leaves))
    shiye = c2(sum(x.shiye for x in leaves))
    total = c2(gp + fund + shiye)
    project = c2(sum(x.project + x.fund + x.shiye for x in leaves))
    by_category: dict[str, dict[str, float]] = {}
    for leaf in leaves:
        cat = spec.names[leaf.code[:3]]
        d = by_category.setdefault(cat, {"all": 0.0, "gp": 0.0, "fund": 0.0})
        d["all"] = c2(d["all"] + leaf.basic + leaf.project + leaf.fund + leaf.shiye)
        d["gp"] = c2(d["gp"] + leaf.basic + leaf.project)
        d["fund"] = c2(d["fund"] + leaf.fund)
    tables = []
    income_values = {"一般公共预算拨款收入": gp, "政府性基金预算拨款收入": fund, "事业收入": shiye}
    rows = []
    for i in range(30):
        left = f"{ORD[i]}、{INCOME_ITEMS[i]}" if i < 9 else None
        right = f"{ORD[i]}、{CATEGORIES[i]}"
        values = {}
        if left and income_values.get(INCOME_ITEMS[i]):
            values["收入预算数"] = income_values[INCOME_ITEMS[i]]
        if by_category.get(CATEGORIES[i], {}).get("all"):
            values["支出预算数"] = by_category[CATEGORIES[i]]["all"]
        rows.append({"row": i + 1, "code": None, "left": left, "right": right, "values": values})
    rows += [
        {
            "row": 31,
            "code": None,
            "left": "本年收入合计",
            "right": "本年支出合计",
            "values": {"收入预算数": total, "支出预算数": total},
        },
        {"row": 32, "code": None, "left": "上年结转结余", "right": "年终结转结余", "values": {}},
        {"row": 33, "code": None, "left": "收入总计", "right": "支出总计", "values": {"收入预算数": total, "支出预算数": total}},
    ]
    tables.append({"key": "收支总表", "title": "部门预算收支总表", "columns": ["收入预算数", "支出预算数"], "rows": rows})

    income_cols = [
        "合计",
        "上年结转",
        "小计",
        "财政拨款收入",
        "财政专户收入",
        "事业收入",
        "经营收入",
        "上级补助收入",
        "附属单位上缴收入",
        "其他收入",
    ]
    tables.append(
        {
            "key": "收入总表",
            "title": "部门预算收入总表",
            "columns": income_cols,
            "rows": tree(
                lambda x: {
                    "合计": x.basic + x.project + x.fund + x.shiye,
                    "小计": x.basic + x.project + x.fund + x.shiye,
                    "财政拨款收入": x.basic + x.project + x.fund,
                    "事业收入": x.shiye,
                }
            ),
        }
    )
    tables.append(
        {
            "key": "支出总表",
            "title": "部门预算支出总表",
            "columns": ["合计", "基本支出", "项目支出", "经营支出", "上缴上级支出", "对附属单位补助支出"],
            "rows": tree(
                lambda x: {
                    "合计": x.basic + x.project + x.fund + x.shiye,
                    "基本支出": x.basic,
                    "项目支出": x.project + x.fund + x.shiye,
                }
            ),
        }
    )
    fiscal = c2(gp + fund)
    rows = []
    for i in range(30):
        left = f"{ORD[i]}、{['一般公共预算拨款', '政府性基金预算拨款', '国有资本经营预算拨款'][i]}" if i < 3 else None
        right = f"{ORD[i]}、{CATEGORIES[i]}"
        values = {}
        if i == 0 and gp:
            values["收入金额"] = gp
        if i == 1 and fund:
            values["收入金额"] = fund
        cat = by_category.get(CATEGORIES[i], {})
        if cat.get("gp") or cat.get("fund"):
            values["支出合计"] = c2(cat["gp"] + cat["fund"])
            if cat.get("gp"):
                values["一般公共预算财政拨款"] = cat["gp"]
            if cat.get("fund"):
                values["政府性基金预算财政拨款"] = cat["fund"]
        rows.append({"row": i + 1, "code": None, "left": left, "right": right, "values": values})
    sides = {"收入金额": fiscal, "支出合计": fiscal, "一般公共预算财政拨款": gp}
    if fund:
        sides["政府性基金预算财政拨款"] = fund
    rows += [
        {"row": 31, "code": None, "left": "本年收入合计", "right": "本年支出合计", "values": dict(sides)},
        {"row": 32, "code": None, "left": "年初财政拨款结转和结余", "right": "年末财政拨款结转和结余", "values": {}},
        {"row": 33, "code": None, "left": "一、一般公共预算拨款", "right": None, "values": {}},
        {"row": 34, "code": None, "left": "二、政府性基金预算拨款", "right": None, "values": {}},
        {"row": 35, "code": None, "left": "三、国有资本经营预算拨款", "right": None, "values": {}},
        {"row": 36, "code": None, "left": "收入总计", "right": "支出总计", "values": dict(sides)},
    ]
    tables.append(
        {
            "key": "财政拨款收支总表",
            "title": "部门预算财政拨款收支总表",
            "columns": ["收入金额", "支出合计", "一般公共预算财政拨款", "政府性基金预算财政拨款", "国有资本经营预算财政拨款"],
            "rows": rows,
        }
    )
    tables.append(
        {
            "key": "一般公共预算支出表",
            "title": "部门预算一般公共预算财政拨款支出表",
            "columns": ["合计", "基本支出", "项目支出"],
            "rows": tree(lambda x: {"合计": x.basic + x.project, "基本支出": x.basic, "项目支出": x.project}),
        }
    )
    econ_rows, total_p, total_c = [], 0.0, 0.0
    for head in sorted({e[0][:3] for e in spec.economic}):
        items = [e for e in spec.economic if e[0].startswith(head)]
        p, c = c2(sum(e[2] for e in items)), c2(sum(e[3] for e in items))
        total_p, total_c = c2(total_p + p), c2(total_c + c)
        econ_rows.append({"code": head, "name": ECONOMIC[head], "values": _nz({"合计": c2(p + c), "人员经费": p, "公用经费": c})})
        for code, name, pp, cc in items:
            econ_rows.append({"code": code, "name": name, "values": _nz({"合计": c2(pp + cc), "人员经费": pp, "公用经费": cc})})
    econ_rows.insert(
        0,
        {"code": None, "name": "合计", "values": _nz({"合计": c2(total_p + total_c), "人员经费": total_p, "公用经费": total_c})},
    )
    for i, r in enumerate(econ_rows, 1):
        r["row"] = i
    tables.append(
        {
            "key": "基本支出表",
            "title": "部门预算一般公共预算财政拨款基本支出表",
            "columns": ["合计", "人员经费", "公用经费"],
            "rows": econ_rows,
        }
    )
    fund_rows = tree(lambda x: {"合计": x.fund, "项目支出": x.fund})
    tables.append(
        {
            "key": "政府性基金支出表",
            "title": "部门预算政府性基金预算财政拨款支出表",
            "columns": ["合计", "基本支出", "项目支出"],
            "rows": fund_rows,
            "note": None if fund_rows else "注：无政府性基金预算财政拨款预算，空表列示。",
        }
    )
    tables.append(
        {
            "key": "国有资本经营支出表",
            "title": "部门预算国有资本经营预算财政拨款支出表",
            "columns": ["合计", "基本支出", "项目支出"],
            "rows": [],
            "note": "注：无国有资本经营预算财政拨款预算，空表列示。",
        }
    )
    sg = spec.sanggong
    car = c2(sg.get("公务用车购置费", 0) + sg.get("公务用车运行费", 0))
    sg_total = c2(sg.get("因公出国（境）费", 0) + sg.get("公务接待费", 0) + car)
    sg_rows = []
    if sg_total:
        for name, v in [
            ("合计", sg_total),
            ("因公出国（境）费", sg.get("因公出国（境）费", 0)),
            ("公务接待费", sg.get("公务接待费", 0)),
            ("公务用车购置及运行费", car),
            ("其中：公务用车购置费", sg.get("公务用车购置费", 0)),
            ("公务用车运行费", sg.get("公务用车运行费", 0)),
        ]:
            sg_rows.append(
                {"row": len(sg_rows) + 1, "code": None, "name": name, "values": _nz({"合计": v, "一般公共预算财政拨款": v})}
            )
    tables.append(
        {
            "key": "三公经费表",
            "title": "部门预算财政拨款“三公”经费支出表",
            "columns": ["合计", "一般公共预算财政拨款", "政府性基金预算财政拨款", "国有资本经营预算财政拨款"],
            "rows": sg_rows,
            "note": None if sg_rows else "注：无财政拨款“三公”经费支出表预算，空表列示。",
        }
    )
    for t in tables:
        t.setdefault("note", None)
        for r in t["rows"]:
            if "left" in r:
                r["name"] = " ".join(n for n in (r["left"], r["right"]) if n)
    facts = {
        "收入总额": total,
        "一般公共预算收入": gp,
        "政府性基金预算收入": fund,
        "支出总额": total,
        "基本支出": basic_total,
        "人员经费": total_p,
        "日常公用经费": total_c,
        "项目支出": project,
        "比上年增减": spec.change,
        "机关运行经费": total_c,
        "三公经费": sg_total,
    }
    return {"department": spec.department, "code": spec.code, "year": spec.year, "tables": tables, "facts": facts, "shiye": shiye}


def _nz(values: dict[str, float]) -> dict[str, float]:
    return {k: v for k, v in values.items() if abs(v) > 0.0001}


# ------------------------------------------------------------------------------------- layouts

HEADERS = {  # header lines as they come out of a PDF, and the 栏次 count
    "收支总表": (["序号", "收入 支出", "项 目 预算数 项 目 预算数"], 4),
    "收入总表": (
        [
            "序号",
            "功能分类科目",
            "合计",
            "本年收入",
            "上年结转科目",
            "编码",
            "科目名称 小计",
            "财政拨款",
            "收入",
            "财政专户",
            "收入",
            "事业收入 经营收入",
            "上级补助",
            "收入",
            "附属单位",
            "上缴收入",
            "其他收入",
        ],
        12,
    ),
    "支出总表": (
        [
            "序号",
            "功能分类科目",
            "合计 基本支出 项目支出 经营支出",
            "上解上级",
            "支出",
            "对附属单位",
            "补助支出科目",
            "编码",
            "科目名称",
        ],
        8,
    ),
    "财政拨款收支总表": (
        [
            "序号",
            "收入 支出",
            "项 目 金额 项 目 合计",
            "一般公共预",
            "算财政拨款",
            "政府性基金",
            "预算财政",
            "拨款",
            "国有资本经",
            "营预算财政",
            "拨款",
        ],
        7,
    ),
    "一般公共预算支出表": (["序号", "功能分类科目", "合计 基本支出 项目支出", "科目编码 科目名称"], 5),
    "基本支出表": (["序号", "支出部门经济分类科目 一般公共预算基本支出", "科目编码 科目名称 合计 人员经费 公用经费"], 5),
    "政府性基金支出表": (["序号", "功能分类科目", "合计 基本支出 项目支出", "科目编码 科目名称"], 5),
    "国有资本经营支出表": (["序号", "功能分类科目", "合计 基本支出 项目支出", "科目编码 科目名称"], 5),
    "三公经费表": (
        [
            "序号 项 目",
            "资 金 性 质",
            "合计",
            "一般公共预算",
            "财政拨款",
            "政府性基金",
            "预算拨款",
            "国有资本经营",
            "预算财政拨款",
        ],
        5,
    ),
}


def narrative_lines(spec: Spec, truth: dict) -> list[str]:
    f = truth["facts"]
    y, dept = spec.year, spec.department
    word = "增长" if spec.change > 0 else "下降"
    sg = spec.sanggong
    lines = [
        f"第一部分 {dept} {y} 年部门预算信息公开情况说明",
        "一、部门职责及机构设置情况",
        "部门职责：",
        "（一）贯彻执行有关方针政策和法律法规。",
        "（二）完成县委、县政府交办的其他任务。",
        "机构设置：",
        "部门机构设置情况",
        "单位名称 单位性质 单位规格 经费保障形式",
        f"{dept}本级 {spec.unit_kind} 正科级 财政拨款",
        "二、部门预算安排的总体情况",
        f"（一）{y}年部门预算收入情况",
        f"{y}年部门预算收入总额 {f['收入总额']:g}万元，其中：一般公共预算收入 {f['一般公共预算收入']:g}万元，政府性基",
        f"金预算收入 {f['政府性基金预算收入']:g}万元，财政专户核拨收入 0万元，其它来源收入 {truth['shiye']:g}万元。",
        f"（二）{y}年部门预算支出情况",
        f"{y}年部门支出安排预算总额 {f['支出总额']:g}万元，其中：基本支出 {f['基本支出']:g}万元，包括人员经费 {f['人员经费']:g}万元和日常公用经费",
        f"{f['日常公用经费']:g}万元；项目支出 {f['项目支出']:g}万元。",
        "（三）与上年增减情况",
        f"{y}年部门预算收支安排 {f['收入总额']:g}万元，较 {y - 1}年{word} {abs(spec.change):g}万元，主要为项目安排变化。",
        "三、机关运行经费安排情况",
        f"{y}年我部门机关运行经费共计安排 {f['机关运行经费']:g}万元。",
        "四、财政拨款“三公”经费预算情况及增减变化原因",
        f"{y}年我部门“三公”经费预算 {f['三公经费']:g}万元；其中因公出国（出境）{sg.get('因公出国（境）费', 0):g}万元；公务接待费 "
        f"{sg.get('公务接待费', 0):g}万元；公务用车购置经费 {sg.get('公务用车购置费', 0):g}万元；公务用车运行维护费 {sg.get('公务用车运行费', 0):g}万元。",
        "五、预算绩效信息",
        f"1、{y}年重点工作专项绩效目标表",
        "绩效目标 1.保障工作顺利进行",
        "一级指标 二级指标 三级指标 绩效指标描述 指标值 指标值确定依据",
        "产出指标",
        f"数量指标 项目实施数量 项目实施数量 {len(spec.leaves)} 个 {y} 年方案",
        "满意度指标",
        f"服务对象满意度指标 服务对象满意度 服务对象满意度 ≥95 百分比 {y} 年方案",
        "八、名词解释",
        "1、基本支出：指为保障机构正常运转、完成日常工作任务而发生的人员支出和公用支出。",
        "2、项目支出：指在基本支出之外为完成特定行政任务和事业发展目标所发生的支出。",
    ]
    return lines


def _money(v: float) -> str:
    return f"{v:.2f}"


def _row_cells(table: dict, row: dict) -> list[str]:
    """The words of a row as a PDF's text shows them: empty cells leave nothing."""
    values = [_money(row["values"][c]) for c in table["columns"] if c in row["values"]]
    if "left" in row:
        out = [str(row["row"])]
        left_cols = table["columns"][:1]
        if row["left"]:
            out.append(row["left"])
        out += [_money(row["values"][c]) for c in left_cols if c in row["values"]]
        if row["right"]:
            out.append(row["right"])
        out += [_money(row["values"][c]) for c in table["columns"][1:] if c in row["values"]]
        return out
    return [str(row["row"])] + ([row["code"]] if row["code"] else []) + [row["name"]] + values


def render_text(spec: Spec, truth: dict, rows_per_page: int = 14, wrap: int = 0) -> str:
    """Text as copied out of a PDF: pages open indented, the header repeats on every page,
    names longer than `wrap` characters break over lines."""
    dept_line = f"{spec.code} {spec.department} 预算年度：{spec.year} 单位：万元"
    out: list[str] = []
    for t in truth["tables"]:
        header, n = HEADERS[t["key"]]
        block = [" " + t["title"], dept_line, "", *header, "", "栏次 " + " ".join(str(i) for i in range(1, n + 1)), ""]
        out += block
        if not t["rows"]:
            out += [t["note"], ""]
            continue
        for k, row in enumerate(t["rows"]):
            if k and k % rows_per_page == 0:
                out += [" " + dept_line, "", *header, "", "栏次 " + " ".join(str(i) for i in range(1, n + 1)), ""]
            cells = _row_cells(t, row)
            if wrap and "left" not in row and len(row["name"]) > wrap:
                name = row["name"]
                head = cells[: cells.index(name)]
                tail = cells[cells.index(name) + 1 :]
                out += [" ".join(head)] + [name[i : i + wrap] for i in range(0, len(name), wrap)] + [" ".join(tail)]
            else:
                out.append(" ".join(cells))
            out.append("")
    out += [" " + line for line in narrative_lines(spec, truth)[:1]] + narrative_lines(spec, truth)[1:]
    return "\n".join(out) + "\n"


def render_pdf(spec: Spec, truth: dict, path: Path) -> None:
    """A PDF drawn like the published ones: title, department line, header labels over their
    columns, the 栏次 row, values right-aligned in their cells, narrative pages after."""
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    width, height = landscape(A4)
    c = canvas.Canvas(str(path), pagesize=(width, height))
    dept_line = f"{spec.code} {spec.department} 预算年度：{spec.year} 单位：万元"
    for t in truth["tables"]:
        cols = t["columns"]
        x0, step = 330.0, (width - 380) / max(len(cols), 1)
        anchors = [x0 + i * step for i in range(len(cols))]
        rows = t["rows"] or [None]
        for start in range(0, len(rows), 24):
            y = height - 40
            c.setFont("STSong-Light", 12)
            if start == 0:
                c.drawCentredString(width / 2, y, t["title"])
            y -= 18
            c.setFont("STSong-Light", 8)
            c.drawString(50, y, dept_line)
            y -= 22
            c.drawString(50, y, "序号")
            c.drawString(84, y, "科目编码")
            c.drawString(140, y, "科目名称")
            per_line = max(2, int((step - 6) / 8))
            for x, col in zip(anchors, cols, strict=True):
                label = "本年收入小计" if col == "小计" else col
                pieces = [label[i : i + per_line] for i in range(0, len(label), per_line)]
                for k, piece in enumerate(pieces):
                    c.drawString(x, y + 10 - 9 * k, piece)
            y -= 16
            c.drawString(50, y, "栏次")
            for i, x in enumerate(anchors, 1):
                c.drawString(x, y, str(i))
            for row in rows[start : start + 24]:
                y -= 16
                if row is None:
                    c.drawString(140, y, t["note"])
                    continue
                c.drawString(50, y, str(row["row"]))
                if row.get("code"):
                    c.drawString(84, y, row["code"])
                c.drawString(140, y, row["name"])
                for x, col in zip(anchors, cols, strict=True):
                    if col in row["values"]:
                        c.drawRightString(x + step - 12, y, _money(row["values"][col]))
            c.drawString(width - 50, 30, str(c.getPageNumber()))
            c.showPage()
    c.setFont("STSong-Light", 9)
    y = height - 40
    for line in narrative_lines(spec, truth):
        if y < 50:
            c.showPage()
            c.setFont("STSong-Light", 9)
            y = height - 40
        c.drawString(50, y, line)
        y -= 15
    c.showPage()
    c.save()


def render_xlsx(spec: Spec, truth: dict, path: Path, merged: bool = False) -> None:
    """One sheet per table. `merged`: finance-software style — a two-row header with merged
    group cells (本年收入, 收入/支出, 一般公共预算基本支出, 资金性质), a 栏次 row, and 科目编码 in
    类/款/项 columns."""
    import openpyxl

    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    dept_line = f"{spec.code} {spec.department} 预算年度：{spec.year} 单位：万元"
    for n, t in enumerate(truth["tables"], 1):
        ws = wb.create_sheet(f"表{n}")
        cols = t["columns"]
        two_sided = t["key"] in ("收支总表", "财政拨款收支总表")
        ws.append([t["title"]])
        ws.append([dept_line])
        if not merged:
            labels = ["序号", "科目编码", "科目名称"] + [("本年收入" + c if c == "小计" else c) for c in cols]
            ws.append(labels)
            first_value = 4
        else:
            code_cols = ["类", "款", "项"] if not two_sided and t["key"] != "三公经费表" else []
            lead = ["序号", *code_cols] + ([] if two_sided else ["科目名称" if code_cols else "项目"])
            top = lead + [_group(t["key"], c, two_sided) for c in cols]
            bottom = lead + [_leaf(c, two_sided) for c in cols]
            if two_sided:  # 收入 | 项目 预算数 || 支出 | 项目 预算数 …
                top.insert(1, "收入")
                bottom.insert(1, "项目")
                top.insert(3, "支出")
                bottom.insert(3, "项目")
            ws.append(top)
            ws.append(bottom)
            first_value = len(lead) + 1
            for c_idx in range(1, len(lead) + 1):
                ws.merge_cells(start_row=3, start_column=c_idx, end_row=4, end_column=c_idx)
            _merge_runs(ws, 3, len(lead) + 1, top[len(lead) :])
            ws.append(["栏次"] + [""] * (len(top) - len(cols) - 1) + [str(i) for i in range(1, len(cols) + 1)])
        if not t["rows"]:
            ws.append([t["note"]])
            continue
        for row in t["rows"]:
            code = row.get("code") or ""
            values = [row["values"].get(c) for c in cols]
            if not merged:
                ws.append([row["row"], code or None, row["name"]] + values)
            elif two_sided:
                ws.append([row["row"], row["left"], values[0], row["right"]] + values[1:])
            elif t["key"] == "三公经费表":
                ws.append([row["row"], row["name"]] + values)
            else:
                ws.append([row["row"], code[:3], code[3:5], code[5:7], row["name"]] + values)
        del first_value
    wb.save(path)


def _group(key: str, col: str, two_sided: bool) -> str:
    if two_sided:
        return "收入" if col == "收入预算数" or col == "收入金额" else "支出"
    if key == "收入总表" and col not in ("合计", "上年结转"):
        return "本年收入"
    if key == "基本支出表":
        return "一般公共预算基本支出"
    if key == "三公经费表":
        return "资金性质"
    return col


def _leaf(col: str, two_sided: bool) -> str:
    if two_sided and col.startswith(("收入", "支出")) and col[2:] in ("预算数", "金额", "合计"):
        return col[2:]
    return col


def _merge_runs(ws, row: int, first: int, values: list[str]) -> None:
    start = 0
    for i in range(1, len(values) + 1):
        if i == len(values) or values[i] != values[start]:
            if i - start > 1:
                ws.merge_cells(start_row=row, start_column=first + start, end_row=row, end_column=first + i - 1)
            elif values[start] == _leaf_of_single(values[start]):
                ws.merge_cells(start_row=row, start_column=first + start, end_row=row + 1, end_column=first + start)
            start = i


def _leaf_of_single(v: str) -> str:
    return v if v not in ("收入", "支出", "本年收入", "一般公共预算基本支出", "资金性质") else ""


# --------------------------------------------------------------------------------------- specs


def specs() -> list[Spec]:
    """Departments of other kinds than ../shared holds: 财政局 (一般公共服务), 水利局 (农林水 with
    政府性基金 money), a 事业单位 with 事业收入 (城乡社区), and the 水利局 a year later."""
    finance = Spec(
        code="301",
        department="清苑县财政局",
        year=2023,
        names={
            "201": "一般公共服务支出",
            "20106": "财政事务",
            "208": "社会保障和就业支出",
            "20805": "行政事业单位养老支出",
            "221": "住房保障支出",
            "22102": "住房改革支出",
        },
        leaves=[
            Leaf("2010601", "行政运行", basic=412.36),
            Leaf("2010602", "一般行政管理事务", project=128.50),
            Leaf("2010699", "其他财政事务支出", project=86.14),
            Leaf("2080505", "机关事业单位基本养老保险缴费支出", basic=52.08),
            Leaf("2210201", "住房公积金", basic=31.56),
        ],
        economic=[
            ("30101", "基本工资", 180.20, 0),
            ("30102", "津贴补贴", 120.44, 0),
            ("30108", "机关事业单位基本养老保险缴费", 52.08, 0),
            ("30113", "住房公积金", 31.56, 0),
            ("30201", "办公费", 0, 38.10),
            ("30211", "差旅费", 0, 21.62),
            ("30231", "公务用车运行维护费", 0, 12.00),
            ("30305", "生活补助", 40.00, 0),
        ],
        sanggong={"因公出国（境）费": 0, "公务接待费": 3.20, "公务用车购置费": 0, "公务用车运行费": 12.00},
        change=45.6,
    )
    water = Spec(
        code="322",
        department="满城县水利局",
        year=2022,
        names={
            "213": "农林水支出",
            "21303": "水利",
            "212": "城乡社区支出",
            "21208": "国有土地使用权出让收入安排的支出",
            "208": "社会保障和就业支出",
            "20805": "行政事业单位养老支出",
        },
        leaves=[
            Leaf("2130301", "行政运行", basic=210.40),
            Leaf("2130305", "水利工程建设", project=1520.00),
            Leaf("2130311", "水资源节约管理与保护", project=64.30),
            Leaf("2120803", "城市建设支出", fund=830.00),
            Leaf("2080505", "机关事业单位基本养老保险缴费支出", basic=25.10),
        ],
        economic=[
            ("30101", "基本工资", 120.00, 0),
            ("30107", "绩效工资", 60.30, 0),
            ("30108", "机关事业单位基本养老保险缴费", 25.10, 0),
            ("30201", "办公费", 0, 12.40),
            ("30228", "工会经费", 0, 3.10),
            ("30239", "其他交通费用", 0, 14.60),
        ],
        sanggong={"公务接待费": 1.50, "公务用车运行费": 6.80},
        change=-312.25,
    )
    water_next = Spec(
        code="322",
        department="满城县水利局",
        year=2023,
        names=water.names,
        leaves=[
            Leaf("2130301", "行政运行", basic=218.90),
            Leaf("2130305", "水利工程建设", project=1368.00),
            Leaf("2130311", "水资源节约管理与保护", project=70.00),
            Leaf("2120803", "城市建设支出", fund=600.00),
            Leaf("2080505", "机关事业单位基本养老保险缴费支出", basic=26.40),
        ],
        economic=[
            ("30101", "基本工资", 125.00, 0),
            ("30107", "绩效工资", 62.00, 0),
            ("30108", "机关事业单位基本养老保险缴费", 26.40, 0),
            ("30201", "办公费", 0, 13.00),
            ("30228", "工会经费", 0, 3.30),
            ("30239", "其他交通费用", 0, 15.60),
        ],
        sanggong={"公务接待费": 1.20, "公务用车运行费": 6.00},
        change=-581.30,
    )
    center = Spec(
        code="415",
        department="徐水区城市管理服务中心",
        year=2022,
        unit_kind="事业",
        names={
            "212": "城乡社区支出",
            "21201": "城乡社区管理事务",
            "21205": "城乡社区环境卫生",
            "221": "住房保障支出",
            "22102": "住房改革支出",
        },
        leaves=[
            Leaf("2120104", "城管执法", basic=96.75, shiye=40.00),
            Leaf("2120501", "城乡社区环境卫生", project=355.20, shiye=120.50),
            Leaf("2210201", "住房公积金", basic=11.25),
        ],
        economic=[
            ("30101", "基本工资", 60.00, 0),
            ("30102", "津贴补贴", 22.00, 0),
            ("30113", "住房公积金", 11.25, 0),
            ("30201", "办公费", 0, 9.00),
            ("30205", "水费", 0, 5.75),
        ],
        change=18.4,
    )
    return [finance, water, water_next, center]


def workbook_bomb(path: Path, cells: int, dimension: bytes | None) -> Path:
    """A real workbook (openpyxl's) whose first sheet writes `cells` cells, one a row, and declares
    `dimension` (None: no declaration): a decompression bomb for the workbook bounds."""
    import io
    import re
    import zipfile

    import openpyxl

    buf = io.BytesIO()
    openpyxl.Workbook().save(buf)
    src = zipfile.ZipFile(io.BytesIO(buf.getvalue()))
    rows = b"".join(b'<row r="%d"><c r="A%d"><v>1</v></c></row>' % (i, i) for i in range(1, cells + 1))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for e in src.infolist():
            data = src.read(e.filename)
            if e.filename == "xl/worksheets/sheet1.xml":
                declared = b"" if dimension is None else b'<dimension ref="' + dimension + b'"/>'
                data = re.sub(rb"<dimension [^>]*/>", declared, data)
                data = re.sub(rb"<sheetData>.*</sheetData>|<sheetData/>", b"<sheetData>" + rows + b"</sheetData>", data, flags=re.S)
            z.writestr(e.filename, data)
    return path
