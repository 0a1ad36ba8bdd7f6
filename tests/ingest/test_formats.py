"""Every reader on files the tests make: HTML page, DOCX, PDF (with and without text layer), encodings, bad input."""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from ingest.errors import IngestError
from ingest.pipeline import ingest_paths, load_file

FIXTURES = Path(__file__).resolve().parent / "fixtures"

LAW = """某市儿童福利条例

2023年6月1日 某市第十六届人民代表大会常务委员会第三次会议通过

第一章 总 则

第一条 为了保障儿童合法权益，制定本条例。

第二条 本条例适用于本市行政区域内的儿童福利工作。

市民政部门负责儿童福利工作；区民政部门负责本辖区的儿童福利工作。

第二章 保 障

第三条 儿童福利机构应当做好下列工作：

（一）收留抚养孤儿；

（二）为困境儿童提供临时照护。

第四条 违反本条例第三条规定的，依照有关法律处理。
"""


LAW_TRADITIONAL = """某市兒童福利條例

第一條 為了保障兒童合法權益，制定本條例。

第二條 本條例適用於本市行政區域內的兒童福利工作。

第三條 兒童福利機構應當做好下列工作：

（一）收留撫養孤兒；

第四條 違反本條例第三條規定的，依照有關法律處理。
"""


def check_law(doc):
    arts = [c for c in doc.clauses if c.kind == "article"]
    assert [c.id.split("#")[1] for c in arts] == ["第一条", "第二条", "第三条", "第四条"]
    assert doc.title == "某市儿童福利条例"
    assert [c.text.replace(" ", "") for c in doc.clauses if c.kind == "heading"] == ["第一章总则", "第二章保障"]
    item = next(c for c in doc.clauses if c.id.endswith("#第三条.第一款.第二项"))
    assert item.text == "（二）为困境儿童提供临时照护。"
    assert next(c for c in doc.clauses if c.id.endswith("#第二条.第二款")).citation == "《某市儿童福利条例》第二条第二款"


@pytest.mark.parametrize("encoding,prefix,newline", [
    ("utf-8", b"", "\n"),
    ("utf-8", b"\xef\xbb\xbf", "\n"),  # BOM
    ("gbk", b"", "\r\n"),
    ("gb18030", b"", "\n"),
    ("big5", b"", "\r\n"),
])
def test_text_encodings_and_line_ends(tmp_path, encoding, prefix, newline):
    text = LAW_TRADITIONAL if encoding == "big5" else LAW  # Big5 holds traditional characters only
    path = tmp_path / f"law_{encoding}.txt"
    path.write_bytes(prefix + text.replace("\n", newline).encode(encoding))
    doc = load_file(path)
    assert "\r" not in doc.body and "\ufeff" not in doc.body
    if encoding == "big5":
        assert "第三條" in doc.body and len([c for c in doc.clauses if c.kind == "article"]) == 4
        return
    check_law(doc)
    assert doc.adopted == "2023-06-01" and doc.issuer == "某市人民代表大会常务委员会"
    assert doc.level == "地方性法规"


def test_full_and_half_width_punctuation_kept_as_written(tmp_path):
    path = tmp_path / "mixed.txt"
    path.write_text("某规定\n\n第一条 半角,逗号;与全角，逗号；都保留(原样)。\n", encoding="utf-8")
    doc = load_file(path)
    assert "半角,逗号;与全角，逗号；都保留(原样)。" in doc.body


def test_zero_width_characters_are_dropped(tmp_path):
    path = tmp_path / "zw.md"
    path.write_text("# 某条例\n\n<!-- INFO END -->\n\n## 第一章 总则\n\n\u200b\n\n第一条 内\u200b容。\n", encoding="utf-8")
    doc = load_file(path)
    assert "\u200b" not in doc.body and "第一条 内容。" in doc.body


