"""Document metadata from what the text and its path say: dates, issuer, level, region, ids.

Promulgation lines ("2004年11月25日 上海市第十二届人民代表大会常务委员会第十六次会议通过") give adopted / amended /
published / effective dates and the issuer; the folder (…/地方性法规/…, DLC/上海地方法规/…) and the title give
level and region.
"""
from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from ingest.numerals import cn_to_int

DATE_RE = re.compile(r"(\d{4})\s*[年./-]\s*(\d{1,2})\s*[月./-]\s*(\d{1,2})\s*日?")
CN_DATE_RE = re.compile(r"([〇○零一二三四五六七八九]{4})年([一二三四五六七八九十]{1,3})月([一二三四五六七八九十]{1,3})日")
PROMULGATION_RE = re.compile(r"(通过|修正|修订|修改|公布|施行|发布|批准|印发)")
DOC_NUMBER_RE = re.compile(r"(?:(?![以经由和及的于])[\u4e00-\u9fa5]){1,8}[〔\[［【(（]\s*(?:19|20)\d{2}\s*[〕\]］】)）]\s*(?:第\s*)?\d{1,4}\s*号")
ORDER_NUMBER_RE = re.compile(r"(?:中华人民共和国)?[\u4e00-\u9fa5]{1,12}令\s*(?:第\s*)?\d{1,4}\s*号")
ISSUER_END_RE = re.compile(r"(委员会|人民政府|政府|办公厅|办公室|法院|检察院|局|厅|部|委|院|署|会|中心|小组|联合会)$")
FILE_DATE_RE = re.compile(r"[(（]\s*(\d{4}-\d{2}-\d{2})\s*[)）]\s*$")

# Folder names of the shared corpus (and sensible ones for a user's own corpus) -> level.
FOLDER_LEVEL = {
    "宪法": "宪法",
    "宪法相关法": "法律", "民法典": "法律", "民法商法": "法律", "行政法": "法律", "经济法": "法律", "社会法": "法律",
    "刑法": "法律", "诉讼与非诉讼程序法": "法律", "法律": "法律",
    "行政法规": "行政法规", "司法解释": "司法解释", "地方性法规": "地方性法规", "部门规章": "部门规章",
    "地方政府规章": "地方政府规章", "规范性文件": "规范性文件", "工作要点": "工作要点",
    "案例": "其他", "其他": "其他",
}
PROVINCES = (
    "北京", "天津", "上海", "重庆", "河北", "山西", "辽宁", "吉林", "黑龙江", "江苏", "浙江", "安徽", "福建", "江西",
    "山东", "河南", "湖北", "湖南", "广东", "海南", "四川", "贵州", "云南", "陕西", "甘肃", "青海", "台湾",
    "内蒙古", "广西", "西藏", "宁夏", "新疆", "香港", "澳门",
)


@dataclass
class Promulgation:
    """What the promulgation lines of a law say."""

    adopted: str | None = None
    amended: list[str] = field(default_factory=list)
    published: str | None = None
    effective: str | None = None
    issuer: str = ""
    lines: list[str] = field(default_factory=list)


def iso_date(text: str) -> str | None:
    """The first date in `text` as YYYY-MM-DD ('2024年4月2日', '2024-04-10', '二〇二四年四月二日'), or None."""
    m = DATE_RE.search(text)
    if m:
        y, mo, d = (int(g) for g in m.groups())
    else:
        m = CN_DATE_RE.search(text)
        if not m:
            return None
        y = int("".join(str("〇一二三四五六七八九".find(c)) if c not in "○零" else "0" for c in m.group(1)))
        mo, d = cn_to_int(m.group(2)), cn_to_int(m.group(3))
    if not (1 <= mo <= 12 and 1 <= d <= 31 and 1900 <= y <= 2100):
        return None
    return f"{y:04d}-{mo:02d}-{d:02d}"


def is_promulgation_line(line: str) -> bool:
    """A line like '（2004年…会议通过 2022年…修订）' that dates the text rather than being part of it."""
    return bool(iso_date(line)) and bool(PROMULGATION_RE.search(line)) and len(line) < 400 and "第一条" not in line


