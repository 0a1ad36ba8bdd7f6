"""The HTTP contract as pydantic models: what each endpoint accepts (validated by flask-openapi3 before the view
runs) and what it answers (the OpenAPI document at /openapi.json is generated from these, nothing is hand-written).

Bounds that are settings (Config.max_query_chars, Config.max_top_k) are read from the app's Config when a request
is validated and written into the served document by search_app.openapi; the rest are fixed limits of the API.
"""
from __future__ import annotations

import copy
import re
from functools import lru_cache
from typing import Annotated, Any, Literal, Optional

from flask import current_app
from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, WithJsonSchema, field_validator

from index.hit import Filters
from index.ranking.ranker import MODES
from ingest.model import LEVELS
from ingest.validity import STATUSES
from search_app.listing import BASIS_SORTS, DOCUMENT_SORTS, SEARCH_SORTS

DEFAULT_TOP_K = 10
MAX_PAGE_SIZE = 100  # /api/documents?limit=…
MAX_FILTER_VALUES = 20  # repeated level=/region=/issuer= values
MAX_FILTER_CHARS = 100  # one issuer/region value
MAX_CLAUSE_IDS = 16
MAX_CLAUSE_ID_CHARS = 300
MAX_UNIT_NAME_CHARS = 40
MAX_TOPIC_CHARS = 100
MAX_DUTIES_PAGE = 200
MAX_OFFSET = 10_000_000

# Free text: at least one visible character, no NUL (blank is "missing", not an empty search).
TEXT_PATTERN = r"^[^\x00]*[^\s\x00][^\x00]*$"
OPTIONAL_TEXT_PATTERN = r"^[^\x00]*$"
_FLAGS = {"1": True, "true": True, "0": False, "false": False}


def settings():
    """The policykb Config of the app serving the current request."""
    return current_app.config["POLICYKB"]


def _flag(value: Any) -> Any:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in _FLAGS:
        return _FLAGS[value.strip().lower()]
    raise ValueError("应为 1/0 或 true/false")


def _split(values: Any) -> Any:
    """level=法律,地方性法规 means level=法律&level=地方性法规 (either comma)."""
    if isinstance(values, str):
        values = [values]
    if isinstance(values, list):
        return [part for v in values for part in (re.split(r"[,，]", v) if isinstance(v, str) else [v])]
    return values


def _int_text(value: Any) -> Any:
    """A query-string integer is digits only (no spaces or signs pydantic would forgive, such as U+0085)."""
    if isinstance(value, str) and not re.fullmatch(r"-?[0-9]+", value):
        raise ValueError(f"应为整数，收到 {value[:20]!r}")
    return value


QueryInt = Annotated[int, BeforeValidator(_int_text)]

# Free text is checked as sent (so the bounds are the ones the OpenAPI document states), then stripped.
Stripped = Annotated[str, AfterValidator(str.strip)]

Flag = Annotated[bool, BeforeValidator(_flag),
                 WithJsonSchema({"type": "string", "enum": ["0", "1", "true", "false"]})]
# A bound compared with the documents' ISO dates as text, so 2024-02-31 is a usable bound, 2024-13-01 is not.
IsoDate = Annotated[str, Field(pattern=r"^(\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01]))?$",
                               description="YYYY-MM-DD（可留空）")]
FilterValue = Annotated[str, Field(max_length=MAX_FILTER_CHARS, pattern=OPTIONAL_TEXT_PATTERN)]


# ---- requests ---------------------------------------------------------------------------------------------------

@lru_cache(maxsize=256)
def _json_schema(model: type[BaseModel], args: tuple, kwargs: frozenset) -> dict:
    return BaseModel.model_json_schema.__func__(model, *args, **dict(kwargs))


class Input(BaseModel):
    """A request model. flask-openapi3 asks for the model's JSON schema on every request it validates (several ms
    of a search); a class's schema never changes, so it is built once and handed out as a copy."""

    @classmethod
    def model_json_schema(cls, *args, **kwargs) -> dict:
        return copy.deepcopy(_json_schema(cls, args, frozenset(kwargs.items())))


