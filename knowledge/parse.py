"""Question → Query: intent, year, department, code and the subject terms, with scores.

No LLM: the question is normalised (`numbers.normalize`), the year, department and 科目编码 are
pulled out, the intent is read from its cue words, and the rest is matched against the
vocabulary (exact first, then loose). Nothing here reads the knowledge base.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from loaders import subjects
from loaders.template import BODY_SUFFIXES

from .numbers import as_of_year, find_year, normalize
from .places import place_in
from .vocabulary import Match, Vocabulary, canon

CODE = re.compile(r"(?<!\d)(\d{7}|\d{5}|\d{3})(?!\d)")

INTENTS: list[tuple[str, re.Pattern[str]]] = [
    ("share", re.compile(r"占.{0,12}(比例|比重|百分比|百分之|多少|几成|%)|比例|比重|占比|百分比")),
    ("change", re.compile(r"比上年|较上年|与上年|比去年|较去年|同比|增减|增长|下降|减少|增加|变化|变动|多了多少|少了多少|上升|多还是少|增还是减|涨还是降|升还是降")),
    ("top", re.compile(r"最多|最大|最高|最贵|排第一|第一多|哪.{0,4}最(?!少|小|低)|哪个.{0,10}(更)?(多|高|大)$")),
    ("bottom", re.compile(r"最少|最小|最低|最便宜|哪个.{0,10}(更)?(少|低|小)$")),
    ("list", re.compile(r"有哪些|哪些|包括|包含|明细|构成|组成|分别|都有什么|列出|清单")),
    (
        "definition",
        re.compile(r"是什么意思|什么意思|什么是|什么叫|啥是|何为|是指什么|指什么|指的是|啥意思|含义|意思|解释|定义|名词|是什么"),
    ),
]
DESCRIBE = [
    ("duties", re.compile(r"职责|职能|负责什么|干什么|做什么")),
    ("units", re.compile(r"机构设置|下属单位|所属单位|内设机构|机构|单位性质|单位规格|经费保障形式|什么性质|性质的单位|什么级别")),
    ("performance", re.compile(r"绩效目标|绩效指标|绩效(?!工资)")),
    ("procurement", re.compile(r"采购.{0,6}(什么|哪些|内容|项目|明细)|买什么")),
    ("assets", re.compile(r"资产.{0,4}(情况|有哪些|明细)")),
    ("definitions", re.compile(r"名词解释(有哪些|都有|包括)|有哪些名词|哪些术语")),
    ("income", re.compile(r"收入来源|收入构成|收入结构|资金来源|钱从哪")),
    ("spending", re.compile(r"支出结构|支出构成|钱花在哪|花在哪|用在哪")),
]
ALL_DEPARTMENTS = re.compile(
    r"哪(?:个|一个|家|些)(?:部门|单位)|各(?:个)?(?:部门|单位)|所有部门|每个部门|全部部门|部门之间|(?:部门|单位)(?:是|为)?哪(?:个|一个|家)"
)
COUNT = re.compile(r"几辆|几台|多少辆|多少台|几个|有几|多少个|多少人|多少户|数量|平方米|面积|多大|[辆台人户个]数")
_BODY = "(?:" + "|".join(BODY_SUFFIXES) + ")"
# A suffix that is a word's first character is no body's end: 部门, 部分, 办公费, 所有/所以/所属 (列出所有部门);
# 局 and 厅 end a body's name whatever follows (北京市数据局支出总计, 教育厅经费)
NOT_A_BODY_END = r"(?!门|分|(?<![局厅])[\u4e00-\u9fff]{0,1}(?:费|支出|经费|事务|管理|建设|运行|服务)|(?<=所)[有以在属需得谓])"
PLACE_MENTION = re.compile(
    r"([\u4e00-\u9fff]{2,4}?[省市县区])(?:(?!哪|各|每|所有|全部)[\u4e00-\u9fff]){0,10}?"
    + _BODY
    + NOT_A_BODY_END
)
# A body named without a place: 省委办公厅, 实验小学, 万里街道, 第126局, ABC局 (not 这个局, 本部门, 我们单位,
# nor 部门政府 of 哪个部门政府采购最多: 部门 and 单位 are any body, never part of one's name)
DEPT_MENTION = re.compile(
    r"(?<![这该本此哪各每全])(?:(?!这个|该|本|我们|你们|哪|各|每|全|所有|部门|单位)[\u4e00-\u9fffA-Za-z0-9]){2,10}?"
    + _BODY
    + NOT_A_BODY_END
)
# The unit a question asks in: a figure in another unit (万元 for 多少场) never answers it.
PERCENT_ASKED = re.compile(r"百分之几|百分比|百分点|比例|比重|占比|增长率|增幅|降幅|增速|几成|%")
COUNT_ASKED = re.compile(
    r"(?:多少|几)(人次|场次|场|个|人|户|次|辆|台|公里|千米|所|名|项|件|套|平方米|亩|天|小时|家|册|本|篇|期|批|条|份|座|间)"
    r"|(?<=[车辆])(辆)数|(台)数(?!据)|(?<=[员工职学生])(人)数|(户)数"  # 车辆数, 台数, 学生人数, 户数: a count, never 万元
)
# Which figure of a 决算 a question asks for; the words are taken out before subjects are matched.
STAGES = [
    ("年初预算", re.compile(r"年初预算(?:数)?|年初安排")),
    ("全年预算", re.compile(r"全年预算(?:数)?|调整(?:后)?预算")),
    ("决算数", re.compile(r"实际(?:支出|花了|花费|开支)?(?=.*支出)|实际|决算数|决算(?=.{0,6}(?:支出|收入|多少|是)|\s*[)）]?\s*[?？]?$)")),
]
QUESTION_WORDS = re.compile(r"是多少|有多少|多少钱|多少|是什么|吗|呢|啊|\s+|[?？,，。]|[是的为了]+$")
SPENDING_ONLY = re.compile(r"(花|支出|用|开支|预算).{0,4}多少|多少钱")
# 哪个部门支出最多, 哪个单位花钱最少: the whole budget of each, ranked
# spending ranked or compared, with no subject: 支出最多, 花钱最少, 哪个支出多, 支出哪个更多 (not 支出多少)
SPENDING_RANKED = re.compile(
    r"(?:花钱|花|支出|开支|用钱)(?:的|哪个|哪家)?(?:最|更|比较|较)?(?:多|少|大|小|高|低)(?!少)|(?:最多|最少)的?(?:花钱|支出)"
)
NARRATIVE_WORDS = re.compile(r"情况说明|说明里|文字说明")


@dataclass
class Query:
    question: str
    text: str
    intent: str = "figure"
    describe: str | None = None
    year: int | None = None
    years: list[int] = field(default_factory=list)
    departments: list[str] = field(default_factory=list)
    department_mentions: int = 0  # how many body names the question used
    place: str | None = None  # a place named without a body: 曲阳县哪个部门…
    unloaded_place: str | None = None  # such a place where no loaded body is
    all_departments: bool = False
    code: str | None = None
    matches: list[Match] = field(default_factory=list)
    count: bool = False
    unknown_department: str | None = None
    department_guesses: list[str] = field(default_factory=list)
    narrative_only: bool = False
    fiscal_scope: bool = False  # the question names 财政拨款 / 一般公共预算 itself
    as_of: int | None = None  # 截至2022年底: the year of a date inside a document
    says_budget: bool = False  # 预算 as a stage (not 一般公共预算, 预算单位): in a 决算 it is the 年初预算
    unit_asked: str | None = None  # % or a count unit (场, 个, 人次 …) the question asks in; None: any
    stage: str | None = None  # 决算数 (实际支出), 年初预算 or 全年预算: which figure of a 决算 is asked
    subject_text: str = ""
    match_text: str = ""  # the text `matches` positions refer to
    operation: str | None = None  # per_month, per_quarter, more, less, sum, difference
    unexplained: list[str] = field(default_factory=list)  # words right after a subject that narrow it (扶贫|车间)  # what the question asks about, without body, year, stage and question words

    def terms(self, kind: str) -> list[str]:
        out = []
        for m in self.matches:
            for t in m.terms:
                if t.kind == kind and t.canonical not in out:
                    out.append(t.canonical)
        return out

    def reading(self) -> dict[str, Any]:
        """What the question was read as, without the empty parts: the trace an answer carries."""
        said: dict[str, Any] = {
            "intent": self.intent,
            "describe": self.describe,
            "year": self.year,
            "years": self.years if len(self.years) > 1 else None,
            "stage": self.stage,
            "bodies": self.departments[:5] or None,
            "all_bodies": self.all_departments or None,
            "place": self.place,
            "code": self.code,
            "subjects": [m.surface for m in self.matches] or None,
            "operation": self.operation,
            "unit_asked": self.unit_asked,
            "left_over": self.unexplained or None,
        }
        return {k: v for k, v in said.items() if v is not None}

    @property
    def fuzzy(self) -> bool:
        return any(m.score < 100 for m in self.matches)


MAX_QUESTION = 500  # characters; a longer message is not one question, and is refused, not cut


def clean(question: object) -> str:
    """Any message as text the engine can read and every front can print: lone surrogates (bytes
    that were not UTF-8) become U+FFFD, control characters (NUL…) become spaces."""
    text = question if isinstance(question, str) else str(question or "")
    text = text.encode("utf-8", errors="replace").decode("utf-8")
    return "".join(" " if (ch < " " and ch not in "\t\n") or ch == "\x7f" else ch for ch in text)


def parse(question: str, vocab: Vocabulary, newest_year: int | None = None) -> Query:
    """A question read in steps, each taking what it reads out of the text left: years, the body
    or place, a 科目 code, what is asked (describe, intent, unit, stage), then the subjects."""
    text = normalize(question)
    q = Query(question=question, text=text)
    q.as_of = as_of_year(text)
    q.says_budget = "预算" in re.sub(r"一般公共预算|政府性基金预算|国有资本经营预算|预算单位|预算执行|执行率", "", text)
    rest = _read_years(q, text, newest_year)
    rest = _read_body(q, rest, vocab)
    rest = _read_code(q, rest)
    _read_kind(q, rest)
    rest = _read_stage(q, rest)
    _read_subjects(q, rest, vocab)
    return q


def _read_years(q: Query, text: str, newest_year: int | None) -> str:
    year, rest = find_year(text, newest_year)
    q.year = year
    if year is not None:  # a second year: 2023年比2022年…
        other, rest = find_year(rest, newest_year)
        q.years = [year] + ([other] if other is not None and other != year else [])
    return rest


def _read_body(q: Query, rest: str, vocab: Vocabulary) -> str:
    """The bodies named; else the place, and a body named that is not loaded (with guesses)."""
    q.departments, rest, q.department_mentions = vocab.find_department(rest)
    if not q.departments:
        q.place = vocab.find_place(rest)
        place = PLACE_MENTION.search(rest) or _body_mention(rest, vocab)
        if place and not any(w in place.group(0) for w in ("结转", "支出", "收入", "经费")):
            q.unknown_department = place.group(0)
            q.department_guesses = vocab.guess_department(place.group(0))
        form = vocab.place_form(rest) if q.place else None
        if form and not q.unknown_department:
            rest = rest.replace(form, " ", 1)  # 无锡市哪个部门…: the place is where, never what (无锡市第…)
    q.all_departments = bool(ALL_DEPARTMENTS.search(rest))
    if q.all_departments and not q.departments and not q.place:
        q.unloaded_place = place_in(rest)  # 曲阳县哪个部门…, with no body of 曲阳县 loaded
    return rest


def _read_code(q: Query, rest: str) -> str:
    code = CODE.search(rest)
    if code is None:
        return rest
    q.code = code.group(1)
    return rest[: code.start()] + " " + rest[code.end() :]


def _read_kind(q: Query, rest: str) -> None:
    """What is asked: a description, the intent, a count or a unit, narrative only, a fund's scope."""
    q.describe = next((name for name, pattern in DESCRIBE if pattern.search(rest)), None)
    q.intent = next((name for name, pattern in INTENTS if pattern.search(rest)), q.intent)
    if len(q.years) == 2 and q.intent == "figure" and YEARS_APART.search(q.text):
        q.intent = "change"  # 2023年比2025年项目支出多多少: the difference between the two years
    q.count = bool(COUNT.search(rest))
    unit = PERCENT_ASKED.search(rest) or COUNT_ASKED.search(rest)
    if unit:
        q.unit_asked = "%" if unit.re is PERCENT_ASKED else next(g for g in unit.groups() if g)
    q.narrative_only = bool(NARRATIVE_WORDS.search(rest))
    q.fiscal_scope = "财政拨款" in rest or "一般公共预算" in rest
    q.operation = next((name for name, pattern in OPERATIONS if pattern.search(q.text)), None)