def test_html_government_page():
    doc = load_file(FIXTURES / "notice_page.html")
    assert doc.title == "2025年某区儿童友好社区建设工作方案"
    assert doc.issuing_notice == "某区未成年人保护委员会关于印发《2025年某区儿童友好社区建设工作方案》的通知"
    assert doc.issuer == "某区未成年人保护委员会" and doc.info["发布机构"] == "某区民政局" and doc.doc_number == "某未保委〔2025〕3 号"
    assert doc.published == "2025-03-18" and doc.adopted == "2025-03-12"
    assert doc.info["索取号"] == "TEST-2025-00017" and doc.info["公开类别"] == "主动公开"
    for furniture in ("首页", "当前位置", "字体", "打印本页", "政策性文件留言咨询", "版权所有", "var _hmt", "索取号",
                      "网站地图"):
        assert furniture not in doc.body, furniture
    kinds = {c.id.split("#")[1]: c.kind for c in doc.clauses}
    assert kinds["通知"] == "preamble" and kinds["落款"] == "signature" and kinds["标题"] == "heading"
    assert kinds["二"] == "heading" and kinds["二.（二）"] == "paragraph" and kinds["三.一是"] == "paragraph"
    p = next(c for c in doc.clauses if c.id.endswith("#二.（一）"))
    assert p.citation == "《2025年某区儿童友好社区建设工作方案》第二部分第一项" and p.headings == ("二、主要任务",)


def test_html_furniture_recognised_by_text_not_only_by_markup(tmp_path):
    page = ("<html><head><title>某区关于做好暑期儿童安全工作的通知 - 某区政府网</title></head><body>"
            "<div>首页 &gt; 通知公告</div><div><p>各街镇：</p><p>一、加强巡查</p><p>请各街镇加强水域巡查。</p>"
            "<p>政策性文件留言咨询</p><p>（注：只接收相关咨询）</p></div></body></html>")
    path = tmp_path / "page.htm"
    path.write_text(page, encoding="utf-8")
    doc = load_file(path)
    assert doc.title == "某区关于做好暑期儿童安全工作的通知"
    assert "留言" not in doc.body and "首页" not in doc.body and "请各街镇加强水域巡查。" in doc.body


def test_html_in_gbk_with_declared_charset(tmp_path):
    page = ('<html><head><meta charset="gbk"><title>某办法</title></head><body><h1>某办法</h1>'
            "<p>第一条 为了规范管理，制定本办法。</p><p>第二条 本办法自发布之日起施行。</p></body></html>")
    path = tmp_path / "gbk.html"
    path.write_bytes(page.encode("gbk"))
    doc = load_file(path)
    assert doc.title == "某办法" and [c.citation for c in doc.clauses if c.kind == "article"] == [
        "《某办法》第一条", "《某办法》第二条"]


def test_docx_with_heading_styles(tmp_path):
    import docx

    d = docx.Document()
    d.add_heading("某市未成年人保护工作办法", level=0)
    d.add_heading("第一章 总则", level=1)
    d.add_paragraph("第一条 为了做好未成年人保护工作，制定本办法。")
    d.add_heading("第二章 职责", level=1)
    d.add_paragraph("第二条 民政部门履行下列职责：")
    d.add_paragraph("（一）统筹协调；")
    d.add_paragraph("（二）督促检查。")
    table = d.add_table(rows=1, cols=2)
    table.rows[0].cells[0].text = "附表"
    table.rows[0].cells[1].text = "联系电话12345"
    path = tmp_path / "rules.docx"
    d.save(path)
    doc = load_file(path)
    assert doc.title == "某市未成年人保护工作办法"
    heads = [c for c in doc.clauses if c.kind == "heading"]
    assert [c.id.split("#")[1] for c in heads] == ["第一章", "第二章"]
    item = next(c for c in doc.clauses if c.id.endswith("#第二条.第一款.第二项"))
    assert item.text == "（二）督促检查。" and item.headings == ("第二章 职责",)
    assert "附表 联系电话12345" in doc.body