def _issuer(text: str) -> str:
    """The enacting body named in one promulgation line, without 第X届 / 第X次会议."""
    t = DATE_RE.sub(" ", CN_DATE_RE.sub(" ", text)).strip(" （()）\u3000")
    t = re.split(r"第[\d一二三四五六七八九十百零〇]+次(?:全体)?会议|《|令第|公告|根据", t)[0]
    t = re.sub(r"第[\d一二三四五六七八九十百零〇]+届", "", t)
    t = re.sub(r"^(?:经|由)", "", t.strip()).strip(" ，,")
    t = re.sub(r"(通过|公布|发布|施行|修正|修订|批准)$", "", t)
    if "国务院" in t:
        return "国务院"
    return t if 2 <= len(t) <= 40 and not re.search(r"[，。；]", t) else ""


def normalize_issuer(name: str) -> str:
    """The issuing institution of an organ that adopts on its behalf: 最高人民法院审判委员会 -> 最高人民法院."""
    return re.sub(r"^(最高人民(?:法院|检察院)).*?(?:审判委员会|检察委员会)$", r"\1", name)


def parse_promulgation(lines: list[str]) -> Promulgation:
    """Dates and issuer from promulgation lines (each may hold several dated events). Parts of one line joined by
    '、' are one joint event ('2023年1月3日最高人民法院审判委员会…、2023年3月2日最高人民检察院…通过'): the issuer
    of a joint event lists every body, of the latest event otherwise."""
    out = Promulgation(lines=list(lines))
    issuers: list[tuple[str, list[str]]] = []
    for line in lines:
        # split a line holding several events ('2004年…通过 根据2013年…修正') at each date
        starts = [m.start() for m in DATE_RE.finditer(line)] or [0]
        joint = False
        for i, s in enumerate(starts):
            part = line[s: starts[i + 1] if i + 1 < len(starts) else len(line)]
            date = iso_date(part)
            if not date:
                continue
            if "通过" in part or "批准" in part:
                out.adopted = out.adopted or date
            if re.search(r"修正|修订|修改", part):
                out.amended.append(date)
            if "公布" in part or "发布" in part or "印发" in part:
                out.published = out.published or date
            if "施行" in part:
                out.effective = out.effective or date
            who = normalize_issuer(_issuer(part.rstrip(" 、，,")))
            if who and joint and issuers:
                names = issuers[-1][1]
                issuers[-1] = (max(issuers[-1][0], date), names + [who] * (who not in names))
            elif who:
                issuers.append((date, [who]))
            joint = part.rstrip().endswith("、")
    if issuers:
        out.issuer = "、".join(max(issuers, key=lambda x: x[0])[1])
    return out


def title_issuers(title: str) -> str:
    """The bodies a title names before 关于 ('最高人民法院、最高人民检察院关于…的解释'), each ending like an organ,
    else ''."""
    m = re.match(r"^([\u4e00-\u9fff、]{2,60}?)关于", title)
    if not m:
        return ""
    names = [n for n in m.group(1).split("、") if n]
    ok = all(2 <= len(n) <= 30 and ISSUER_END_RE.search(n) for n in names)
    return "、".join(normalize_issuer(n) for n in names) if names and ok else ""


def inferred_issuer(level: str, title: str, region: str) -> str:
    """The enacting body a level implies when the text does not say: 行政法规 are made by 国务院 (立法法第七十二条);
    a local 条例 of a province or city by its people's congress standing committee; '' otherwise."""
    if level == "行政法规":
        return "国务院"
    if level == "地方性法规" and region != "全国":
        m = re.match(r"^([\u4e00-\u9fff]{2,12}?(?:省|市|自治区|自治州|自治县))", title)
        if m and m.group(1).startswith(region):
            return f"{m.group(1)}人民代表大会常务委员会"
    return ""


STATED_EFFECTIVE_RE = re.compile(r"本(?:法|条例|规定|办法|细则|解释|决定|规则|准则|意见|通知|方案|要点|实施办法|实施细则)"
                                 r"(?:修正案|修订案)?自(.{4,20}?)起(?:施行|实施|生效|执行)")


