"""The QC catalogue page shows codes as words: the tiers a test is required for by name."""

import pytest

pytestmark = pytest.mark.django_db


def test_the_catalogue_names_the_tiers_in_words(client_for):
    page = client_for("bank_technician").get("/quality/").content.decode()
    assert "Master cell bank" in page and "Working cell bank" in page
    assert "mcb, " not in page and ", wcb" not in page