class FilterQuery(Input):
    """Filters shared by search, ask, basis and the document list (repeat a parameter for several values)."""

    model_config = ConfigDict(extra="ignore")

    level: Annotated[list[Literal[LEVELS]], BeforeValidator(_split)] = Field(default_factory=list, max_length=MAX_FILTER_VALUES,  # type: ignore[valid-type]
                                          description="文件层级，可重复")
    region: Annotated[list[FilterValue], BeforeValidator(_split)] = Field(default_factory=list, max_length=MAX_FILTER_VALUES, description="地区，可重复")
    issuer: Annotated[list[FilterValue], BeforeValidator(_split)] = Field(default_factory=list, max_length=MAX_FILTER_VALUES,
                                      description="发布机构（部分匹配），可重复")
    date_from: IsoDate = Field("", description="版本日期不早于（YYYY-MM-DD；晚于 date_to 时结果为空）")
    date_to: IsoDate = Field("", description="版本日期不晚于（YYYY-MM-DD）")
    superseded: Flag = Field("0", validate_default=True, description="是否包括已修订的旧版本")
    validity: Annotated[list[Literal[STATUSES]], BeforeValidator(_split)] = Field(default_factory=list, max_length=MAX_FILTER_VALUES,  # type: ignore[valid-type]
                                               description="时效性（给出时取代「仅现行版本」），可重复")

    def filters(self) -> Filters:
        """The index Filters these parameters describe (blank values dropped, duplicates removed)."""
        def uniq(values):
            return tuple(dict.fromkeys(v.strip() for v in values if v.strip()))

        return Filters(levels=uniq(self.level), regions=uniq(self.region), issuers=uniq(self.issuer),
                       date_from=self.date_from or None, date_to=self.date_to or None, include_superseded=self.superseded,
                       validity=uniq(self.validity))


class TopK(Input):
    k: QueryInt = Field(DEFAULT_TOP_K, ge=1, description="结果数，1 到 Config.max_top_k（POLICYKB_MAX_TOP_K）")

    @field_validator("k")
    @classmethod
    def _at_most_max_top_k(cls, k: int) -> int:
        high = settings().max_top_k
        if k > high:
            raise ValueError(f"应在 1 到 {high} 之间")
        return k

    def top_k(self) -> int:
        """k, or the default bounded by Config.max_top_k when k was not given."""
        return min(self.k, settings().max_top_k)


class Paging(Input):
    """A page of a ranked list: results offset+1 … offset+k of the query's pool (Config.result_pool)."""

    offset: QueryInt = Field(0, ge=0, description="从第几个结果起（从 0 数），不超过 Config.result_pool（POLICYKB_RESULT_POOL）")

    @field_validator("offset")
    @classmethod
    def _within_the_pool(cls, offset: int) -> int:
        high = settings().result_pool
        if offset > high:
            raise ValueError(f"应在 0 到 {high} 之间")
        return offset


SearchSort = Annotated[Literal[SEARCH_SORTS], Field(  # type: ignore[valid-type]
    description="relevance（相关度，默认）、date（文件日期，新→旧，无日期在后）或 level（文件层级，同层级按相关度）")]
BasisSort = Annotated[Literal[BASIS_SORTS], Field(  # type: ignore[valid-type]
    description="level（文件层级，默认；同一层级内规定最明确者在前）、relevance（相关度）或 date（新→旧）；明确规定的文件总在前")]
DocumentSort = Annotated[Literal[DOCUMENT_SORTS], Field(  # type: ignore[valid-type]
    description="level（文件层级，再按标题，默认）、date（新→旧，无日期在后）或 title（标题）")]


def _blank_sort(v: Any, default: str) -> Any:
    """A sort the form sent empty means the default."""
    return default if isinstance(v, str) and not v.strip() else v


