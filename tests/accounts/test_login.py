"""Login, logout and password reset through the pages."""

from django.core import mail
from django.test import Client

from tests.conftest import PASSWORD


def test_a_user_logs_in_and_out(users):
    client = Client()
    page = client.get("/accounts/login/")
    assert page.status_code == 200
    answer = client.post("/accounts/login/", {"username": "curator", "password": PASSWORD})
    assert answer.status_code == 302
    assert client.get("/api/v1/me").json()["username"] == "curator"
    client.post("/accounts/logout/")
    assert client.get("/api/v1/me").status_code == 401


def test_a_wrong_password_is_refused_with_a_message(users):
    answer = Client().post("/accounts/login/", {"username": "curator", "password": "nope"})
    assert answer.status_code == 200
    assert b"enter a correct username and password" in answer.content.lower()


def test_password_reset_sends_a_link_that_sets_a_new_password(users, settings):
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    client = Client()
    client.post("/accounts/password-reset/", {"email": "curator@example.org"})
    assert len(mail.outbox) == 1
    link = next(w for w in mail.outbox[0].body.split() if "/accounts/reset/" in w)
    path = link[link.index("/accounts/reset/") :]
    form = client.get(path, follow=True)
    assert form.status_code == 200
    new_password = "a much longer passphrase 42"
    done = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": new_password, "new_password2": new_password},
    )
    assert done.status_code == 302
    assert Client().login(username="curator", password=new_password)


def test_the_login_page_says_which_account_and_links_the_open_catalogue(db):
    page = Client().get("/accounts/login/").content.decode()
    assert "Use the account your institution gave you" in page
    assert "Ask the stemhub administrator of your institution" in page
    assert 'href="/lines/"' in page


def test_a_wrong_password_warns_of_the_lockout_limit(users, settings):
    answer = Client().post("/accounts/login/", {"username": "curator", "password": "nope"})
    assert f"After {settings.AXES_FAILURE_LIMIT} wrong passwords" in answer.content.decode()
