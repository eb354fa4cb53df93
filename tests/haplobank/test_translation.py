"""The haplobank pages read Chinese (tests/core/test_i18n.py checks every marked string)."""

import pytest

from tests.haplobank.support import H1, H2, PK, chn_set, gl, line, patient

pytestmark = pytest.mark.django_db


def test_the_pages_read_chinese(users, client_for, settings):
    chn_set(users)
    line(users, "NSCBi001-A", gl(H1, H1), published=True)
    patient(users["search_coordinator"].institution, gl(H1, H2))
    client = client_for("search_coordinator")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    plan = client.get("/haplobank/").content.decode()
    assert "单倍型库规划" in plan and "纯合细胞系数量" in plan
    holdings = client.get(f"/haplobank/patients/{PK}/").content.decode()
    assert "适合该患者" in holdings and "NSCBi001-A" in holdings