def _read_stage(q: Query, rest: str) -> str:
    for stage, pattern in STAGES:
        if pattern.search(rest):
            q.stage = stage
            return pattern.sub("", rest)
    return rest


def _read_subjects(q: Query, rest: str, vocab: Vocabulary) -> None:
    """The subjects in what is left, the words that narrow them unexplained, and the whole budget
    for 一年花多少钱."""
    q.subject_text = QUESTION_WORDS.sub("", rest).strip().rstrip("是的为了")  # 行政运行的（年初预算）是多少
    q.match_text = CUE_WORDS.sub(" ", rest)
    q.matches = _scoped(_subjects(rest, vocab), q.match_text, q.intent)
    q.unexplained = [w for w, found in _narrowed(q) if not _variant(w, found, vocab)]
    spending = SPENDING_ONLY.search(rest) if q.intent == "figure" else SPENDING_RANKED.search(rest) if q.intent in ("top", "bottom") else None
    if not q.matches and not q.code and spending and _only_filler(rest, vocab):
        total = vocab.terms.get("支出总计")  # 一年花多少钱, 一共预算多少钱: the whole budget
        if total:
            q.matches = [Match("支出总计", 0, 0, total, score=90)]


# A whole and the measures it is made of: "基本支出中人员经费" asks for the 人员经费 (the 基本支出
# only says where it is), never for the 基本支出.
PARTS_OF = {canon(s.name): {canon(p) for p in subjects.within(s.name)} for s in subjects.catalogue().values() if s.parts}
INSIDE = re.compile(r"\s*(?:中|中的|里|里的|里面的?|当中的?|之中的?|其中的?)\s*")


