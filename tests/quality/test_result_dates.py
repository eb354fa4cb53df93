"""A QC result's test date lies between the bank's freeze date and today: refused otherwise,
naming `tested_on`, on the service, the page and the API; nothing recorded."""

from datetime import timedelta

import pytest

from stemhub.core.errors import InvalidInput
from stemhub.quality.models import QcResult
from tests.quality.setups import qc_bank, record

pytestmark = pytest.mark.django_db


@pytest.fixture
def cell_bank(users):
    return qc_bank(users)  # frozen on 2025-03-14


def test_a_test_dated_before_the_freeze_date_is_refused(users, cell_bank):
    day_before = cell_bank.freeze_date - timedelta(days=1)
    with pytest.raises(InvalidInput) as refused:
        record(users["bank_technician"], cell_bank, "sterility", tested_on=day_before)
    assert list(refused.value.fields) == ["tested_on"]
    assert "before" in refused.value.message and str(cell_bank.freeze_date) in refused.value.message
    assert not QcResult.objects.exists()
    on_the_day = record(
        users["bank_technician"], cell_bank, "sterility", tested_on=cell_bank.freeze_date
    )
    assert on_the_day.tested_on == cell_bank.freeze_date


def test_the_page_names_the_test_date_and_keeps_the_input(users, cell_bank, client_for):
    answer = client_for("bank_technician").post(
        f"/quality/banks/{cell_bank.pk}/results/",
        {"test": "sterility", "value": "no growth", "tested_on": "2020-01-01"},
    )
    assert answer.status_code == 400
    page = answer.content.decode()
    assert "<strong>Test date</strong>" in page and 'value="2020-01-01"' in page
    assert 'id="r-date" name="tested_on" value="2020-01-01"' in page
    assert not QcResult.objects.exists()


def test_the_api_refuses_a_test_date_before_the_freeze_date(users, cell_bank, client_for):
    answer = client_for("bank_technician").post(
        f"/api/v1/quality/banks/{cell_bank.pk}/results",
        {"test": "sterility", "value": "no growth", "tested_on": "2020-01-01"},
    )
    assert answer.status_code == 400
    assert list(answer.json()["error"]["fields"]) == ["tested_on"]
    assert not QcResult.objects.exists()
