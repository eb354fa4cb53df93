"""Institutions and people have an English and a Chinese name: both stored, both searchable, the
one of the interface language shown first with the other after it, both in the API."""

import importlib

import pytest
from django.apps import apps
from django.test import Client
from django.utils import translation

from stemhub.accounts import services
from stemhub.accounts.models import Institution, User
from stemhub.audit.models import AuditEvent
from stemhub.core.auth import printed_name
from stemhub.core.errors import InvalidInput, full_clean
from stemhub.core.names import name_pair

pytestmark = pytest.mark.django_db

ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-CN"}


@pytest.fixture
def chinese_bank(bank) -> Institution:
    bank.name_zh = "国家干细胞资源库"
    bank.city = "北京"
    bank.save()
    return bank


def test_the_name_of_the_interface_language_comes_first():
    assert name_pair("National Stem Cell Bank", "国家干细胞资源库") == (
        "National Stem Cell Bank",
        "国家干细胞资源库",
    )
    with translation.override("zh-hans"):
        assert name_pair("National Stem Cell Bank", "国家干细胞资源库") == (
            "国家干细胞资源库",
            "National Stem Cell Bank",
        )
        assert name_pair("National Stem Cell Bank", "") == ("National Stem Cell Bank", "")
    assert name_pair("", "国家干细胞资源库") == ("国家干细胞资源库", "")
    assert name_pair("Same", "Same") == ("Same", "")


def test_an_institution_shows_its_name_in_the_interface_language(chinese_bank):
    assert str(chinese_bank) == "National Stem Cell Bank (NSCB)"
    with translation.override("zh-hans"):
        assert str(chinese_bank) == "国家干细胞资源库 (NSCB)"
        assert chinese_bank.other_name == "National Stem Cell Bank"


def test_two_institutions_cannot_share_a_chinese_name_but_may_both_have_none(chinese_bank):
    Institution.objects.create(name="A Bank", kind="stem_cell_bank", provider_code="ABK")
    Institution.objects.create(name="B Bank", kind="stem_cell_bank", provider_code="BBK")
    twin = Institution(
        name="Twin Bank", name_zh="国家干细胞资源库", kind="stem_cell_bank", provider_code="TWB"
    )
    with pytest.raises(InvalidInput, match="already has this Chinese name"):
        full_clean(twin, validate_constraints=True)


def test_a_chinese_name_with_a_bidirectional_override_is_refused(bank):
    bank.name_zh = "国家\u202e干细胞资源库"
    with pytest.raises(InvalidInput, match="U\\+202E"):
        full_clean(bank, validate_constraints=True)


def test_a_member_added_through_the_page_keeps_their_chinese_name(users, bank, client_for):
    client = client_for("institution_admin")
    form = client.get("/accounts/institutions/NSCB/members/new/")
    assert b'name="name_zh"' in form.content
    answer = client.post(
        "/accounts/institutions/NSCB/members/new/",
        {
            "username": "zhang.wei",
            "email": "zhang.wei@example.org",
            "first_name": "Wei",
            "last_name": "Zhang",
            "name_zh": " 张伟 ",
            "roles": ["bank_technician"],
        },
    )
    assert answer.status_code == 302
    member = User.objects.get(username="zhang.wei")
    assert (member.get_full_name(), member.name_zh) == ("Wei Zhang", "张伟")

    english = client.get("/accounts/institutions/NSCB/members/").content.decode()
    assert 'Wei Zhang<span class="other-name"> (<span lang="zh-hans">张伟</span>)' in english
    chinese = client.get("/accounts/institutions/NSCB/members/", **ZH).content.decode()
    assert '张伟<span class="other-name">（<span lang="en">Wei Zhang</span>）' in chinese


