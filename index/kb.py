"""KnowledgeBase: a read-only, thread-safe view of one built index folder — search, documents, clauses, versions."""
from __future__ import annotations

import re
import threading
from collections import OrderedDict
from datetime import date
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Sequence

import numpy as np

from index.cache import EmbeddingCache, text_hash
from index.embedders import EmbedderError, make_embedder, spec_name
from index.errors import (DocumentNotFoundError, IndexCorruptError, IndexMismatchError, InputError, KBIndexError,
                          QueryError)
from index.fusion import FusionConfig, fuse
from index.hit import Filters, Hit
from index.layout import FolderLease, lease_current, read_manifest
from index.retrievers import BM25Retriever, DenseRetriever
from index.store import DB_FILE, clause_from_row, connect_readonly, document_from_row
from index.titles import norm_title
from index.tokens import shared_tokenizer
from ingest.model import LEVELS, NATIONAL, Clause, Document
from ingest.validity import VersionFacts, in_force_from, statuses, today_iso
from ingest.versions import chain_key

MODES = ("bm25", "dense", "hybrid")
DOCUMENT_ORDERS = ("level", "date", "title")  # orders of the document list
CANDIDATES = 100  # passages each retriever contributes to fusion
CLAUSE_CACHE = 20_000  # parsed clauses kept in memory: a search decodes ~170 stored rows, most of them recurring


@dataclass(frozen=True)
class _DocMeta:
    seq: int
    id: str
    title: str
    level: str
    region: str
    issuer: str
    date: str | None
    status: str
    effective: str | None = None
    repealed_by: str | None = None


def _newest(d: _DocMeta) -> tuple[bool, str]:
    """Sort key of the documents of one title: current before superseded, then the latest version date."""
    return (d.status == "current", d.date or "")


_PLACE = re.compile(r"^(?:\d{4}年度?)?(?!关于)([\u4e00-\u9fff]{2,6}?)(?:省|市|自治区|自治州|地区|盟|县)")


