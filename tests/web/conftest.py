"""Real indexes for the web tests: a hand-written corpus (two versions, a citing rule, an XSS document) built with
BM25 only (fast), and the shared bundled-embedder index over the work plan + related laws (tests/conftest.py);
the app is the real Flask app over them, or the real `policykb serve` in a subprocess."""
from __future__ import annotations

from pathlib import Path

import pytest

from index.build import build_index
from policykb.commands.serve import launched
from policykb.config import Config
from search_app import create_app
from tests.conftest import TEST_CACHE

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


def make_config(index_dir: Path, tmp: Path, **extra) -> Config:
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
    with launched(kb_dir, TEST_CACHE) as url:
        yield url
