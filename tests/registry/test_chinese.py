"""The registry in Chinese: the staff pages and the line form read in Chinese, the form's rows
accept the choices as a Chinese reader sees them, and a refusal names the row in Chinese."""

import pytest
from django.utils import translation

from stemhub.registry.form_rows import ROW_FORMATS, format_rows, parse_rows
from stemhub.registry.forms import LineForm
from tests.registry.test_pages import form_post, line_in

CHINESE = {"HTTP_ACCEPT_LANGUAGE": "zh-CN,zh;q=0.9"}


@pytest.fixture(autouse=True)
def _english_afterwards():
    """A Chinese request leaves Chinese active in this thread: the next test reads English."""
    with translation.override("en"):
        yield


def test_the_staff_line_page_reads_in_chinese(users, client_for):
    line_in(users, "in_review")
    page = client_for("curator").get("/staff/lines/NSCBi001-A/", **CHINESE).content.decode()
    for words in ("发布检查清单", "审核中", "供者", "多能性标志物", "伦理与知情同意", "历史"):
        assert words in page
    for english in ("Publication checklist", "In review", "Ethics and consent", "History"):
        assert english not in page


def test_the_line_form_reads_in_chinese(users, client_for):
    page = client_for("curator").get("/staff/lines/new/", **CHINESE).content.decode()
    assert "标准名称" in page and "每行一条：标志物 | 方法 | 结果（positive, negative）" in page
    assert "Standard name" not in page and "One per line" not in page


def test_a_refused_row_is_named_in_chinese(users, client_for):
    answer = client_for("curator").post(
        "/staff/lines/new/", form_post(markers="OCT4 | immunostaining | maybe"), **CHINESE
    )
    assert answer.status_code == 400
    assert (
        "第 1 行：结果 &#x27;maybe&#x27; 不是以下之一：positive, negative"
        in answer.content.decode()
    )


def test_rows_take_the_choices_and_words_in_either_language():
    markers, karyotypes = ROW_FORMATS["markers"], ROW_FORMATS["karyotypes"]
    with translation.override("zh-hans"):
        assert parse_rows("OCT4 | 免疫染色 | 阳性", markers)[0]["result"] == "positive"
        assert parse_rows("46,XX | G 显带 | 15 | 正常", karyotypes)[0]["normal"] is True
        assert parse_rows("46,XX | G 显带 | 15 | abnormal", karyotypes)[0]["normal"] is False
        assert format_rows([{"karyotype": "46,XX", "normal": True}], karyotypes) == (
            "46,XX |  |  | 正常"
        )
    with translation.override("en"):
        assert parse_rows("OCT4 | IF | Positive", markers)[0]["result"] == "positive"
        assert format_rows([{"karyotype": "46,XX", "normal": True}], karyotypes) == (
            "46,XX |  |  | normal"
        )


def test_the_help_text_follows_the_language_of_each_request():
    help_text = LineForm.base_fields["markers"].help_text
    with translation.override("en"):
        assert str(help_text).startswith("One per line: marker | method | result (positive")
    with translation.override("zh-hans"):
        assert str(help_text).startswith("每行一条：标志物 | 方法 | 结果（positive, negative）")