# A fund named to say whose money (财政拨款安排的行政运行, 一般公共预算拨款的培训支出): the fund is the
# question's scope (fiscal_scope), the subject is what follows.
FUND_SCOPE = re.compile(r"\s*(?:安排的?|拨款安排的?|拨款的|资金安排的?|的|中的?)\s*")
FUNDS = ("财政拨款", "一般公共预算", "一般公共预算拨款", "政府性基金", "政府性基金预算")


def _scoped(matches: list[Match], text: str, intent: str) -> list[Match]:
    """Drop a whole named only to scope one of its parts (基本支出中的人员经费 → 人员经费), and a fund
    named only to say whose money the subject after it is."""
    if intent not in ("figure", "change") or len(matches) < 2:
        return matches
    out = list(matches)
    for whole, part in zip(matches, matches[1:], strict=False):
        if whole.surface in FUNDS and whole.end > whole.start and FUND_SCOPE.fullmatch(text[whole.end : part.start]):
            out.remove(whole)
            continue
        parts = set().union(*(PARTS_OF.get(t.canonical, set()) for t in whole.terms))
        if (
            whole.end > whole.start
            and INSIDE.fullmatch(text[whole.end : part.start])
            and any(t.kind in ("measure", "row", "fact") and t.canonical in parts for t in part.terms)
        ):
            out.remove(whole)
    return out