def stated_effective(body: str, published: str | None) -> str | None:
    """The 施行日期 the text states in its final provisions ('本条例自2015年3月1日起施行'; '自公布之日起施行' is the
    publication date `published`); the last such statement counts. None when the text states none."""
    found = None
    for m in STATED_EFFECTIVE_RE.finditer(body):
        when = m.group(1)
        date = iso_date(when)
        if date:
            found = date
        elif re.search(r"公布|发布|印发|通过", when) and published:
            found = published
    return found


def level_from(path: Path, title: str, issuer: str = "") -> str:
    """Level from the folder names (nearest first), else from the title and issuer."""
    for part in reversed(path.parts[:-1]):
        if part in FOLDER_LEVEL:
            return FOLDER_LEVEL[part]
    if "工作要点" in title:
        return "工作要点"
    if title.endswith("宪法") or "宪法修正案" in title:
        return "宪法"
    if re.match(r"^最高人民(法院|检察院)", title) and re.search(r"解释|规定|批复|决定", title):
        return "司法解释"
    if "人民代表大会" in issuer and not issuer.startswith(("全国", "中华人民共和国")):
        return "地方性法规"
    if re.search(r"法$", title) or "全国人民代表大会" in issuer:
        return "法律"
    if title.endswith("条例") and (issuer == "国务院" or region_from(path, title) == "全国"):
        return "行政法规"
    if re.search(r"(条例|规定|办法|细则)$", title) and region_from(path, title) != "全国":
        return "地方性法规" if "人民代表大会" in issuer or title.endswith("条例") else "地方政府规章"
    if re.search(r"通知|意见|方案|办法|规定|指引|导则|规范|计划", title):
        return "规范性文件"
    return "其他"


def region_from(path: Path, title: str) -> str:
    """'上海' for …/上海地方法规/… or a title starting 上海市…, '全国' for national texts."""
    for part in path.parts[:-1]:
        m = re.match(r"^(.+?)地方法规$", part)
        if m and m.group(1) in PROVINCES:
            return m.group(1)
    head = re.sub(r"^\d{4}年(度)?", "", title)
    for name in PROVINCES:
        if head.startswith(name):
            return name
    return "全国"


def file_date(path: Path) -> str | None:
    """The version date in a file name like '上海市未成年人保护条例(2024-12-31).md'."""
    m = FILE_DATE_RE.search(path.stem)
    return m.group(1) if m else None


def title_from_filename(path: Path) -> str:
    """The file stem without a trailing '(2024-12-31)' date."""
    return FILE_DATE_RE.sub("", path.stem).strip() or path.stem


def content_hash(body: str) -> str:
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def norm_title(title: str) -> str:
    """Title key for grouping versions: NFKC, no white space, no 《》."""
    return re.sub(r"[\s《》]", "", unicodedata.normalize("NFKC", title))


def doc_id(title: str, version_date: str | None, body_hash: str) -> str:
    """'<title>@<version date>' or '<title>@<hash8>' — readable, stable, safe in URLs ('/', '#', '?', spaces removed)."""
    safe = re.sub(r"[\s/#?%\\]+", "_", title.strip()) or "untitled"
    return f"{safe}@{version_date or body_hash[:8]}"


def doc_number_in(lines: list[str]) -> str:
    """A 文号 such as 劳社部发[2008]3号 / 沪未保委〔2024〕1 号 standing in metadata lines, else the last order
    number (国务院令第649号: the order that promulgated this version), else ''."""
    for line in lines:
        m = DOC_NUMBER_RE.search(line)
        if m:
            return m.group(0)
    orders = [m.group(0) for line in lines for m in ORDER_NUMBER_RE.finditer(line)]
    return re.sub(r"^中华人民共和国", "", orders[-1]) if orders else ""


def doc_number_line(lines: list[str]) -> str:
    """A 文号 printed on a line of its own in a text's header ('法释〔2023〕3号'), else ''."""
    for line in lines:
        m = DOC_NUMBER_RE.fullmatch(line.strip())
        if m:
            return m.group(0)
    return ""
