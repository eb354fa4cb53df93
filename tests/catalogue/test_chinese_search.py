"""The catalogue finds a line by its Chinese name, by any part of it (one, two or more
characters), by the Chinese name of its disease or provider, and still by its English names, on
SQLite and on PostgreSQL (`DB=pg t ...`); on PostgreSQL through the trigram indexes."""

import pytest
from django.db import connection

from stemhub.catalogue.grams import cjk_grams, gram_text, short_cjk_grams
from stemhub.catalogue.models import CatalogueEntry
from stemhub.catalogue.selectors import _text_filtered, search_terms
from tests.catalogue.lines import ALZHEIMER, PARKINSON, make

ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-CN"}
LIVER_CANCER = {"ontology": "DOID", "term_id": "DOID:686", "label": "liver carcinoma"}


@pytest.fixture
def chinese_lines(users, bank):
    bank.name_zh = "国家干细胞资源库"
    bank.save()
    curator = users["curator"]
    make(curator, "NSCBi001-A", disease=PARKINSON, name_zh="帕金森病患者来源诱导多能干细胞系")
    make(
        curator,
        "NSCBe003-A",
        line_type="hESC",
        derivation_method="embryo",
        vector="",
        source_cell_type="",
        source_cell_type_id="",
        name_zh="人胚胎干细胞系 3号",
        synonyms=["hES-3"],
    )
    make(curator, "NSCBi002-A", disease=ALZHEIMER)
    make(curator, "NSCBi004-A", disease=LIVER_CANCER, name_zh="肝癌患者来源诱导多能干细胞系")


def found(client, q, **headers):
    answer = client.get("/api/v1/cell-lines", {"q": q}, **headers)
    assert answer.status_code == 200, answer.content
    return [item["name"] for item in answer.json()["items"]]


def test_the_whole_chinese_name_finds_its_line_first(chinese_lines, client):
    assert found(client, "帕金森病患者来源诱导多能干细胞系")[0] == "NSCBi001-A"


@pytest.mark.parametrize(
    ("part", "lines"),
    [
        ("干细胞", {"NSCBi001-A", "NSCBe003-A", "NSCBi004-A", "NSCBi002-A"}),  # 3 characters
        # inside a longer name, and the Chinese of the type "hiPSC" (NSCBi002-A has no name_zh)
        ("诱导多能干细胞", {"NSCBi001-A", "NSCBi004-A", "NSCBi002-A"}),
        ("胚胎", {"NSCBe003-A"}),  # two characters: no trigram of its own
        ("肝癌", {"NSCBi004-A"}),
        ("肝", {"NSCBi004-A"}),  # one character
        ("帕金森", {"NSCBi001-A"}),
        ("干细胞系", {"NSCBi001-A", "NSCBe003-A", "NSCBi004-A"}),
    ],
)
def test_any_part_of_a_chinese_name_finds_the_line(chinese_lines, client, part, lines):
    # 干细胞 is in the provider's Chinese name too: every line of the bank has it.
    assert set(found(client, part)) == lines


def test_a_chinese_term_that_is_nowhere_finds_nothing(chinese_lines, client):
    assert found(client, "脐带血") == []
    assert found(client, "癌干") == []  # both characters present, never adjacent


def test_the_chinese_name_of_a_disease_finds_lines_without_a_chinese_name(chinese_lines, client):
    assert found(client, "阿尔茨海默病") == ["NSCBi002-A"]
    assert found(client, "帕金森病") == ["NSCBi001-A"]


def test_the_chinese_name_of_the_provider_finds_its_lines(chinese_lines, client):
    assert len(found(client, "国家干细胞资源库")) == 4


def test_english_names_still_find_the_lines(chinese_lines, client):
    assert found(client, "NSCBi001-A")[0] == "NSCBi001-A"
    assert found(client, "hES-3")[0] == "NSCBe003-A"
    assert found(client, "parkinson") == ["NSCBi001-A"]


def test_chinese_and_english_terms_together_narrow(chinese_lines, client):
    assert set(found(client, "诱导多能 NSCBi004")) == {"NSCBi004-A"}
    assert found(client, "胚胎 parkinson") == []