CUE_WORDS = re.compile(
    r"是什么意思|什么意思|什么是|是指什么|指什么|含义|解释|定义|名词解释|名词|是什么|有哪些|哪些|包括|包含|明细|"
    r"最多|最大|最高|最少|最小|最低|比例|比重|占比|百分比|比上年|较上年|与上年|同比|增减|增长|下降|减少|增加|什么叫|啥是|何为|指的是|"
    r"变化|变动|哪个部门|各部门|哪一项|哪项|哪个|多少|情况说明|是多少"
)


FILLER = {"一", "全", "一年", "全年", "一共", "总共", "这个局", "这个部门", "局里", "单位", "我们", "这个单位", "共"}


def _body_mention(text: str, vocab: Vocabulary) -> re.Match[str] | None:
    """A body the question names that is not loaded; a budget item that ends like a body (综合医院,
    公立医院, 人大会议) is known to the vocabulary and is no body."""
    for m in DEPT_MENTION.finditer(text):
        word = m.group(0)
        if not any(word.endswith(t) or t.endswith(word) for t in vocab.terms if len(t) >= 3 and t[-2:] == word[-2:]):
            return m
    return None


def _only_filler(text: str, vocab: Vocabulary) -> bool:
    """Nothing but filler around the money words (一年花多少钱), so the whole budget is meant;
    not 今天我花了多少钱."""
    rest = re.sub(r"花钱|花|支出|用|开支|预算|多少钱|多少|[最更较]?[多少]|[最更][大小高低]|[这该本此]个?(局|部门|单位)|[()（）]", " ", CUE_WORDS.sub(" ", text))
    for name, pattern in OPERATIONS:
        if name.startswith("per_"):  # 每月平均花多少钱: the whole budget, divided
            rest = pattern.sub(" ", rest)
    rest = rest.replace("平均", " ")
    return all(span in FILLER for span in vocab.content_spans(rest))


