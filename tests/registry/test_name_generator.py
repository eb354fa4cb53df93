"""The standard name generator: next donor, next clone, next subclone; never a name twice."""

import pytest
from django.contrib.auth.models import AnonymousUser

from stemhub.accounts.models import Institution
from stemhub.core.errors import Conflict, Forbidden, InvalidInput
from stemhub.registry import name_services
from stemhub.registry.models import CellLine, IssuedName, NameCounter, Synonym
from stemhub.registry.name_services import standard_name_issue


def issue(actor, provider_code="NSCB", type_letter="i", **family):
    return standard_name_issue(
        actor=actor, provider_code=provider_code, type_letter=type_letter, **family
    )


def line(institution, name, *synonyms):
    row = CellLine.objects.create(name=name, line_type="hiPSC", institution=institution)
    Synonym.objects.bulk_create(Synonym(line=row, name=synonym) for synonym in synonyms)
    return row


@pytest.mark.django_db
class TestNewDonor:
    def test_it_counts_donor_numbers_per_provider_and_type(self, users):
        curator = users["curator"]
        assert issue(curator) == "NSCBi001-A"
        assert issue(curator) == "NSCBi002-A"
        assert issue(curator, type_letter="e") == "NSCBe001-A"
        counter = NameCounter.objects.get(provider_code="NSCB", type_letter="i")
        assert counter.last_donor_number == 2

    def test_it_records_who_was_issued_what(self, users):
        issue(users["curator"])
        row = IssuedName.objects.get()
        assert (row.name, row.provider_code, row.type_letter) == ("NSCBi001-A", "NSCB", "i")
        assert (row.donor_number, row.clone_letter, row.subclone_of) == ("001", "A", "")
        assert row.issued_to == users["curator"]

    def test_it_skips_donor_numbers_already_used_by_lines_and_synonyms(self, users, bank):
        line(bank, "NSCBi003-B")
        line(bank, "Old-1", "NSCBi005-A-1")
        assert issue(users["curator"]) == "NSCBi006-A"

    def test_a_name_differing_only_in_case_is_taken(self, users, bank):
        line(bank, "nscbi001-a")
        assert issue(users["curator"]) == "NSCBi002-A"

    def test_other_providers_names_do_not_count(self, users, bank, other_bank):
        line(other_bank, "OSBi007-A")
        line(bank, "NSCBe004-A")
        assert issue(users["curator"]) == "NSCBi001-A"

    def test_it_refuses_once_every_donor_number_is_used(self, users):
        NameCounter.objects.create(provider_code="NSCB", type_letter="i", last_donor_number=999)
        with pytest.raises(Conflict, match="NSCBi has used all 999 donor numbers"):
            issue(users["curator"])
        assert not IssuedName.objects.exists()


@pytest.mark.django_db
class TestSameDonor:
    def test_it_gives_the_same_donor_number_and_the_next_clone_letter(self, users):
        curator = users["curator"]
        first = issue(curator)
        assert issue(curator, same_donor=first) == "NSCBi001-B"
        assert issue(curator, same_donor="NSCBi001-B") == "NSCBi001-C"
        assert issue(curator) == "NSCBi002-A"

    def test_it_goes_past_the_highest_letter_of_any_line_synonym_or_subclone(self, users, bank):
        line(bank, "NSCBi001-A")
        line(bank, "NSCBi001-D")
        line(bank, "Kept-1", "NSCBi001-F-1")
        assert issue(users["curator"], same_donor="NSCBi001-A") == "NSCBi001-G"

    def test_it_refuses_a_donor_nobody_named(self, users):
        with pytest.raises(InvalidInput, match="No name was issued or registered for donor"):
            issue(users["curator"], same_donor="NSCBi004-A")

    def test_it_refuses_a_name_that_is_not_strict(self, users):
        with pytest.raises(InvalidInput, match="not a standard name in the strict form") as error:
            issue(users["curator"], same_donor="NSCBi001-A-10")
        assert error.value.fields == {
            "same_donor": [
                "subclone number '10' has 2 digits; the strict form uses one digit, 1 to 9"
            ]
        }

    def test_it_refuses_another_providers_name(self, users, bank):
        line(bank, "OSBi001-A")
        with pytest.raises(InvalidInput, match="provider code OSB and type letter i, not NSCB"):
            issue(users["curator"], same_donor="OSBi001-A")

    def test_it_refuses_once_every_clone_letter_is_used(self, users, bank):
        line(bank, "NSCBi001-Z")
        with pytest.raises(Conflict, match="used every clone letter"):
            issue(users["curator"], same_donor="NSCBi001-Z")