def _minimal_pdf_without_text(path: Path, pages: int = 2) -> None:
    """A valid PDF whose pages carry no text (what a scanner without OCR produces, minus the images)."""
    objs = ["<< /Type /Catalog /Pages 2 0 R >>",
            f"<< /Type /Pages /Kids [{' '.join(f'{3 + i} 0 R' for i in range(pages))}] /Count {pages} >>"]
    objs += ["<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>"] * pages
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for n, body in enumerate(objs, 1):
        offsets.append(len(out))
        out += f"{n} 0 obj\n{body}\nendobj\n".encode()
    xref = len(out)
    out += f"xref\n0 {len(objs) + 1}\n0000000000 65535 f \n".encode()
    out += "".join(f"{o:010d} 00000 n \n" for o in offsets).encode()
    out += f"trailer\n<< /Size {len(objs) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    path.write_bytes(bytes(out))


def test_pdf_without_text_layer_is_reported(tmp_path):
    path = tmp_path / "scan.pdf"
    _minimal_pdf_without_text(path)
    with pytest.raises(IngestError, match="no text layer"):
        load_file(path)


@pytest.fixture(scope="module")
def chromium():
    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    if not exe:
        pytest.skip("chromium not installed: cannot print a PDF fixture")
    return exe


def test_pdf_with_text_layer(tmp_path, chromium):
    paragraphs = "".join(f"<p>{line}</p>" for line in LAW.splitlines() if line.strip())
    html = tmp_path / "law.html"
    html.write_text(f"<html><head><meta charset='utf-8'><title>某市儿童福利条例</title></head>"
                    f"<body style='font-family:Noto Sans CJK SC;width:220px'>{paragraphs}</body></html>",
                    encoding="utf-8")  # narrow: long paragraphs wrap over several PDF lines
    pdf = tmp_path / "law.pdf"
    subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer",
                    f"--print-to-pdf={pdf}", html.as_uri()], check=True, capture_output=True, timeout=120)
    doc = load_file(pdf)
    check_law(doc)
    kuan = next(c for c in doc.clauses if c.id.endswith("#第二条.第二款"))
    assert kuan.text == "市民政部门负责儿童福利工作；区民政部门负责本辖区的儿童福利工作。"  # wrapped lines re-joined