def _subjects(text: str, vocab: Vocabulary) -> list[Match]:
    """Vocabulary terms in the question: exact ones, then loose matches for what is left."""
    text = CUE_WORDS.sub(" ", text)
    exact = _sound_over_exact(vocab.scan(text), text, vocab)
    leftover = text
    for m in sorted(exact, key=lambda m: m.start, reverse=True):
        leftover = leftover[: m.start] + " " + leftover[m.end :]
    found = [m for m in exact if not _weak(m)]
    for m in vocab.by_sound(leftover):  # 基本值出, 公务接代费: typed by sound
        found.append(m)
        leftover = leftover[: m.start] + " " * (m.end - m.start) + leftover[m.end :]
    for span in vocab.content_spans(leftover):
        if len(span) < 2:
            continue
        loose = vocab.fuzzy(span)
        if loose is not None:
            found.append(loose)
    named = [m for m in found if m.surface not in TOTAL_WORDS]
    if named and len(named) < len(found):
        found = named  # 政府采购预算合计: the total of what is named, not the table's 合计 row
    ends = {m.end for m in found}
    found = [m for m in found if not (m.surface in GENERIC_TAILS and m.start in ends)]  # 城管执法支出预算
    return found


def _sound_over_exact(exact: list[Match], text: str, vocab: Vocabulary) -> list[Match]:
    """A term typed by sound whose first characters are a term of their own (项目知出: 项目 is one):
    the longer term heard over the whole span wins over the part read exactly, and is said back."""
    covered = "".join(" " if any(m.start <= i < m.end for m in exact) else ch for i, ch in enumerate(text))
    if not exact or not re.search(r"[\u4e00-\u9fff]", covered):
        return exact
    for heard in vocab.by_sound(text):
        inside = [m for m in exact if heard.start <= m.start and m.end <= heard.end]
        crossing = [m for m in exact if m not in inside and m.start < heard.end and heard.start < m.end]
        if inside and not crossing and heard.end - heard.start > max(m.end - m.start for m in inside):
            exact = sorted([m for m in exact if m not in inside] + [heard], key=lambda m: m.start)
    return exact