class SearchQuery(FilterQuery, TopK):
    """/api/search, /api/ask: the question (at most Config.max_query_chars characters), k, mode and filters."""

    q: Stripped = Field(pattern=TEXT_PATTERN, description="问题或关键词（不超过 Config.max_query_chars 个字）")
    mode: Literal[MODES] = Field("best", description="best（推荐）、hybrid、bm25 或 dense")  # type: ignore[valid-type]


class SearchListQuery(SearchQuery, Paging):
    """/api/search: a page of the ranked clauses, sorted."""

    sort: SearchSort = SEARCH_SORTS[0]


class BasisQuery(FilterQuery, TopK, Paging):
    """/api/basis: which documents mandate…, a page of them, sorted."""

    q: Stripped = Field(pattern=TEXT_PATTERN, description="问题或关键词（不超过 Config.max_query_chars 个字）")
    sort: BasisSort = BASIS_SORTS[0]


class PageQuery(FilterQuery, TopK):
    """The 检索 · 问答 · 依据 pages: like the API, but the question may be absent (an empty form)."""

    q: Stripped = Field("", pattern=OPTIONAL_TEXT_PATTERN)
    mode: Literal[MODES] = "best"  # type: ignore[valid-type]

    @field_validator("k", "mode", mode="before")
    @classmethod
    def _blank_is_default(cls, v: Any, info) -> Any:
        """A form field the user cleared means its default."""
        if isinstance(v, str) and not v.strip():
            return DEFAULT_TOP_K if info.field_name == "k" else "best"
        return v


class SearchPageQuery(PageQuery, Paging):
    """The 检索 page: a page of the results, sorted."""

    sort: SearchSort = SEARCH_SORTS[0]

    @field_validator("sort", mode="before")
    @classmethod
    def _blank_is_default_sort(cls, v: Any) -> Any:
        return _blank_sort(v, SEARCH_SORTS[0])


class BasisPageQuery(PageQuery, Paging):
    """The 依据 page: a page of the documents, sorted."""

    sort: BasisSort = BASIS_SORTS[0]

    @field_validator("sort", mode="before")
    @classmethod
    def _blank_is_default_sort(cls, v: Any) -> Any:
        return _blank_sort(v, BASIS_SORTS[0])


class DocumentsQuery(FilterQuery):
    offset: QueryInt = Field(0, ge=0, le=MAX_OFFSET)
    limit: QueryInt = Field(50, ge=1, le=MAX_PAGE_SIZE)
    sort: DocumentSort = DOCUMENT_SORTS[0]


class DocumentsPageQuery(FilterQuery):
    page: QueryInt = Field(1, ge=1, le=100_000)
    sort: DocumentSort = DOCUMENT_SORTS[0]

    @field_validator("sort", mode="before")
    @classmethod
    def _blank_is_default_sort(cls, v: Any) -> Any:
        return _blank_sort(v, DOCUMENT_SORTS[0])


class DocPath(Input):
    doc_id: str = Field(max_length=400, description="文件编号（标题加版本日期）")


class CompareQuery(Input):
    """条文对照: the other version to compare with."""

    model_config = ConfigDict(populate_by_name=True)

    other: Stripped = Field(alias="with", max_length=400, pattern=TEXT_PATTERN, description="要对照的另一版本的文件编号")


class ClausePath(Input):
    clause_id: str = Field(max_length=MAX_CLAUSE_ID_CHARS, description="条款编号，如 <文件编号>#第四十九条")


class UnitPath(Input):
    name: Stripped = Field(max_length=MAX_UNIT_NAME_CHARS, pattern=TEXT_PATTERN, description="单位名称或别名，如 网信办")


class UnitsQuery(Input):
    topic: Stripped = Field("", max_length=MAX_TOPIC_CHARS, pattern=OPTIONAL_TEXT_PATTERN, description="职责主题，如 网络保护")
    superseded: Flag = Field("0", validate_default=True, description="是否包括已修订的旧版本")


