"""Small hand-written policy corpora for index tests (written here, not copied from any real law)."""
from __future__ import annotations

from pathlib import Path

import pytest

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