@pytest.mark.parametrize("name,content,reason", [
    ("empty.txt", b"", "empty file"),
    ("blank.md", b"  \n\n \n", "empty file"),
    ("blob.txt", bytes(range(256)) * 20, "binary"),
    ("image.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "unsupported file type '.png'"),
    ("broken.docx", b"PK\x03\x04 not really a zip", "not a readable .docx"),
    ("broken.pdf", b"%PDF-1.4\n garbage", "PDF"),
    ("title_only.md", "# 只有标题\n\n<!-- INFO END -->\n".encode(), "no text"),
])
def test_bad_input_is_reported_with_its_reason(tmp_path, name, content, reason):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(IngestError, match=reason.replace("(", r"\(").replace(".", r"\.")) as err:
        load_file(path)
    assert err.value.path == str(path)


def test_undecodable_text(tmp_path):
    path = tmp_path / "mojibake.txt"
    path.write_bytes(b"\x81\x30" * 50 + b"\xff\xfe\xfd" * 40)
    with pytest.raises(IngestError, match="undecodable|binary"):
        load_file(path)


def test_a_bad_file_never_aborts_the_batch(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "a.txt").write_text(LAW, encoding="utf-8")
    (tmp_path / "sub" / "empty.txt").write_bytes(b"")
    (tmp_path / "sub" / "x.xls").write_bytes(b"\xd0\xcf\x11\xe0")
    (tmp_path / "sub" / "plain.txt").write_text("会议纪要\n\n大家讨论了暑期安排。\n\n会议决定下周再议。\n", encoding="utf-8")
    (tmp_path / "README.md").write_text("# about this folder\n", encoding="utf-8")
    result = ingest_paths([tmp_path])
    assert sorted(Path(d.source_path).name for d in result.documents) == ["a.txt", "plain.txt"]
    problems = {Path(p.path).name: p for p in result.problems}
    assert problems["empty.txt"].fatal and problems["x.xls"].fatal
    assert not problems["plain.txt"].fatal and "no structure recognised" in problems["plain.txt"].reason
    plain = next(d for d in result.documents if d.source_path.endswith("plain.txt"))
    assert [c.id.split("#")[1] for c in plain.clauses] == ["段1", "段2"]


def test_html_notice_with_div_info_line_and_trailing_signature(tmp_path):
    page = """<html><head><meta charset="utf-8"><title>关于开展2025年暑期未成年人保护专项行动的通知</title></head><body>
    <ul class="menu"><li>首页</li><li>政务公开</li></ul>
    <div class="article">
      <h1>关于开展2025年暑期未成年人保护专项行动的通知</h1>
      <div class="meta"><span>来源：某区民政局</span> <span>发布时间：2025-07-01</span></div>
      <div class="share-bar">分享到：微信 微博</div>
      <div class="content">
        <p>各街镇未成年人保护工作站：</p>
        <p>为做好暑期未成年人保护工作，现就有关事项通知如下。</p>
        <p>一、加强水域安全巡查。各街镇每周至少巡查一次，发现隐患及时处置。</p>
        <p>二、做好困境儿童走访。儿童主任每月走访一次。</p>
        <p>某区民政局</p>
        <p>2025年6月30日</p>
      </div>
    </div></body></html>"""
    path = tmp_path / "summer.html"
    path.write_text(page, encoding="utf-8")
    doc = load_file(path)
    assert doc.title == "关于开展2025年暑期未成年人保护专项行动的通知" and doc.issuing_notice == ""
    assert doc.issuer == "某区民政局" and doc.published == "2025-07-01" and doc.adopted == "2025-06-30"
    assert "分享" not in doc.body and "首页" not in doc.body and "来源" not in doc.body
    by_id = {c.id.split("#")[1]: c for c in doc.clauses}
    assert by_id["一"].kind == "paragraph" and by_id["一"].citation == f"《{doc.title}》第一部分"
    assert by_id["落款"].kind == "signature" and by_id["落款"].text.split() == ["某区民政局", "2025年6月30日"]
    assert by_id["段1"].text == "各街镇未成年人保护工作站："


def test_worker_processes_give_the_same_result(tmp_path):
    for i in range(4):
        (tmp_path / f"law{i}.txt").write_text(LAW.replace("某市", f"第{i}市"), encoding="utf-8")
    (tmp_path / "empty.txt").write_bytes(b"")
    one, two = ingest_paths([tmp_path]), ingest_paths([tmp_path], workers=2)
    assert [d.to_dict() for d in one.documents] == [d.to_dict() for d in two.documents]
    assert one.problems == two.problems and len(one.documents) == 4


def test_furniture_words_inside_sentences_never_cut_the_text(tmp_path):
    path = tmp_path / "rules.txt"
    path.write_text("某办法\n\n第一条 相关文件由市民政局另行制定。\n\n第二条 打印本页的说明不是家具。\n", encoding="utf-8")
    doc = load_file(path)
    assert [c.id.split("#")[1] for c in doc.clauses if c.kind == "article"] == ["第一条", "第二条"]


def test_untitled_text_takes_its_file_name(tmp_path):
    path = tmp_path / "关于做好寒假安全工作的通知.txt"
    path.write_text("各区民政局：\n\n请做好寒假期间儿童安全工作。\n", encoding="utf-8")
    doc = load_file(path)
    assert doc.title == "关于做好寒假安全工作的通知" and doc.body.startswith("各区民政局：")