def place_regions(titles_regions: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Place name -> region for the places local texts are named after (杭州 -> 浙江, 上海 -> 上海), longest name
    first, so a query naming a city is recognised as asking about that region."""
    out: dict[str, str] = {}
    for title, region in titles_regions:
        if region != NATIONAL and (m := _PLACE.match(title)):
            out.setdefault(m.group(1), region)
    return dict(sorted(out.items(), key=lambda kv: (-len(kv[0]), kv[0])))  # longest first, as query_region reads it


class KnowledgeBase:
    """Open with KnowledgeBase.open(index_dir); every method is safe to call from many threads."""

    def __init__(self, index_dir: Path, folder: Path, manifest: dict, cache_dir: Path | None,
                 fusion: FusionConfig | None = None, today: date | str | None = None, query_cache_size: int = 4096,
                 persist_queries: bool = True, lease: FolderLease | None = None) -> None:
        self.index_dir = index_dir
        self.folder = folder
        self.manifest = manifest
        self.lease = lease  # held until close(): the folder is not deleted under us by a rebuild
        self.fusion = fusion or FusionConfig()
        self._lock = threading.RLock()  # guards the shared SQLite connection and lazy state
        self._cache_lock = threading.Lock()  # guards the on-disk query-vector cache
        self._db = connect_readonly(folder / DB_FILE)
        self.tokenizer = shared_tokenizer()
        if self.tokenizer.dictionary_hash != manifest.get("dictionary_hash"):
            raise IndexMismatchError(index_dir, "built with another user dictionary / synonym table than "
                                                "ingest/data has now")
        self.bm25 = BM25Retriever.load(folder)
        self.dense = DenseRetriever.load(folder) if manifest.get("embedder") != "none" else None
        self._docs = [
            _DocMeta(r["seq"], r["id"], r["title"], r["level"], r["region"], r["issuer"] or "",
                     r["version_date"], r["status"], r["effective"], r["repealed_by"])
            for r in self._db.execute("SELECT seq, id, title, level, region, issuer, version_date, status, "
                                      "effective, repealed_by FROM documents ORDER BY seq")
        ]
        self._by_id = {d.id: d for d in self._docs}
        self.places = place_regions((d.title, d.region) for d in self._docs)
        self._passage_doc = np.fromiter((s for (s,) in self._db.execute("SELECT doc_seq FROM passages ORDER BY row")),
                                     dtype=np.int32)
        if self.dense is not None and self.dense.size and int(self.dense.rows().max()) >= len(self._passage_doc):
            raise IndexCorruptError(index_dir, f"vectors for rows up to {int(self.dense.rows().max())}, "
                                               f"only {len(self._passage_doc)} passages")
        self._cache_dir = cache_dir
        self._embedder = None
        self._query_cache: OrderedDict[str, np.ndarray] = OrderedDict()  # LRU, at most query_cache_size
        self._query_cache_size = max(0, query_cache_size)
        self._persist_queries = persist_queries  # False (the server): query vectors never reach the disk cache
        self._refs_index: dict[str, set[str]] | None = None
        self._article_cites: dict[str, int] | None = None  # article id -> citing clauses of other documents
        self._cited_counts: dict[str, int] = {}  # doc id -> citing documents (citation_count, asked per candidate)
        self._title_index: dict[str, list[_DocMeta]] | None = None  # norm_title -> documents, built on first use
        self._masks: dict[str, np.ndarray | None] = {}  # filters -> unit mask (the same few recur)
        self._clause_cache: OrderedDict[str, Clause] = OrderedDict()  # LRU of parsed clauses (a generation's rows
        # never change: a rebuild opens a new KnowledgeBase)
        self._today = today  # None: the real date, read on every call (a server runs across midnight)
        self._validity: tuple[str, dict[str, str]] | None = None  # (day, doc id -> status)

    @classmethod
    def open(cls, index_dir: str | Path, cache_dir: str | Path | None = None, embedder: str | None = None,
             fusion: FusionConfig | None = None, today: date | str | None = None, query_cache_size: int = 4096,
             persist_queries: bool = True) -> "KnowledgeBase":
        """Open a built index; `embedder`, when given, must be the one the index was built with. `today` fixes the
        day validity is judged on (tests); by default it is the real date.

        Query vectors are kept in an in-memory LRU of `query_cache_size`; `persist_queries=False` (the server, where
        anyone may type a query) only reads the on-disk cache and never grows it."""
        index_dir = Path(index_dir)
        read_manifest(index_dir)  # clear errors naming the folder the caller gave
        # pin the folder, leased: a rebuild swapping the link later neither affects nor deletes it while open
        folder, lease = lease_current(index_dir)
        try:
            manifest = read_manifest(folder)
            if embedder is not None and spec_name(embedder) != manifest.get("embedder"):
                raise IndexMismatchError(index_dir, f"built with embedder {manifest.get('embedder')!r}, "
                                                    f"cannot be searched with {spec_name(embedder)!r}")
            return cls(index_dir, folder, manifest, Path(cache_dir) if cache_dir else None, fusion, today,
                       query_cache_size=query_cache_size, persist_queries=persist_queries, lease=lease)
        except KBIndexError:
            lease.close()
            raise
        except Exception as exc:  # missing/damaged files inside the folder
            lease.close()
            raise IndexCorruptError(index_dir, f"{type(exc).__name__}: {exc}") from None

    # --- search -------------------------------------------------------------------------------------------
    @property
    def has_vectors(self) -> bool:
        """Whether the index holds clause vectors (built with an embedder other than none)."""
        return self.dense is not None

    def query_terms(self, query: str) -> list[str]:
        """The BM25 query tokens: jieba tokens plus their synonym expansions (official terms)."""
        return list(dict.fromkeys(self.tokenizer.query_tokens(query)))

    def _embedder_model(self):
        with self._lock:
            if self._embedder is None:
                try:
                    model = make_embedder(self.manifest.get("embedder_spec", ""), self._cache_dir)
                except EmbedderError as exc:
                    raise IndexMismatchError(self.index_dir, f"its embedder cannot be loaded: {exc}") from None
                if model.name != self.manifest.get("embedder") or model.dim != self.manifest.get("dim"):
                    raise IndexMismatchError(self.index_dir, f"built with {self.manifest.get('embedder')} "
                                                             f"(dim {self.manifest.get('dim')}), loaded {model.name} "
                                                             f"(dim {model.dim})")
                self._embedder = model
            return self._embedder

    def query_vector(self, query: str) -> np.ndarray:
        """The query's embedding: from the in-memory LRU, else the on-disk cache (written only when persist_queries),
        else the model."""
        with self._lock:
            hit = self._query_cache.get(query)
            if hit is not None:
                self._query_cache.move_to_end(query)
                return hit
        model = self._embedder_model()
        key = model.name + "|query"
        vec = None
        if self._cache_dir is not None:
            with self._cache_lock:
                cache = EmbeddingCache(self._cache_dir)
                try:
                    if self._persist_queries:
                        vec = cache.embed(key, [query], model.encode_queries)[0]
                    else:
                        vec = cache.get_many(key, [text_hash(query)]).get(text_hash(query))
                finally:
                    cache.close()
        if vec is None:
            vec = model.encode_queries([query])[0]
        with self._lock:
            if self._query_cache_size:
                self._query_cache[query] = vec
                self._query_cache.move_to_end(query)
                while len(self._query_cache) > self._query_cache_size:
                    self._query_cache.popitem(last=False)
        return vec

    def row_mask(self, filters: Filters | None) -> np.ndarray | None:
        """Boolean mask over passage rows allowed by the filters (None: everything allowed); cached per filters."""
        f = filters or Filters()
        key = repr(f) + (self.today() if f.validity else "")
        with self._lock:
            if key in self._masks:
                return self._masks[key]
        valid = self.validities() if f.validity else {}
        ok = np.fromiter((self._doc_ok(d, f, valid) for d in self._docs), dtype=bool, count=len(self._docs))
        mask = None if ok.all() else (ok[self._passage_doc] if len(self._passage_doc) else np.zeros(0, dtype=bool))
        with self._lock:
            if len(self._masks) > 64:
                self._masks.clear()
            self._masks[key] = mask
        return mask

    @staticmethod
    def _doc_ok(d: _DocMeta, f: Filters, validity: dict[str, str] | None = None) -> bool:
        if f.validity:
            if (validity or {}).get(d.id) not in f.validity:
                return False
        elif not f.include_superseded and d.status != "current":
            return False
        if f.levels and d.level not in f.levels:
            return False
        if f.regions and d.region not in f.regions:
            return False
        if f.issuers and not any(i in d.issuer for i in f.issuers):
            return False
        if (f.date_from or f.date_to) and not d.date:
            return False
        if f.date_from and d.date < f.date_from:
            return False
        if f.date_to and d.date > f.date_to:
            return False
        return True

    def retrieve(self, query: str, n: int = CANDIDATES, filters: Filters | None = None, mode: str = "hybrid",
                 query_transform: Callable[[np.ndarray], np.ndarray] | None = None,
                 ) -> tuple[list[tuple[int, float]], dict[str, list[tuple[int, float]]], list[str]]:
        """Ranked passage rows before hit assembly: (fused [(row, score)], per-retriever lists, query terms).
        `query_transform` maps the query vector before dense search (a learned query adapter)."""
        if not isinstance(query, str) or not query.strip():
            raise QueryError("请输入问题或关键词")
        query = query.strip()
        if mode not in MODES:
            raise QueryError(f"检索方式 {mode!r} 无效，可选：{'、'.join(MODES)}", "mode")
        if mode == "dense" and self.dense is None:
            raise QueryError("本知识库建库时未生成向量（--embedder none），不能语义检索：请用 bm25 方式，"
                             "或用嵌入模型重建", "mode")
        mask = self.row_mask(filters)
        weights = self.tokenizer.query_weights(query)  # a compound word's sub-tokens share one word's weight
        terms = self.bm25.resolve(list(weights))
        lists: dict[str, list[tuple[int, float]]] = {}
        if mode in ("bm25", "hybrid"):
            lists["bm25"] = self.bm25.search(weights, n, mask)
        if mode in ("dense", "hybrid") and self.dense is not None:
            vector = self.query_vector(query)
            lists["dense"] = self.dense.search(query_transform(vector) if query_transform else vector, n, mask)
        fused = fuse(lists, self.fusion) if len(lists) > 1 else next(iter(lists.values()))
        return fused, lists, terms

    def search(self, query: str, k: int = 10, filters: Filters | None = None, mode: str = "hybrid",
               query_transform: Callable[[np.ndarray], np.ndarray] | None = None) -> list[Hit]:
        """The k best passages for a query, each with its citation, article text and per-retriever ranks/scores
        (`query_transform`: see retrieve)."""
        if not isinstance(k, int) or k < 1:
            raise QueryError(f"k={k!r}：必须是正整数", "k")
        fused, lists, terms = self.retrieve(query, max(CANDIDATES, k), filters, mode, query_transform)
        ranks = {name: {row: i for i, (row, _) in enumerate(lst, start=1)} for name, lst in lists.items()}
        raw = {name: dict(lst) for name, lst in lists.items()}
        return self.hits_for(fused[:k], ranks, raw, terms)

    def clause_vectors(self, clause_ids: Sequence[str], query: np.ndarray | None = None) -> np.ndarray:
        """The stored vector of each clause, one row each (NaN rows: no vector, e.g. a superseded version not
        embedded). A clause split into several passages gives the one nearest `query` (else its first)."""
        if self.dense is None or not clause_ids:
            return np.full((len(clause_ids), int(self.manifest.get("dim") or 0)), np.nan, dtype=np.float32)
        out = np.full((len(clause_ids), self.dense.dim), np.nan, dtype=np.float32)
        wanted = list(dict.fromkeys(clause_ids))
        with self._lock:
            pairs = self._db.execute(
                f"SELECT row, clause_id FROM passages WHERE clause_id IN ({','.join('?' * len(wanted))}) ORDER BY row",
                wanted).fetchall()
        vectors = self._stored_vectors([row for row, _ in pairs])
        best: dict[str, tuple[float, np.ndarray]] = {}
        for row, cid in pairs:
            if row not in vectors:
                continue
            sim = float(vectors[row] @ query) if query is not None else 0.0
            if cid not in best or sim > best[cid][0]:
                best[cid] = (sim, vectors[row])
        for i, cid in enumerate(clause_ids):
            if cid in best:
                out[i] = best[cid][1]
        return out

    def _stored_vectors(self, rows: Sequence[int]) -> dict[int, np.ndarray]:
        """The stored vector of each passage row that has one (superseded versions may not be embedded)."""
        out = {}
        for row in rows:
            try:
                out[row] = self.dense.vector(row)
            except KeyError:
                continue
        return out

    def hits_for(self, rows: list[tuple[int, float]], ranks: dict | None = None, raw: dict | None = None,
                 terms: list[str] = ()) -> list[Hit]:
        """Assemble Hits for (passage row, score) pairs."""
        if not rows:
            return []
        ranks, raw = ranks or {}, raw or {}
        with self._lock:
            ids = dict(self._db.execute(
                f"SELECT row, clause_id FROM passages WHERE row IN ({','.join('?' * len(rows))})",
                [r for r, _ in rows]).fetchall())
        clauses = self._clauses(list(ids.values()))
        articles = self._clauses([c.article_id for c in clauses.values() if c.article_id])
        valid = self.validities()
        hits = []
        for row, score in rows:
            c = clauses[ids[row]]
            d = self._by_id[c.doc_id]
            art = articles.get(c.article_id) if c.article_id else None
            hits.append(Hit(
                clause_id=c.id, doc_id=d.id, doc_title=d.title, citation=c.citation, locator=c.locator,
                text=c.text, article_id=c.article_id, article_text=art.text if art else c.text,
                level=d.level, region=d.region, issuer=d.issuer, date=d.date, status=d.status, score=float(score),
                validity=valid.get(d.id, ""), effective_date=d.effective,
                ranks={n: r[row] for n, r in ranks.items() if row in r},
                scores={n: float(s[row]) for n, s in raw.items() if row in s},
                matched_terms=tuple(t for t in terms if t and t in c.text),
            ))
        return hits

    def article_hit(self, doc_title: str, article: str, filters: Filters | None = None,
                    query: np.ndarray | None = None) -> Hit | None:
        """The passage of one cited article (《doc_title》article, e.g. 民法典 第一千零八十四条) nearest `query` (else
        its first), as a Hit with no retriever score; from a document of that title the filters allow (current
        versions first). None when the corpus has no such document or article."""
        f = filters or Filters()
        valid = self.validities() if f.validity else {}
        docs = sorted((d for d in self._titled(norm_title(doc_title)) if self._doc_ok(d, f, valid)),
                      key=_newest, reverse=True)
        rows: list[int] = []
        for d in docs:  # current first; a code held in parts has the article in one of them
            aid = f"{d.id}#{article}"
            with self._lock:  # the article's own passage, or those of its paragraphs (ids "<article>.第一款" …)
                rows = [r for (r,) in self._db.execute(
                    "SELECT row FROM passages WHERE clause_id = ? OR (clause_id > ? AND clause_id < ?) ORDER BY row",
                    (aid, aid + ".", aid + "/"))]
            if rows:
                break
        if not rows:
            return None
        row = rows[0]
        if query is not None and self.dense is not None and len(rows) > 1:
            vectors = self._stored_vectors(rows)
            row = max(vectors, key=lambda r: float(vectors[r] @ query)) if vectors else row
        return self.hits_for([(row, 0.0)])[0]

    # --- documents and clauses ----------------------------------------------------------------------------
    def _clauses(self, ids: list[str]) -> dict[str, Clause]:
        ids = list(dict.fromkeys(ids))
        out: dict[str, Clause] = {}
        cache = self._clause_cache
        missing: list[str] = []
        with self._lock:
            for cid in ids:
                c = cache.get(cid)
                if c is None:
                    missing.append(cid)
                else:
                    cache.move_to_end(cid)
                    out[cid] = c
            for i in range(0, len(missing), 500):
                chunk = missing[i:i + 500]
                for (data,) in self._db.execute(
                        f"SELECT data FROM clauses WHERE id IN ({','.join('?' * len(chunk))})", chunk):
                    c = clause_from_row(data)
                    out[c.id] = cache[c.id] = c
            while len(cache) > CLAUSE_CACHE:
                cache.popitem(last=False)
        return out

    def duties(self, clause_ids: list[str]) -> dict[str, list]:
        """The duties the build stored for these clauses (index.responsibilities.DutyRecord, in text order), by
        clause id; items that inherit a lead-in's department (`via`) are left out: they state no department."""
        from index.responsibilities import SELECT_DUTIES, duty_from_row

        ids = list(dict.fromkeys(clause_ids))
        out: dict[str, list] = {}
        with self._lock:
            for i in range(0, len(ids), 500):
                chunk = ids[i:i + 500]
                for row in self._db.execute(
                        f"SELECT {SELECT_DUTIES} WHERE via = '' AND clause_id IN "
                        f"({','.join('?' * len(chunk))}) ORDER BY duties.id", chunk):
                    rec = duty_from_row(row)
                    out.setdefault(rec.clause_id, []).append(rec)
        return out

    def clause(self, clause_id: str) -> Clause | None:
        return self._clauses([clause_id]).get(clause_id)

    def document(self, doc_id: str, clauses: bool = True) -> Document | None:
        """One document; with its full clause tree unless clauses=False."""
        with self._lock:
            row = self._db.execute("SELECT data FROM documents WHERE id=?", (doc_id,)).fetchone()
            if row is None:
                return None
            rows = [r[0] for r in self._db.execute("SELECT data FROM clauses WHERE doc_id=? ORDER BY seq",
                                                   (doc_id,))] if clauses else []
        return self._dated(document_from_row(row[0], rows))

    def _dated(self, doc: Document) -> Document:
        """The document with its validity on today (the stored one was worked out on the build day)."""
        doc.validity = self.validities().get(doc.id, doc.validity)
        doc.validity_date = self.today()
        return doc

    def _documents(self, seqs: list[int]) -> list[Document]:
        if not seqs:
            return []
        with self._lock:
            data = dict(self._db.execute(
                f"SELECT seq, data FROM documents WHERE seq IN ({','.join('?' * len(seqs))})", seqs).fetchall())
        return [self._dated(document_from_row(data[s])) for s in seqs]

    def _listing(self, filters: Filters | None, order: str = "level") -> list[_DocMeta]:
        f = filters or Filters()
        rank = {lv: i for i, lv in enumerate(LEVELS)}
        valid = self.validities() if f.validity else {}
        docs = [d for d in self._docs if self._doc_ok(d, f, valid)]
        docs.sort(key=lambda d: d.title)
        docs.sort(key=lambda d: d.date or "", reverse=True)  # undated ("") last
        if order == "level":
            docs.sort(key=lambda d: (rank.get(d.level, len(LEVELS)), d.title))
        elif order == "title":
            docs.sort(key=lambda d: d.title)
        return docs

    def documents(self, filters: Filters | None = None, offset: int = 0, limit: int = 50,
                  order: str = "level") -> list[Document]:
        """Documents (metadata only) by `order`: level (authority, then title, newest version first), date (newest
        first, undated last) or title."""
        if offset < 0 or limit < 0:
            raise QueryError(f"offset={offset}, limit={limit}：不能为负数", "offset")
        if order not in DOCUMENT_ORDERS:
            raise QueryError(f"排序方式 {order!r} 无效，可选：{'、'.join(DOCUMENT_ORDERS)}", "sort")
        return self._documents([d.seq for d in self._listing(filters, order)[offset:offset + limit]])

    def sources(self) -> list[dict]:
        """Every document's id, title, level, version date, status and source file (no body): cheap listing for
        the file-management page."""
        with self._lock:
            rows = self._db.execute("SELECT id, title, level, version_date, status, source_path, content_hash "
                                    "FROM documents ORDER BY title, version_date").fetchall()
        return [dict(zip(("id", "title", "level", "date", "status", "source_path", "content_hash"), r)) for r in rows]

    def count_documents(self, filters: Filters | None = None) -> int:
        f = filters or Filters()
        valid = self.validities() if f.validity else {}
        return sum(1 for d in self._docs if self._doc_ok(d, f, valid))

    # --- validity ---------------------------------------------------------------------------------------------
    def today(self) -> str:
        """The day validity is judged on (YYYY-MM-DD)."""
        return today_iso(self._today)

    def validities(self) -> dict[str, str]:
        """Document id -> 现行有效 / 已被修订 / 尚未生效 / 已废止 on today (worked out once per day)."""
        day = self.today()
        with self._lock:
            if self._validity is not None and self._validity[0] == day:
                return self._validity[1]
        by_id = self._by_id
        facts = [VersionFacts(d.id, chain_key(d.title), (d.date is not None, d.date or "", d.status == "current"),
                              in_force_from(d.effective, d.date),
                              (in_force_from(r.effective, r.date) if (r := by_id.get(d.repealed_by or "")) else None))
                 for d in self._docs]
        found = statuses(facts, day)
        with self._lock:
            self._validity = (day, found)
        return found

    def facets(self) -> dict[str, dict[str, int]]:
        """How many documents per level, region and issuer (for filter choices)."""
        out: dict[str, dict[str, int]] = {"levels": {}, "regions": {}, "issuers": {}}
        for d in self._docs:
            for key, value in (("levels", d.level), ("regions", d.region), ("issuers", d.issuer)):
                if value:
                    out[key][value] = out[key].get(value, 0) + 1
        return out

    def versions(self, doc_id: str) -> list[Document]:
        """All versions of the document's title, newest first (undated last)."""
        d = self._by_id.get(doc_id)
        if d is None:
            return []
        same = [o for o in self._docs if o.title == d.title]
        same.sort(key=lambda o: (o.date is not None, o.date or ""), reverse=True)
        return self._documents([o.seq for o in same])

    def _titled(self, key: str) -> list[_DocMeta]:
        """The documents whose folded title (norm_title) is `key`: its versions, or the parts of a code the corpus
        holds as several files under one title (民法典)."""
        with self._lock:
            if self._title_index is None:  # folding every title for every cited title cost ms per document page
                index: dict[str, list[_DocMeta]] = {}
                for d in self._docs:
                    index.setdefault(norm_title(d.title), []).append(d)
                self._title_index = index
            return list(self._title_index.get(key, ()))

    def _best_by_title(self, key: str) -> _DocMeta | None:
        matches = self._titled(key)
        if not matches:
            return None
        return max(matches, key=_newest)

    def cites(self, doc_id: str) -> list[Document]:
        """Corpus documents this document cites by 《title》 (current version preferred)."""
        with self._lock:
            titles = [t for (t,) in self._db.execute("SELECT DISTINCT title FROM refs WHERE doc_id=?", (doc_id,))]
        seqs: list[int] = []
        for t in titles:
            d = self._best_by_title(norm_title(t))
            if d is not None and d.id != doc_id and d.seq not in seqs:
                seqs.append(d.seq)
        return self._documents(seqs)

    def _citing(self, doc_id: str) -> set[str]:
        """Ids of the documents whose text cites this document's title (by 《title》)."""
        d = self._by_id.get(doc_id)
        if d is None:
            return set()
        with self._lock:
            if self._refs_index is None:
                index: dict[str, set[str]] = {}
                for src, t in self._db.execute("SELECT doc_id, title FROM refs"):
                    index.setdefault(norm_title(t), set()).add(src)
                self._refs_index = index
            return self._refs_index.get(norm_title(d.title), set())

    def cited_by(self, doc_id: str) -> list[Document]:
        """Corpus documents whose text cites this document's title."""
        sources = self._citing(doc_id)
        seqs = sorted(self._by_id[s].seq for s in sources if s in self._by_id and s != doc_id)
        return self._documents(seqs)

    def citation_count(self, doc_id: str) -> int:
        """How many other documents cite this one: a prior for the general, much-applied laws (ranking feature)."""
        count = self._cited_counts.get(doc_id)
        if count is None:  # the documents and their refs are fixed for this generation of the index
            count = self._cited_counts[doc_id] = sum(1 for s in self._citing(doc_id) if s != doc_id)
        return count

    def article_citation_count(self, article_id: str | None) -> int:
        """How many clauses of other documents cite this article (《…》第X条 links): the article-level prior."""
        if not article_id:
            return 0
        with self._lock:
            if self._article_cites is None:  # one pass over the links, on first use
                counts: dict[str, int] = {}
                for dst, src in self._db.execute("SELECT dst_article, src FROM clause_links WHERE dst_article IS NOT NULL"):
                    if src.split("#", 1)[0] != dst.split("#", 1)[0]:
                        counts[dst] = counts.get(dst, 0) + 1
                self._article_cites = counts
            return self._article_cites.get(article_id, 0)

    def article_links(self, article_ids: Sequence[str]) -> set[tuple[str, str]]:
        """(citing, cited) pairs among these articles: one clause of the first cites (a part of) the second by
        《…》第X条 or 本法第X条 — the citation graph within one query's candidates (a ranking feature)."""
        ids = list(dict.fromkeys(a for a in article_ids if a))
        if len(ids) < 2:
            return set()
        marks = ",".join("?" * len(ids))
        with self._lock:
            rows = self._db.execute(f"SELECT DISTINCT src_article, dst_article FROM clause_links WHERE src_article IN "
                                    f"({marks}) AND dst_article IN ({marks})", ids + ids).fetchall()
        return {(src, dst) for src, dst in rows if src != dst}

    # --- article-level links and version comparison ----------------------------------------------------------
    def _links(self, column: str, clause_id: str) -> list[dict]:
        other = "dst" if column == "src" else "src"
        sql = (f"SELECT DISTINCT {other}, {other}_citation FROM clause_links WHERE {column} = ? "
               f"OR ({column} > ? AND {column} < ?) ORDER BY rowid")
        with self._lock:
            rows = self._db.execute(sql, (clause_id, clause_id + ".", clause_id + "/")).fetchall()
        out, seen = [], set()
        for cid, citation in rows:
            if cid not in seen:
                seen.add(cid)
                out.append({"clause_id": cid, "citation": citation})
        return out

    def clause_cites(self, clause_id: str) -> list[dict]:
        """Clauses this clause (or any part of it) cites by 《…》第X条 / 本法第X条: [{clause_id, citation}]."""
        return self._links("src", clause_id)

    def clause_cited_by(self, clause_id: str) -> list[dict]:
        """Clauses that cite this clause or a part of it: [{clause_id, citation}]."""
        return self._links("dst", clause_id)

    def compare(self, doc_id: str, other_id: str) -> tuple[Document, Document, list]:
        """条文对照 of two versions of one title, older first: (older, newer, index.compare rows). KeyError names a
        missing document (DocumentNotFoundError); InputError (a ValueError) says the two are not versions of one
        document."""
        from index.compare import compare_versions

        docs = []
        for did in (doc_id, other_id):
            d = self.document(did)
            if d is None:
                raise DocumentNotFoundError(did)
            docs.append(d)
        a, b = docs
        if chain_key(a.title) != chain_key(b.title):
            raise InputError(f"《{a.title}》与《{b.title}》不是同一文件的不同版本，不能对照", "with")
        older, newer = sorted((a, b), key=lambda d: (d.version_date is not None, d.version_date or "", d.id))
        return older, newer, compare_versions(older, newer)

    def close(self) -> None:
        """Close the database and let go of the folder's lease (a replaced folder may then be removed)."""
        with self._lock:
            self._db.close()
            if self.lease is not None:
                self.lease.close()
