"""Dates, promulgation lines, level, region and ids from what the text and its path say."""
from __future__ import annotations

from pathlib import Path

from ingest.metadata import doc_id, file_date, iso_date, level_from, parse_promulgation, region_from


def test_dates_in_their_usual_spellings():
    assert iso_date("2024年4月2日") == "2024-04-02"
    assert iso_date("( 2024-04-10 )") == "2024-04-10"
    assert iso_date("二〇二四年四月二日印发") == "2024-04-02"
    assert iso_date("2024.12.31") == "2024-12-31"
    assert iso_date("第13次会议") is None and iso_date("2024年13月40日") is None


def test_promulgation_lines_with_several_events():
    p = parse_promulgation([
        "（1999年6月28日第九届全国人民代表大会常务委员会第十次会议通过 根据2012年10月26日第十一届全国人民代表大会"
        "常务委员会第二十九次会议《关于修改〈中华人民共和国预防未成年人犯罪法〉的决定》修正 2020年12月26日第十三届"
        "全国人民代表大会常务委员会第二十四次会议修订）",
        "2021年6月1日 施行",
    ])
    assert p.adopted == "1999-06-28" and p.amended == ["2012-10-26", "2020-12-26"] and p.effective == "2021-06-01"
    assert p.issuer == "全国人民代表大会常务委员会"


def test_promulgation_of_administrative_and_judicial_texts():
    assert parse_promulgation(["2019年3月2日 中华人民共和国国务院令第709号修订"]).issuer == "国务院"
    p = parse_promulgation(["2020年12月7日 最高人民法院审判委员会第1820次会议通过", "2021年3月1日 施行"])
    assert p.issuer == "最高人民法院" and p.adopted == "2020-12-07" and p.effective == "2021-03-01"


def test_level_and_region_from_folders_then_titles():
    root = Path("laws")
    assert level_from(root / "社会法" / "未成年人保护法.md", "中华人民共和国未成年人保护法") == "法律"
    assert level_from(root / "DLC/上海地方法规/地方性法规/上海/x.md", "上海市某条例") == "地方性法规"
    assert region_from(root / "DLC/山东地方法规/地方性法规/山东/青岛市某条例.md", "青岛市某条例") == "山东"
    assert level_from(Path("in/x.txt"), "2024年上海市未成年人保护工作要点") == "工作要点"
    assert region_from(Path("in/x.txt"), "2024年上海市未成年人保护工作要点") == "上海"
    assert level_from(Path("in/x.txt"), "最高人民法院关于审理某类案件适用法律若干问题的解释") == "司法解释"
    assert level_from(Path("in/x.txt"), "某条例", issuer="国务院") == "行政法规"
    assert level_from(Path("in/x.txt"), "浙江省某条例", issuer="浙江省人民代表大会常务委员会") == "地方性法规"
    assert region_from(Path("in/x.txt"), "中华人民共和国香港特别行政区基本法") == "全国"


def test_ids_are_readable_and_url_safe():
    assert doc_id("上海市未成年人保护条例", "2024-12-31", "ab" * 32) == "上海市未成年人保护条例@2024-12-31"
    assert doc_id("关于 a/b#c?d 的通知", None, "0123456789abcdef" * 4) == "关于_a_b_c_d_的通知@01234567"
    assert file_date(Path("上海市未成年人保护条例(2024-12-31).md")) == "2024-12-31"
    assert file_date(Path("上海市未成年人保护条例.md")) is None


def test_document_numbers_in_metadata_lines():
    from ingest.metadata import doc_number_in

    assert doc_number_in(["劳社部发[2008]3号"]) == "劳社部发[2008]3号"
    assert doc_number_in(["1993年8月7日 最高人民法院以法发〔1993〕15号印发"]) == "法发〔1993〕15号"
    assert doc_number_in(["2004年11月25日 会议通过"]) == ""