def test_first_and_last_names_may_be_chinese_characters_too(users, bank):
    member = services.member_add(
        actor=users["institution_admin"],
        institution=bank,
        username="li.na",
        email="li.na@example.org",
        first_name="娜",
        last_name="李",
        name_zh="李娜",
        roles=["researcher"],
        mail=False,
    )
    assert member.get_full_name() == "娜 李" and member.name_zh == "李娜"


def test_an_admin_corrects_a_members_names_on_the_member_page(users, client_for):
    client = client_for("institution_admin")
    url = "/accounts/institutions/NSCB/members/researcher/"
    page = client.get(url).content.decode()
    assert 'id="names-name_zh"' in page
    saved = client.post(
        url + "names/", {"first_name": "Fang", "last_name": "Wang", "name_zh": "王芳"}
    )
    assert saved.status_code == 302
    member = User.objects.get(username="researcher")
    assert (member.first_name, member.last_name, member.name_zh) == ("Fang", "Wang", "王芳")
    event = AuditEvent.objects.filter(model="accounts.user", row_pk=str(member.pk)).last()
    assert event.new_values["name_zh"] == "王芳" and event.actor_label == "institution_admin"

    refused = client.post(url + "names/", {"first_name": "", "last_name": "Wang", "name_zh": ""})
    assert refused.status_code == 400
    assert "王芳" in client.get(url, **ZH).content.decode()


def test_the_api_returns_both_names(users, chinese_bank):
    listed = Client().get("/api/v1/institutions").json()
    assert {"name": "National Stem Cell Bank", "name_zh": "国家干细胞资源库"}.items() <= next(
        i for i in listed if i["provider_code"] == "NSCB"
    ).items()
    users["curator"].name_zh = "陈静"
    users["curator"].save()
    client = Client()
    client.force_login(users["curator"])
    me = client.get("/api/v1/me").json()
    assert me["name_zh"] == "陈静" and me["full_name"] == "Curator Tester"
    assert me["institution"]["name_zh"] == "国家干细胞资源库"


def test_the_admin_site_finds_institutions_and_people_by_their_chinese_names(users, chinese_bank):
    users["curator"].name_zh = "陈静"
    users["curator"].save()
    admin = users["platform_admin"]
    admin.is_staff = admin.is_superuser = True
    admin.save()
    client = Client()
    client.force_login(admin)
    found = client.get("/admin/accounts/institution/", {"q": "干细胞"}).content.decode()
    assert "National Stem Cell Bank" in found and "Other Stem Cell Bank" not in found
    people = client.get("/admin/accounts/user/", {"q": "陈静"}).content.decode()
    assert "1 result" in people and ">curator</a>" in people
    change = client.get(f"/admin/accounts/user/{users['curator'].pk}/change/").content.decode()
    assert 'name="name_zh"' in change and 'value="陈静"' in change


def test_a_signature_prints_both_names(users):
    user = users["qa_manager"]
    assert printed_name(user) == "Qa Tester"
    user.name_zh = "聂鹏"
    assert printed_name(user) == "Qa Tester (聂鹏)"
    user.first_name = user.last_name = ""
    assert printed_name(user) == "聂鹏"


def test_the_migration_copies_names_typed_in_chinese_into_the_chinese_name(bank):
    chinese = Institution.objects.create(
        name="天津市脐带血造血干细胞库", kind="cord_blood_bank", provider_code="TJCB"
    )
    person = User.objects.create_user(
        username="liu", first_name="洋", last_name="刘", institution=bank
    )
    latin = User.objects.create_user(username="nils", first_name="Nils", last_name="Ek")
    migration = importlib.import_module("stemhub.accounts.migrations.0004_chinese_names")
    migration.copy_chinese_names(apps, None)
    chinese.refresh_from_db()
    bank.refresh_from_db()
    assert chinese.name_zh == "天津市脐带血造血干细胞库" and bank.name_zh == ""
    person.refresh_from_db()
    latin.refresh_from_db()
    assert person.name_zh == "刘洋" and latin.name_zh == ""