TOTAL_WORDS = {"合计", "总计", "小计"}
# Two years compared by how much one is over the other (the years themselves are taken out of the
# text the intents read, so this reads the whole question).
YEARS_APART = re.compile(r"(?:19|20)\d{2}年.{0,16}?比.{0,16}?(?:19|20)\d{2}年.{0,16}?(?:多|少|高|低)了?多少")
# Arithmetic people ask for over the figures they name.
OPERATIONS = [
    ("per_month", re.compile(r"每个?月|月均|平均每月|平均一个月|一个月")),
    ("per_quarter", re.compile(r"每个?季度|季均|平均每季度|一个季度")),
    ("more", re.compile(r"哪(?:个|项|一?年)(?:更)?多|谁(?:更)?多|哪(?:个|一?年)(?:更)?(?:高|大)")),
    ("less", re.compile(r"哪(?:个|项|一?年)(?:更)?少|谁(?:更)?少|哪(?:个|一?年)(?:更)?(?:低|小)")),
    ("difference", re.compile(r"相差|差多少|差额|差距|比(?!上年|去年|前年|\d).{1,12}?(?:多|少)了?多少")),
    ("sum", re.compile(r"一共|合计|加起来|总共|共计|加在一起")),
    ("execution", re.compile(r"执行率|执行了?(?:多少|百分之几|几成)|完成了?(?:年初)?预算的?(?:多少|百分之几|几成)|预算完成率|完成率")),
]
# What may follow a subject without narrowing it (项目支出|预算, 办公费|多少, 扶贫|资金 …).
FREE_TAILS = (
    "的", "是", "多", "少", "有", "预算", "支出", "经费", "一共", "总共", "合计", "总额", "金额", "安排", "花", "了", "和", "与",
    "及", "跟", "占", "比", "中", "里", "在", "为", "共", "数", "情况", "几", "怎", "具体", "大概", "一年", "全年", "每", "平均",
    "月", "季", "哪", "呢", "吗", "啊", "呀", "都", "还", "要", "用", "拨款", "资金", "实际", "年初", "决算", "收入", "费用",
    "开支", "分别", "各", "加", "相", "差", "这", "那", "指", "什么", "包括", "包含", "定义", "意思", "解释", "含义", "项", "栏",
    "标准", "目标", "指标", "科目", "本", "今", "去", "明", "上", "下", "同", "较", "增", "减", "变", "一", "二", "三", "四",
    "交", "缴", "总", "发", "给", "付", "拿", "领", "报", "算", "费", "金", "款", "钱", "面积", "价值", "数量", "台", "辆",
    "平方", "多大", "完成", "执行",
)
# Words that, right after a subject, only say what kind of figure it is (城管执法|支出预算).
GENERIC_TAILS = {"支出预算", "预算支出", "支出", "预算", "经费"}


def _narrowed(q: Query) -> list[tuple[str, str]]:
    """A subject followed at once by words that narrow it (扶贫车间, 会议费标准化…): the figure of the
    broader subject would not answer it."""
    out = []
    for m in q.matches:
        if m.end - m.start < 2 or m.score < 100 or any(t.kind == "indicator" for t in m.terms):
            continue
        run = re.match(r"[\u4e00-\u9fff]+", q.match_text[m.end :])
        if run and any(o.start == m.end and o.end - o.start >= 2 for o in q.matches):
            continue  # another subject follows at once (政府性基金|基本支出): it does not narrow this one
        if run and not run.group().startswith(FREE_TAILS):
            out.append((q.match_text[m.start : m.end] + run.group()[:2], q.match_text[m.start : m.end]))
    return out


def _variant(word: str, found: str, vocab: Vocabulary) -> bool:
    """项目支处 (a typo of 项目支出), 公车运行费 (公车运行…): the word is closer to a longer known
    name than the part that was found — a variant of it, not a narrower subject."""
    close = vocab.fuzzy(word)
    return close is not None and len(close.surface) > len(found)


def _weak(m: Match) -> bool:
    """Single characters (车) count only as synonyms; they are never matched loosely."""
    return len(m.surface) < 1
