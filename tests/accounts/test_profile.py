"""Your own account page, reached from the name in the header."""


def test_the_header_name_leads_to_the_profile_with_roles_and_institution(client_for):
    client = client_for("curator")
    home = client.get("/work/", follow=True).content.decode()
    assert 'href="/accounts/profile/"' in home
    page = client.get("/accounts/profile/").content.decode()
    assert "National Stem Cell Bank (NSCB)" in page
    assert "Curator" in page
    assert 'href="/accounts/tokens/"' in page


def test_a_user_without_roles_is_told_whom_to_ask(db):
    from django.test import Client

    from tests.conftest import make_user

    client = Client()
    client.force_login(make_user("newcomer", None))
    page = client.get("/accounts/profile/").content.decode()
    assert "None yet: ask your institution's administrator" in page


def test_the_profile_needs_a_login(db):
    from django.test import Client

    answer = Client().get("/accounts/profile/")
    assert answer.status_code == 302
    assert "/accounts/login/" in answer["Location"]
