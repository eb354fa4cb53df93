import pytest
from django.utils import translation

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


@pytest.fixture(autouse=True)
def language_reset():
    """A page asked for in Chinese leaves Chinese active in the thread (LocaleMiddleware
    activates, nothing deactivates): the next test starts in the default language again."""
    yield
    translation.deactivate()
