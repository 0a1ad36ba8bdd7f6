"""Who must do what: (unit, duty, span) triples extracted from clause text, unit names normalised.

Pure text -> data. Recognises "X负责…", "X应当…", "由X牵头/确定…", "X会同Y…", "X按照各自职责…", unit lists sharing
one suffix ("公安、教育、文化旅游等部门"), and units a duty points to ("向公安机关报告"). Unit names and their aliases
live in ingest/data/units.txt (网信部门 = 网信办 = 网络安全和信息化部门; 市民政局 = 民政部门 at level 市).
"""
from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path

UNITS_FILE = Path(__file__).resolve().parent / "data" / "units.txt"

# Roles a unit can take in a sentence.
HOLDER = "负责"  # the subject that must act: 网信部门负责… / 由民政部门确定…
PARTNER = "协同"  # acts together with the holder: 会同国家网信部门制定… / 与幼儿园签约结对
CONTACT = "受理"  # the duty points at it: 向公安机关报告 / 向公安机关、人民检察院查询
ROLES = (HOLDER, PARTNER, CONTACT)

# Level prefixes, longest first; kept apart from the canonical unit name.
_LEVELS = (
    "县级以上地方各级人民政府", "县级以上地方人民政府", "县级以上人民政府", "设区的市级以上地方人民政府",
    "省、自治区、直辖市人民政府", "市、区人民政府", "区人民政府", "市人民政府", "县级人民政府", "各级人民政府",
    "县级以上地方各级", "县级以上地方", "上级人民政府", "上级", "当地", "所在地", "国务院", "国家", "省级以上", "省级", "县级以上", "县级", "本市各级", "各级", "市和区", "市、区", "区、县",
    "市级", "区级", "本市", "全市", "市", "区",
)
_LEVEL_NAMES = {
    "国务院": "国家", "国家": "国家", "省级以上": "省级以上", "省级": "省级", "省、自治区、直辖市人民政府": "省级",
    "市、区人民政府": "市、区", "市和区": "市、区", "市、区": "市、区", "区、县": "区", "区人民政府": "区",
    "市人民政府": "市", "市级": "市", "本市": "市", "全市": "市", "市": "市", "区级": "区", "区": "区",
    "县级人民政府": "县级", "县级": "县级", "各级人民政府": "各级", "本市各级": "各级", "各级": "各级",
    "设区的市级以上地方人民政府": "设区的市级以上",
}
_SUFFIX = r"(?:等)?(?:有关|相关|其他有关)?(?:行政主管|行政管理|主管|行政|管理)?(?:部门|机关)"
_SEP = r"(?:、|以及|或者|和|及|与)"
# After a group in subject position, something a duty starts with.
_DUTY_START = re.compile(
    r"(?:应当|应|负责|负有|按照|依照|依据|根据|在各自|会同|牵头|依法|可以|要|须|必须|组织|指导|加强|建立|做好|协助|"
    r"督促|承担|履行|对|定期|及时|统筹|制定|鼓励|支持|推动|推进|开展|设立|配合|共同|与|和|不得|有权|发现|接到|确定|"
    r"实施|监督|提供|将|给予|采取|落实|会商|联合|协调|受理|设置|完善|健全|做|为|是|不|在)"
)
# What may stand before a group that is the subject of its segment.
_SUBJECT_PREFIX = re.compile(
    r"^(?:[^，。；：]*设立的|本市|各级|各|有关|其他|其他有关|相关|并|同时|此外|另外|对此|其中|"
    r"第[一二三四五六七八九十百零〇]+条|（[一二三四五六七八九十]+）|[一二三四五六七八九十]+、|[一二三四五六七八九十]+是)*$"
)
_HOLDER_BEFORE = re.compile(r"(?:由|并由|应当由|均由|统一由|由其)(?:本市|各级)?$")
_PARTNER_BEFORE = re.compile(r"(?:会同|协同|联合|配合|协助|商|与|同|邀请|委托)(?:本市|同级|当地|所在地|辖区)?$")
_CONTACT_BEFORE = re.compile(r"(?:向|报|报请|报经|提请|申请|请求)(?:当地|所在地|本市|同级|有关|其)?(?:的)?$")
# What may follow a unit list before its duty: 以及其他人民团体、有关社会组织，(按照各自职责…)
_TRAILER = re.compile(r"(?:(?:以及|和|及|、|等)(?:其他|有关)?[\u4e00-\u9fff]{0,8}?(?:团体|组织|单位|机构))*")
_ATTRIBUTIVE = re.compile(r"^(?:设立的|的|所属|举办的|主管的)")
_SENTENCE_END = "。；！？\n"
_SEGMENT_END = "。；！？\n，：,;:"