def test_results_show_the_chinese_name_and_facets_speak_chinese(chinese_lines, client):
    page = client.get("/lines/", {"q": "干细胞"}).content.decode()
    assert "帕金森病患者来源诱导多能干细胞系" in page and "NSCBi001-A" in page
    answer = client.get("/api/v1/cell-lines", {"q": "干细胞"}, **ZH).json()
    labels = {c["value"]: c["label"] for c in answer["facets"]["disease"]}
    assert labels["Parkinson's disease"] == "帕金森病"
    assert labels["Alzheimer's disease"] == "阿尔茨海默病"
    providers = {c["value"]: c["label"] for c in answer["facets"]["provider"]}
    assert providers == {"National Stem Cell Bank": "国家干细胞资源库"}
    english = client.get("/api/v1/cell-lines", {"q": "干细胞"}).json()
    assert {c["label"] for c in english["facets"]["provider"]} == {"National Stem Cell Bank"}
    chinese_page = client.get("/lines/", {"q": "阿尔茨海默"}, **ZH).content.decode()
    assert "阿尔茨海默病</p>" in chinese_page and "国家干细胞资源库" in chinese_page
    assert (
        "Alzheimer&#x27;s disease</p>"
        in client.get("/lines/", {"q": "阿尔茨海默"}).content.decode()
    )


def test_type_ahead_suggests_a_line_by_the_start_of_its_chinese_name(chinese_lines, client):
    suggestions = client.get("/api/v1/catalogue/suggest", {"q": "人胚胎"}).json()
    assert [s["value"] for s in suggestions] == ["NSCBe003-A"]


def test_the_line_page_and_its_api_record_carry_the_chinese_name(chinese_lines, client):
    page = client.get("/lines/NSCBi004-A/").content.decode()
    assert "肝癌患者来源诱导多能干细胞系" in page
    assert client.get("/api/v1/cell-lines/NSCBi004-A").json()["name_zh"] == (
        "肝癌患者来源诱导多能干细胞系"
    )


def test_an_index_entry_keeps_the_grams_of_its_search_text(chinese_lines):
    entry = CatalogueEntry.objects.get(name="NSCBe003-A")
    assert entry.name_zh == "人胚胎干细胞系 3号"
    assert entry.institution_name_zh == "国家干细胞资源库"
    assert " 胚胎 " in entry.search_grams and " 号 " in entry.search_grams
    assert entry.search_grams == gram_text(entry.search_text)


def test_grams_are_every_character_and_adjacent_pair_once():
    assert cjk_grams("人胚胎 H9 胚胎") == ["人", "人胚", "胚", "胚胎", "胎"]
    assert gram_text("H9 only") == ""
    assert gram_text("肝癌") == " 肝 肝癌 癌 "
    assert short_cjk_grams("肝癌") == ["肝癌"]
    assert short_cjk_grams("干细胞") == []  # has a trigram: the text index finds it
    assert short_cjk_grams("a肝") == ["肝"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="trigram indexes: PostgreSQL only")
@pytest.mark.parametrize(
    ("q", "index"),
    [("干细胞", "catalogue_entry_text_trgm"), ("胚胎", "catalogue_entry_grams_trgm")],
)
def test_postgresql_answers_chinese_searches_from_the_trigram_indexes(chinese_lines, q, index):
    entries = _text_filtered(CatalogueEntry.objects.all(), search_terms(q))
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # four rows: the planner would scan
        sql, params = entries.order_by().values("pk").query.sql_with_params()
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert index in plan, plan


def test_the_downloads_carry_both_names_of_line_and_provider(chinese_lines, client):
    import csv
    import io
    import json

    text = b"".join(client.get("/catalogue.csv").streaming_content).decode("utf-8-sig")
    rows = {r["name"]: r for r in csv.DictReader(io.StringIO(text))}
    assert rows["NSCBi004-A"]["name_zh"] == "肝癌患者来源诱导多能干细胞系"
    assert rows["NSCBi002-A"]["name_zh"] == ""
    assert rows["NSCBi002-A"]["provider_zh"] == "国家干细胞资源库"
    records = json.loads(b"".join(client.get("/catalogue.json").streaming_content))
    assert {r["name"]: r["name_zh"] for r in records}["NSCBe003-A"] == "人胚胎干细胞系 3号"