class UnitQuery(Input):
    limit: QueryInt = Field(50, ge=1, le=MAX_DUTIES_PAGE)
    offset: QueryInt = Field(0, ge=0, le=1_000_000)
    superseded: Flag = Field("0", validate_default=True, description="是否包括已修订的旧版本")


class UnitPageQuery(Input):
    limit: QueryInt = Field(MAX_DUTIES_PAGE, ge=1, le=MAX_DUTIES_PAGE)


class ReplyPageQuery(Input):
    q: Stripped = Field("", pattern=OPTIONAL_TEXT_PATTERN)


ClauseId = Annotated[str, Field(min_length=1, max_length=MAX_CLAUSE_ID_CHARS, pattern=TEXT_PATTERN)]


class ReplyBody(Input):
    """POST /api/reply: the inquiry and, optionally, which candidate clauses to quote."""

    model_config = ConfigDict(extra="ignore")

    inquiry: Stripped = Field(pattern=TEXT_PATTERN, description="留言内容（不超过 1000 字）", max_length=1000)
    clause_ids: Optional[list[ClauseId]] = Field(None, max_length=MAX_CLAUSE_IDS,
                                                 description="要引用的条款编号（不传则自动选择）")

    @field_validator("inquiry", mode="before")
    @classmethod
    def _strict_text(cls, v: Any) -> Any:
        if not isinstance(v, str):
            raise ValueError("应为字符串")
        return v


class ReplyDocxBody(ReplyBody):
    """POST /api/reply.docx: as /api/reply, plus the draft text as the user edited it."""

    # Its bound (answers.reply_docx.MAX_DRAFT_CHARS, 20,000) is checked by the view: too long is 413 draft_too_long.
    draft: Optional[Stripped] = Field(None, pattern=OPTIONAL_TEXT_PATTERN,
                                      description="编辑后的正文（不传或留空：用生成的正文；超过 20000 字为 413 draft_too_long）")


# ---- responses --------------------------------------------------------------------------------------------------

class ErrorBody(BaseModel):
    status: int
    code: str = Field(description="机器可读的错误代码，如 missing_parameter、invalid_parameter、not_found")
    message: str = Field(description="中文说明，指明出错的参数")


class ErrorEnvelope(BaseModel):
    """Every error, under /api and /healthz."""

    error: ErrorBody


class FiltersOut(BaseModel):
    levels: list[str]
    regions: list[str]
    issuers: list[str]
    date_from: Optional[str]
    date_to: Optional[str]
    include_superseded: bool


class HitOut(BaseModel):
    clause_id: str
    doc_id: str
    doc_title: str
    citation: str
    locator: list[str]
    text: str
    article_id: Optional[str]
    article_text: str
    level: str
    region: str
    issuer: str
    date: Optional[str]
    status: str
    score: float
    ranks: dict[str, int]
    scores: dict[str, float]
    matched_terms: list[str]
    validity: str = Field(description="现行有效 / 已被修订 / 尚未生效 / 已废止")
    effective_date: Optional[str]
    url: str
    copy_text: str = Field(alias="copy")
    status_label: str


class SearchOut(BaseModel):
    query: str
    mode: str
    k: int
    filters: FiltersOut
    sort: str
    offset: int
    total: int = Field(description="the query's ranked results (at most Config.result_pool)")
    total_capped: bool = Field(description="the pool was full: the query has at least `total` results")
    results: list[HitOut]


class CitedClauseOut(BaseModel):
    """A cited clause: the one shape every answer item, reply quotation, reply department and duty cites with
    (index.records.CitedClause, plus the `url` of the clause on its document page that the HTTP layer adds)."""

    clause_id: str
    doc_id: str
    citation: str
    text: str
    url: str


class AnswerItemOut(CitedClauseOut):
    """One item of the answer card (text: the sentence or clause shown) and the clause it rests on."""

    doc_title: str
    support: float
    unit: Optional[str] = Field(description="「谁负责」问题：负责的部门（其他问题为 null）")
    duty: Optional[str] = Field(description="「谁负责」问题：该条款规定的职责（其他问题为 null）")