@dataclass(frozen=True)
class Unit:
    """One unit in the dictionary: its canonical name, kind, and the names that mean it."""

    name: str
    category: str
    stems: tuple[str, ...]
    names: tuple[str, ...]


@dataclass
class Duty:
    """A unit's duty as a clause states it; text[start:end] == unit_text, text[duty_start:duty_end] == duty."""

    unit: str  # canonical name: 网信部门
    unit_text: str  # as written: 网信办 / 公安 (inside "公安、教育等部门")
    level: str  # 国家 / 市 / 区 / 县级以上 / … / "" when the text names none
    category: str  # 政府部门 / 司法机关 / 人民政府 / 群团组织 / 基层组织 / 学校和机构 / 议事协调机构
    role: str  # one of ROLES
    duty: str  # the duty phrase, verbatim: 负责统筹协调本市未成年人网络保护和相关监督管理工作
    start: int
    end: int
    duty_start: int
    duty_end: int
    group_text: str = ""  # the whole mention the unit sits in: 公安、教育、文化旅游等部门

    def to_dict(self) -> dict:
        return asdict(self)


@lru_cache(maxsize=4)
def load_units(path: str | None = None) -> tuple[Unit, ...]:
    """Read the unit dictionary (default ingest/data/units.txt); a malformed line raises naming file and line."""
    file = Path(path) if path else UNITS_FILE
    units = []
    for lineno, line in enumerate(file.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        cols = line.split("\t")
        if len(cols) != 4 or not cols[0] or not cols[1]:
            raise ValueError(f"{file}:{lineno}: expected 4 tab-separated columns (canonical, category, stems, names)")
        split = lambda s: tuple(x.strip() for x in s.split(",") if x.strip())  # noqa: E731
        units.append(Unit(cols[0], cols[1], split(cols[2]), split(cols[3])))
    return tuple(units)


@lru_cache(maxsize=4)
def _tables(path: str | None = None):
    """Lookup tables and the mention regex, compiled once per dictionary."""
    units = load_units(path)
    by_stem, by_name, by_canonical = {}, {}, {}
    for u in units:
        by_canonical[u.name] = u
        for s in u.stems:
            by_stem.setdefault(s, u)
        for n in u.names:
            by_name.setdefault(n, u)
    alt = lambda xs: "|".join(re.escape(x) for x in sorted(xs, key=len, reverse=True))  # noqa: E731
    level = f"(?P<level>{alt(_LEVELS)})?"
    stems = f"(?:{alt(by_stem)})"
    names = f"(?:{alt(by_name)})"
    # after a known name, a list may hold functional names the dictionary lacks (公安、应急管理、气象等部门)
    # Known stems first; a free-form name only where no stem is a whole item at this place, and only ending where
    # the list can go on. Without these guards a long list that fails at its end is re-split in every possible
    # way (one 20-unit list took three minutes).
    stem_item = f"(?:{alt(_LEVELS)})?{stems}(?={_SEP}|{_SUFFIX})"
    item = (f"(?:(?:{alt(_LEVELS)})?{stems}|(?!{stem_item})(?:{alt(_LEVELS)})?[\u4e00-\u9fff]{{2,6}}?"
            f"(?={_SEP}|{_SUFFIX}))")
    stem_list = f"(?P<stems>{stems}(?:{_SEP}{item})*){_SUFFIX}"
    mention = re.compile(f"{level}(?:{stem_list}|(?P<name>{names}))")
    stem_re = re.compile(f"(?P<w1>{stems}(?=$|{_SEP}))|(?:{alt(_LEVELS)})(?P<w2>{stems}(?=$|{_SEP}))"
                         f"|(?P<w3>[^、]+?(?=$|、))")
    return by_stem, by_name, by_canonical, mention, stem_re


@dataclass
class _Mention:
    start: int  # the whole mention including the level prefix
    end: int
    level: str
    parts: list  # (Unit, unit_text, start, end)


def _level_name(raw: str | None) -> str:
    """The level a prefix names: 国务院 -> 国家, 本市 -> 市, 县级以上地方人民政府 -> 县级以上."""
    if not raw:
        return ""
    return _LEVEL_NAMES.get(raw, raw.replace("地方", "").replace("各级", "").replace("人民政府", "") or raw)


def _mentions(text: str, path: str | None) -> list[_Mention]:
    """Every unit mention in text, in order; the generic 人民政府有关部门 is skipped."""
    by_stem, by_name, _, mention, stem_re = _tables(path)
    found = []
    for m in mention.finditer(text):
        level = _level_name(m.group("level"))
        end = m.end()
        if m.group("stems"):
            parts = []
            base = m.start("stems")
            pos, stems_text = 0, m.group("stems")
            while pos < len(stems_text):
                sep = re.match(_SEP, stems_text[pos:])
                if sep:
                    pos += sep.end()
                    continue
                s = stem_re.match(stems_text, pos)
                key = next(k for k in ("w1", "w2", "w3") if s.group(k))
                word, word_start = s.group(key), base + s.start(key)
                pos = s.end()
                unit = free_unit(word, path)
                if unit is not None:
                    parts.append((unit, word, word_start, word_start + len(word)))
        else:
            name = m.group("name")
            if name in ("人民政府", "政府"):
                if re.match(r"(?:有关|相关|其他有关|其他)?部门", text[end:]):
                    continue  # 人民政府有关部门: generic, not a named unit
                tail = re.match(r"(?:及其|及|和|或者其)(?:有关|相关|其他有关)?部门", text[end:])
                end += tail.end() if tail else 0  # 人民政府及其有关部门: the government is named
            parts = [(by_name[name], name, m.start("name"), m.end("name"))]
        if parts:
            found.append(_Mention(m.start(), end, level, parts))
    return found


# Words a unit list may hold that name no unit (或者其他有关部门), and what a functional name may end with that does
# not change the unit (房屋管理部门 = 房屋部门, 教育行政部门 = 教育部门).
_NOT_UNITS = frozenset({"其他", "其它", "有关", "相关", "其他有关", "各有关", "上述", "前款", "本级", "同级", "各"})
_FUNCTION_TAIL = re.compile(r"(?:行政管理|行政主管|主管|行政|管理|工作)$")


def unit_key(name: str) -> str:
    """What two names of one unit share: the name without its 部门/机关 suffix, a 管理/行政 tail or 和
    (房屋管理部门 and 房屋部门 -> 房屋; 文化和旅游部门 -> 文化旅游). Two canonical units never share a key."""
    stem = re.sub(r"(?:部门|机关)$", "", name)
    stem = _FUNCTION_TAIL.sub("", stem) or stem
    return stem.replace("和", "")


def free_unit(word: str, units_path: str | None = None) -> Unit | None:
    """The unit a functional name in a list means (公安 -> 公安机关); a name the dictionary lacks becomes
    <name>部门 under the alias rules of unit_key (房屋管理 and 房屋 -> 房屋部门); None for words naming no unit."""
    by_stem, by_name, _, _, _ = _tables(units_path)
    if word in _NOT_UNITS:
        return None
    known = by_stem.get(word) or by_name.get(word + "机关") or by_name.get(word + "部门")
    if known:
        return known
    key = unit_key(word)
    if key in _NOT_UNITS or len(key) < 2:
        return None
    for cand in (key, word.replace("和", "")):
        if cand in by_stem:
            return by_stem[cand]
    return _by_key(units_path).get(key) or Unit(key + "部门", "政府部门", (word,), ())


@lru_cache(maxsize=4)
def _by_key(path: str | None = None) -> dict[str, Unit]:
    """The dictionary's units by unit_key (教育部门 under 教育)."""
    return {unit_key(u.name): u for u in load_units(path)}


def _groups(text: str, mentions: list[_Mention]) -> list[list[_Mention]]:
    """Join mentions separated only by 、/和/及/或者 (a list of units sharing one role)."""
    groups: list[list[_Mention]] = []
    for m in mentions:
        if groups and re.fullmatch(r"(?:、|和|及|及其|以及|或者|或|、以及)", text[groups[-1][-1].end:m.start]):
            groups[-1].append(m)
        else:
            groups.append([m])
    return groups


def _bounds(text: str, pos: int, stops: str) -> tuple[int, int]:
    start = pos
    while start > 0 and text[start - 1] not in stops:
        start -= 1
    end = pos
    while end < len(text) and text[end] not in stops:
        end += 1
    return start, end


def extract_duties(text: str, units_path: str | None = None) -> list[Duty]:
    """All (unit, duty) pairs in text, in order: holders, partners and units a duty points to."""
    if not isinstance(text, str):
        raise TypeError(f"extract_duties: text must be str, not {type(text).__name__}")
    out: list[Duty] = []
    for group in _groups(text, _mentions(text, units_path)):
        g_start, g_end = group[0].start, group[-1].end
        seg_start, seg_end = _bounds(text, g_start, _SEGMENT_END)
        sent_start, sent_end = _bounds(text, g_start, _SENTENCE_END)
        before = text[seg_start:g_start].strip()
        trailer = _TRAILER.match(text, g_end, sent_end).end()
        while trailer < sent_end and text[trailer] in "，, ":
            trailer += 1
        after = text[trailer:sent_end]
        while sent_end < len(text) and text[sent_end] in "。；！？":
            sent_end += 1
        if _HOLDER_BEFORE.search(before):
            role, d_start, d_end = HOLDER, sent_start, sent_end
        elif _SUBJECT_PREFIX.match(before) and _DUTY_START.match(after) and not _ATTRIBUTIVE.match(after):
            role, d_start, d_end = HOLDER, trailer, sent_end
        elif _PARTNER_BEFORE.search(before):
            role, d_start, d_end = PARTNER, g_end, sent_end
        elif _CONTACT_BEFORE.search(before):
            role, d_start, d_end = CONTACT, seg_start, sent_end
        else:
            continue
        while d_start < d_end and text[d_start] in " \t\u3000":
            d_start += 1
        while d_end > d_start and text[d_end - 1] in " \t\u3000\n":
            d_end -= 1
        group_text = text[g_start:g_end]
        for m in group:
            for unit, unit_text, u_start, u_end in m.parts:
                out.append(Duty(unit.name, unit_text, m.level, unit.category, role, text[d_start:d_end],
                                u_start, u_end, d_start, d_end, group_text))
    return out


def normalize_unit(name: str, units_path: str | None = None) -> str | None:
    """The canonical unit a name means (网信办 -> 网信部门, 市民政局 -> 民政部门, 公安 -> 公安机关), or None."""
    name = (name or "").strip()
    by_stem, by_name, by_canonical, mention, _ = _tables(units_path)
    if name in by_canonical:
        return name
    m = mention.fullmatch(name)
    if m:
        if m.group("name"):
            return by_name[m.group("name")].name
        stems = m.group("stems")
        if stems in by_stem:
            return by_stem[stems].name
    for cut in (name, re.sub(r"(?:部门|机关|局|委)$", "", name)):
        cut = re.sub(f"^(?:{'|'.join(map(re.escape, _LEVELS))})", "", cut)
        if cut in by_stem:
            return by_stem[cut].name
        if cut in by_name:
            return by_name[cut].name
    return None


def unit_category(name: str, units_path: str | None = None) -> str:
    """The category of a canonical unit name ('' when it is not in the dictionary)."""
    unit = _tables(units_path)[2].get(name)
    return unit.category if unit else ""
