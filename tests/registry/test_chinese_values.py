"""Lines, donors and diseases written in Chinese, through the staff form and the API: names and
free text take any Unicode (only control characters and bidirectional overrides are refused),
a disease named in Chinese folds to its term, and a line's Chinese name is kept and versioned."""

import json

import pytest

from stemhub.registry import services
from stemhub.registry.diseases import find_term, fold_disease
from stemhub.registry.models import CellLine
from tests.registry.lines import publishable
from tests.registry.test_pages import form_post

CHINESE_TEXT = {
    "description": "由帕金森病患者皮肤成纤维细胞经仙台病毒重编程获得。",
    "culture_medium": "mTeSR1 培养基（含 1% 青霉素-链霉素）",
    "consent_reference": "知情同意书 第2.1版",
    "ethics_approval": "北京市医学伦理委员会 2023-伦审-017",
    "restrictions": "仅限科研使用，不得用于生殖目的。",
    "jurisdiction": "中国",
}


def post(client, url, payload):
    return client.post(url, json.dumps(payload), content_type="application/json")


def test_a_line_registered_through_the_form_keeps_its_chinese_text(users, client_for):
    answer = client_for("curator").post(
        "/staff/lines/new/",
        form_post(
            name_zh="帕金森病患者来源诱导多能干细胞系",
            donor_code="供者-07",
            donor_ethnicity="汉族",
            donor_diseases="DOID | DOID:14330 | 帕金森病",
            donor_medical_history="57岁发病；LRRK2 G2019S 杂合突变。",
            **CHINESE_TEXT,
        ),
    )
    assert answer.status_code == 302, answer.content.decode()
    record = services._fresh_record(CellLine.objects.get(name="NSCBi010-A"))
    assert record["name_zh"] == "帕金森病患者来源诱导多能干细胞系"
    assert {key: record[key] for key in CHINESE_TEXT} == CHINESE_TEXT
    assert record["donor"]["code"] == "供者-07"
    assert record["donor"]["ethnicity"] == "汉族"
    assert record["donor"]["medical_history"] == "57岁发病；LRRK2 G2019S 杂合突变。"
    # One label per disease in the catalogue: the Chinese name folds to the term's.
    assert record["donor"]["diseases"][0]["label"] == "Parkinson's disease"

    page = client_for("curator").get("/staff/lines/NSCBi010-A/").content.decode()
    assert "帕金森病患者来源诱导多能干细胞系" in page and "仅限科研使用" in page
    edit = client_for("curator").get("/staff/lines/NSCBi010-A/edit/").content.decode()
    assert 'value="帕金森病患者来源诱导多能干细胞系"' in edit


def test_the_form_refuses_a_chinese_name_with_a_bidirectional_override(users, client_for):
    answer = client_for("curator").post(
        "/staff/lines/new/", form_post(name_zh="人胚胎\u202e干细胞系")
    )
    assert answer.status_code == 400
    assert "U+202E" in answer.content.decode()
    assert not CellLine.objects.filter(name="NSCBi010-A").exists()


def test_the_api_takes_and_returns_chinese_values(client_for):
    curator = client_for("curator")
    data = publishable(
        name_zh="人胚胎干细胞系 H9",
        donor={
            "code": "D-001",
            "sex": "female",
            "ethnicity": "汉族",
            "diseases": [{"ontology": "DOID", "term_id": "", "label": "阿尔茨海默病"}],
        },
        **CHINESE_TEXT,
    )
    created = post(curator, "/api/v1/cell-lines", data)
    assert created.status_code == 201, created.json()
    body = curator.get("/api/v1/cell-lines/NSCBi001-A").json()
    assert body["name_zh"] == "人胚胎干细胞系 H9"
    assert {key: body[key] for key in CHINESE_TEXT} == CHINESE_TEXT
    assert body["donor"]["diseases"][0] == {
        "ontology": "DOID",
        "term_id": "DOID:10652",
        "label": "Alzheimer's disease",
        "affected": True,
        "primary": True,
    }
    listed = curator.get("/api/v1/registry/cell-lines").json()["items"]
    assert [item["name_zh"] for item in listed] == ["人胚胎干细胞系 H9"]


def test_a_change_of_the_chinese_name_is_a_version_with_old_and_new(users, client_for):
    curator = users["curator"]
    line = services.cell_line_create(actor=curator, data=publishable(name_zh="旧名称"))
    for step in (services.cell_line_submit, services.cell_line_start_review):
        line = step(actor=curator, line=line)
    line = services.cell_line_publish(actor=curator, line=line)
    answer = client_for("curator").patch(
        "/api/v1/cell-lines/NSCBi001-A",
        json.dumps({"name_zh": "阿尔茨海默病患者来源诱导多能干细胞系", "reason": "补充中文名称"}),
        content_type="application/json",
    )
    assert answer.status_code == 200, answer.json()
    version = line.versions.order_by("-number").first()
    assert version.changes["name_zh"] == ["旧名称", "阿尔茨海默病患者来源诱导多能干细胞系"]
    assert version.note == "补充中文名称"


def test_the_api_refuses_a_chinese_name_longer_than_the_registry_holds(client_for):
    answer = post(client_for("curator"), "/api/v1/cell-lines", publishable(name_zh="细" * 201))
    assert answer.status_code == 400
    assert "name_zh" in answer.json()["error"]["fields"]


@pytest.mark.parametrize(
    ("label", "term"),
    [
        ("帕金森病", "Parkinson's disease"),
        ("帕金森氏病", "Parkinson's disease"),
        ("渐冻症", "Amyotrophic lateral sclerosis"),
        ("21三体综合征", "Down syndrome"),
        ("1型糖尿病", "Type 1 diabetes mellitus"),
    ],
)
def test_a_disease_named_in_chinese_folds_to_its_term(label, term):
    assert find_term(label=label).label == term
    folded = fold_disease({"label": label, "term_id": ""})
    assert folded["label"] == term and folded["term_id"].startswith(("DOID:", "NCIt"))


def test_every_curated_disease_has_a_chinese_name():
    from stemhub.registry.diseases import TERMS

    assert all(term.label_zh for term in TERMS)