class AnswerBody(BaseModel):
    kind: Literal["units", "sentences", "clauses", "none"]
    units: list[AnswerItemOut]
    sentences: list[AnswerItemOut]
    clauses: list[AnswerItemOut]
    nearest: list[AnswerItemOut]


class AskOut(BaseModel):
    query: str
    type: str
    found: bool
    confidence: float
    threshold: float
    answer: AnswerBody
    results: list[HitOut]


class MandateSentence(CitedClauseOut):
    """A sentence of the clause that mandates (text is the sentence)."""


class BasisGroupOut(BaseModel):
    doc_id: str
    title: str
    level: str
    issuer: str
    date: Optional[str]
    status: str
    score: float
    support: float
    supported: bool
    url: str
    sentences: list[MandateSentence]
    results: list[HitOut]


class BasisOut(BaseModel):
    query: str
    k: int
    sort: str
    offset: int
    total: int = Field(description="documents the query's clauses come from (at most Config.result_pool)")
    total_capped: bool
    documents: list[BasisGroupOut]


class DocSummaryOut(BaseModel):
    id: str
    title: str
    source_path: str
    content_hash: str
    level: str
    region: str
    issuer: str
    doc_number: str
    published: Optional[str]
    adopted: Optional[str]
    amended: list[str]
    effective: Optional[str]
    version_date: Optional[str]
    status: str
    superseded_by: Optional[str]
    repeals: list[str]
    repealed_by: Optional[str]
    validity: str
    validity_date: Optional[str]
    issuing_notice: str
    info: dict[str, str]
    notes: list[str]
    status_label: str
    version_label: str
    effective_date: Optional[str]
    url: str


class DocumentsOut(BaseModel):
    total: int
    offset: int
    limit: int
    sort: str
    documents: list[DocSummaryOut]


class ClauseOut(BaseModel):
    id: str
    doc_id: str
    locator: list[str]
    citation: str
    text: str
    start: int
    end: int
    kind: str
    leaf: bool
    parent_id: Optional[str]
    article_id: Optional[str]
    headings: list[str]
    refs: list[str]
    url: str


class ArticleLinkOut(BaseModel):
    """An article-level link: the clause, its citation, its page and whether it is in another document."""

    clause_id: str
    citation: str
    url: str
    other: bool


class ArticleLinksOut(BaseModel):
    cites: list[ArticleLinkOut]
    cited_by: list[ArticleLinkOut]


class DocumentOut(DocSummaryOut):
    body: str
    clauses: list[ClauseOut]
    versions: list[DocSummaryOut]
    cites: list[DocSummaryOut]
    cited_by: list[DocSummaryOut]
    article_links: dict[str, ArticleLinksOut] = Field(description="article id -> the clauses it cites and citing it")


class SegmentOut(BaseModel):
    op: Literal["equal", "insert", "delete"]
    text: str


class ArticleRowOut(BaseModel):
    status: str = Field(description="same | changed | added | removed")
    old_id: Optional[str]
    old_label: str
    old_text: str
    new_id: Optional[str]
    new_label: str
    new_text: str
    renumbered: bool
    segments: list[SegmentOut]


class CompareOut(BaseModel):
    older: "DocSummaryOut"
    newer: "DocSummaryOut"
    rows: list[ArticleRowOut]
    summary: dict[str, int]


class ClauseLinkOut(BaseModel):
    """A clause this clause cites, or one citing it."""

    model_config = ConfigDict(extra="allow")

    clause_id: str
    url: str


class ClauseDetailOut(ClauseOut):
    document: Optional[DocSummaryOut]
    cites: list[ClauseLinkOut]
    cited_by: list[ClauseLinkOut]


