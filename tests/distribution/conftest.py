import pytest

from tests.distribution.setups import available_line


@pytest.fixture(autouse=True)
def locmem_mail(settings):
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}


@pytest.fixture
def line(users):
    return available_line(users)


@pytest.fixture(autouse=True)
def licence(db):
    from tests.distribution.setups import ensure_licence

    ensure_licence()
