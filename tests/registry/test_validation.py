"""What a person would expect the registry to refuse, with a message naming the field and no
partial write: a type letter that contradicts the line type, an HLA typing the engine rejects,
dates in the future or out of order. A line imported from hPSCreg keeps its record, and the same
problems show as warnings."""

import json
from datetime import date, timedelta

import pytest
from django.utils import timezone

from stemhub.core.errors import InvalidInput
from stemhub.core.hla import use_engine
from stemhub.exchange.services import hpscreg_import
from stemhub.hla import HLAEngine
from stemhub.registry import services
from stemhub.registry.models import CellLine
from stemhub.registry.validation import line_problems
from tests.pyard_support import imgt_dir
from tests.registry.lines import publishable

pytestmark = pytest.mark.django_db

GOOD_HLA = "HLA-A*01:01+HLA-A*02:01^HLA-B*08:01+HLA-B*44:02^HLA-DRB1*03:01+HLA-DRB1*15:01"


@pytest.fixture(scope="module", autouse=True)
def engine(tmp_path_factory):
    cache = tmp_path_factory.mktemp("registry-hla-cache")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("STEMHUB_HLA_CACHE", str(cache))
        use_engine(HLAEngine.load(imgt_dir=imgt_dir()))
    yield
    use_engine(None)


def create(users, **changes):
    return services.cell_line_create(actor=users["curator"], data=publishable(**changes))


def refused(users, **changes) -> InvalidInput:
    with pytest.raises(InvalidInput) as raised:
        create(users, **changes)
    assert not CellLine.objects.exists()  # nothing half-written
    return raised.value


# The type letter of a standard name


@pytest.mark.parametrize(
    "name, line_type",
    [("NSCBi001-A", "hESC"), ("NSCBi001-A", "NT-ESC"), ("NSCBi001-A", "pESC"),
     ("NSCBe001-A", "hiPSC")],
)  # fmt: skip
def test_a_type_letter_that_contradicts_the_line_type_is_refused(users, name, line_type):
    error = refused(users, name=name, line_type=line_type)
    (message,) = error.fields["name"]
    assert f"'{name}' carries the type letter" in message


@pytest.mark.parametrize("line_type", ["hESC", "NT-ESC", "pESC"])
def test_every_embryonic_type_takes_the_letter_e(users, line_type):
    assert create(users, name="NSCBe001-A", line_type=line_type).line_type == line_type


def test_changing_the_type_of_a_line_away_from_its_name_is_refused(users):
    line = create(users)
    with pytest.raises(InvalidInput) as raised:
        services.cell_line_update(actor=users["curator"], line=line, data={"line_type": "hESC"})
    assert "name" in raised.value.fields
    assert CellLine.objects.get().line_type == "hiPSC"


def hpscreg_record(**changes):
    record = {
        "name": "WAi009-A",
        "type": "hESC",
        "status": "published",
        "consent_obtained_flag": True,
        "ethics_approval_reference": "UW IRB 98-0001",
    }
    record.update(changes)
    return record


def test_an_imported_legacy_name_is_kept_and_warned_about(users, client_for):
    summary = hpscreg_import(records=[("wa.json", hpscreg_record())])
    assert any("carries the type letter 'i'" in w for w in summary["warnings"])
    line = CellLine.objects.get(name="WAi009-A")
    assert [p.field for p in line_problems(line)] == ["name"]
    page = client_for("platform_admin").get("/staff/lines/WAi009-A/").content.decode()
    assert 'id="record-warnings"' in page and "carries the type letter" in page


# HLA typings, checked by the HLA engine


def test_a_valid_typing_is_kept(users):
    line = create(users, hla_typing=GOOD_HLA)
    assert line.hla_typing == GOOD_HLA


def test_a_bad_line_typing_names_the_token_and_the_locus(users):
    error = refused(users, hla_typing="HLA-A*01:01+HLA-A*99:99^HLA-B*08:01+HLA-B*44:02")
    (message,) = error.fields["hla_typing"]
    assert "'A*99:99' at locus HLA-A" in message and "no such allele" in message


def test_a_bad_donor_typing_names_the_token_and_the_locus(users):
    donor = {**publishable()["donor"], "hla_typing": "HLA-A*01:01+HLA-A*02:01^HLA-B*0801"}
    error = refused(users, donor=donor)
    (message,) = error.fields["donor.hla_typing"]
    assert message.startswith("Donor HLA typing: 'B*0801' at locus HLA-B")


def test_the_line_form_shows_the_typing_error_on_its_field(users, client_for):
    from tests.registry.test_pages import form_post

    answer = client_for("curator").post(
        "/staff/lines/new/", form_post(hla_typing="HLA-DRB1*99:01+HLA-DRB1*15:01")
    )
    assert answer.status_code == 400
    errors = answer.context["form"].errors["hla_typing"]
    assert "'DRB1*99:01' at locus HLA-DRB1" in errors[0]


# Dates


def test_a_derivation_date_in_the_future_is_refused(users):
    tomorrow = timezone.localdate() + timedelta(days=1)
    error = refused(users, derivation_date=tomorrow.isoformat())
    assert "is in the future" in error.fields["derivation_date"][0]


def test_ethics_approval_after_derivation_is_refused_for_a_human_line(users):
    error = refused(users, derivation_date="2020-03-01", ethics_approval_date="2020-06-01")
    assert "comes after the derivation" in error.fields["ethics_approval_date"][0]
    line = create(users, derivation_date="2020-06-01", ethics_approval_date="2020-03-01")
    assert line.ethics_approval_date == date(2020, 3, 1)


def test_an_animal_line_may_be_derived_before_a_later_approval(users):
    line = create(
        users,
        species="Mus musculus",
        line_type="iPSC",
        derivation_date="2020-03-01",
        ethics_approval_date="2020-06-01",
    )
    assert line.species == "Mus musculus"


def test_publication_years_in_the_future_or_before_the_derivation_are_refused(users):
    next_year = timezone.localdate().year + 1
    error = refused(users, publications=[{"pmid": "123", "year": next_year}])
    assert "is in the future" in error.fields["publications[0].year"][0]
    error = refused(
        users,
        derivation_date="2015-05-05",
        publications=[{"pmid": "1", "year": 2016}, {"doi": "10.1/x", "year": 2010}],
    )
    assert list(error.fields) == ["publications[1].year"]
    assert "before the line was derived" in error.fields["publications[1].year"][0]


def test_date_problems_reach_the_api_as_a_400_naming_the_field(client_for):
    answer = client_for("curator").post(
        "/api/v1/cell-lines",
        json.dumps(publishable(derivation_date="2999-01-01")),
        content_type="application/json",
    )
    assert answer.status_code == 400
    assert "derivation_date" in answer.json()["error"]["fields"]


def test_an_imported_line_with_a_bad_typing_is_kept_with_a_warning(users):
    record = hpscreg_record(name="WAe009-A", hla_i_a_all1="A*01:01", hla_i_a_all2="A*99:99")
    summary = hpscreg_import(records=[("wa.json", record)])
    assert summary["cell_lines"]["created"] == 1
    line = CellLine.objects.get(name="WAe009-A")
    assert line.hla_typing == "HLA-A*01:01+HLA-A*99:99"
    (problem,) = line_problems(line)
    assert problem.field == "hla_typing" and "'A*99:99' at locus HLA-A" in problem.message
    assert any("'A*99:99' at locus HLA-A" in w for w in summary["warnings"])