@pytest.mark.django_db
class TestSubclone:
    def test_it_appends_the_next_number(self, users):
        curator = users["curator"]
        parent = issue(curator)
        assert issue(curator, subclone_of=parent) == "NSCBi001-A-1"
        assert issue(curator, subclone_of=parent) == "NSCBi001-A-2"
        assert issue(curator, subclone_of="NSCBi001-A-1") == "NSCBi001-A-1-1"
        assert IssuedName.objects.get(name="NSCBi001-A-1-1").subclone_of == "NSCBi001-A-1"

    def test_it_goes_past_subclones_registered_as_lines(self, users, bank):
        line(bank, "NSCBi001-A")
        line(bank, "NSCBi001-A-4")
        assert issue(users["curator"], subclone_of="NSCBi001-A") == "NSCBi001-A-5"

    def test_it_never_makes_a_name_longer_than_15_characters(self, users):
        Institution.objects.create(
            name="Long Code Bank", kind="stem_cell_bank", provider_code="ABCDE"
        )
        admin = users["platform_admin"]
        name = issue(admin, "ABCDE")
        name = issue(admin, "ABCDE", subclone_of=name)
        name = issue(admin, "ABCDE", subclone_of=name)
        assert name == "ABCDEi001-A-1-1"
        assert len(name) == 15
        with pytest.raises(InvalidInput, match=r"would have 17 characters; .* at most 15"):
            issue(admin, "ABCDE", subclone_of=name)

    def test_it_refuses_an_unknown_parent(self, users):
        with pytest.raises(InvalidInput, match="a subclone needs a known parent"):
            issue(users["curator"], subclone_of="NSCBi001-A")

    def test_it_refuses_past_subclone_9(self, users, bank):
        line(bank, "NSCBi001-A", "NSCBi001-A-9")
        with pytest.raises(Conflict, match="used every subclone number 1 to 9"):
            issue(users["curator"], subclone_of="NSCBi001-A")

    def test_it_refuses_same_donor_and_subclone_together(self, users, bank):
        line(bank, "NSCBi001-A")
        with pytest.raises(InvalidInput, match="not both"):
            issue(users["curator"], same_donor="NSCBi001-A", subclone_of="NSCBi001-A")


@pytest.mark.django_db
class TestWhoMayIssue:
    @pytest.mark.parametrize("role", ["curator", "institution_admin", "platform_admin"])
    def test_name_issuers_of_the_institution_may(self, users, role):
        assert issue(users[role]) == "NSCBi001-A"

    def test_a_platform_admin_may_for_any_institution(self, users):
        assert issue(users["platform_admin"], "OSB") == "OSBi001-A"

    def test_a_curator_may_for_their_own_institution(self, users):
        assert issue(users["other_curator"], "OSB") == "OSBi001-A"

    @pytest.mark.parametrize(
        "who",
        ["researcher", "bank_technician", "qa_manager", "search_coordinator", "other_curator"],
    )
    def test_others_are_refused(self, users, who):
        with pytest.raises(Forbidden, match=r"registry\.issue_names"):
            issue(users[who])
        assert not IssuedName.objects.exists()
        assert not NameCounter.objects.exists()

    def test_an_anonymous_visitor_is_refused(self, users):
        with pytest.raises(Forbidden):
            issue(AnonymousUser())

    def test_a_system_action_is_recorded_without_a_user(self, bank):
        assert issue(None) == "NSCBi001-A"
        assert IssuedName.objects.get().issued_to is None


@pytest.mark.django_db
class TestBadRequests:
    def test_an_unknown_provider_code_is_refused(self, users):
        with pytest.raises(InvalidInput, match="No institution has the provider code 'XYZ'"):
            issue(users["platform_admin"], "XYZ")

    def test_a_type_letter_other_than_i_or_e_is_refused(self, users):
        with pytest.raises(InvalidInput, match=r"'i' \(induced\) or 'e' \(embryonic\)") as error:
            issue(users["curator"], type_letter="x")
        assert error.value.fields == {"type": ["must be i or e"]}


@pytest.mark.django_db
def test_a_duplicate_slipping_past_the_checks_is_refused_not_returned(users, monkeypatch):
    IssuedName.objects.create(
        name="NSCBi001-A",
        provider_code="NSCB",
        type_letter="i",
        donor_number="001",
        clone_letter="A",
    )
    monkeypatch.setattr(name_services, "_names_starting_with", lambda prefix: [])
    monkeypatch.setattr(name_services, "_in_use", lambda name: False)
    with pytest.raises(Conflict, match="NSCBi001-A was issued by another request"):
        issue(users["curator"])
    assert IssuedName.objects.count() == 1
    assert not NameCounter.objects.exists()