class HealthOut(BaseModel):
    status: str
    documents: int
    index: dict[str, Any] = Field(description="the open index generation: version, fingerprint, built_at, reloads …")
    semantic: dict[str, Any] = Field(description="the state of the semantic (vector) part: state, percent …")
    manifest: dict[str, Any]


class DutyOut(CitedClauseOut):
    """One (department, duty, clause) of the responsibility map (text: the clause; the offsets point into it)."""

    unit: str
    unit_text: str
    level: str
    category: str
    role: str
    duty: str
    article_id: Optional[str]
    doc_title: str
    status: str
    start: int
    end: int
    duty_start: int
    duty_end: int
    via: str
    items: list[str] = Field(description="the list a duty ending in “：” introduces")


class UnitSummaryOut(BaseModel):
    name: str
    category: str
    duties: int
    clauses: int
    documents: int
    roles: dict[str, int]


class TopicMatchOut(BaseModel):
    name: str
    category: str
    score: float
    duties: list[DutyOut]


class UnitsOut(BaseModel):
    units: list[UnitSummaryOut]
    topic: Optional[str] = None
    matches: Optional[list[TopicMatchOut]] = None


class DocDutiesOut(BaseModel):
    doc_id: str
    doc_title: str
    duties: list[DutyOut]


class RoleDutiesOut(BaseModel):
    role: str
    count: int
    documents: list[DocDutiesOut]


class UnitOut(BaseModel):
    name: str
    query: str
    total: int
    offset: int
    limit: int
    duties: list[DutyOut]
    distinct: int = Field(description="duties without repeats (the unit page's count)")
    roles: list[RoleDutiesOut] = Field(description="the unit's duties without repeats, by role then document")


class CandidateOut(CitedClauseOut):
    """A clause the draft may quote (text: the clause, its leading 第X条 dropped) and whether it is quoted."""

    doc_title: str
    score: float
    support: float
    selected: bool
    region: str


class ReplyUnitOut(CitedClauseOut):
    """A department a quoted clause names (text: that clause as the draft quotes it)."""

    name: str
    unit_text: str
    role: str = Field(description="负责 / 协同 / 受理")
    duty: str


class ReplyOut(BaseModel):
    """A draft reply; `policykb reply --json` prints the same shape (without the urls)."""

    inquiry: str
    found: bool
    title: str
    draft: str
    citations: list[CitedClauseOut] = Field(description="the quoted clauses, then the hotline sentences (text)")
    units: list[ReplyUnitOut]
    unit_names: list[str]
    channels: list[CitedClauseOut] = Field(description="sentences naming a hotline (text), with their clause")
    candidates: list[CandidateOut]
    threshold: float


# ---- documents management, jobs and the audit log (editors and admins) ------------------------------------------


class JobPath(Input):
    job_id: str = Field(max_length=40, pattern=TEXT_PATTERN, description="任务编号")


class JobsQuery(Input):
    limit: QueryInt = Field(20, ge=1, le=100, description="最近的几个任务")


class AuditQuery(Input):
    limit: QueryInt = Field(100, ge=1, le=1000)
    offset: QueryInt = Field(0, ge=0, le=MAX_OFFSET)


class RejectedOut(BaseModel):
    name: str
    reason: str


class JobOut(BaseModel):
    """A background change of the managed corpus (upload, replace, delete) and how far it is."""

    id: str
    kind: str
    user: Optional[str]
    state: Literal["queued", "running", "done", "failed"]
    stage: Optional[str]
    progress: float = Field(ge=0, le=1)
    message: Optional[str]
    rejected: list[RejectedOut]
    result: dict[str, Any]
    created: Any
    updated: Any
    url: str


class JobsOut(BaseModel):
    jobs: list[JobOut]


class AuditEntryOut(BaseModel):
    seq: int
    at: Any
    user: Optional[str]
    action: str
    target: Optional[str]
    sha256: Optional[str]
    job: Optional[str]
    detail: Optional[str]


class AuditOut(BaseModel):
    total: int
    offset: int
    limit: int
    entries: list[AuditEntryOut]
