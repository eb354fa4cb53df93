"""`stemhub demo`: what the demo holds, that it loads once, the same every time, and that the
logins it prints work."""

import io
import re

import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from stemhub.accounts.models import Institution, Role, User
from stemhub.registry.models import (
    AvailabilityChange,
    CellLine,
    DerivedProduct,
    Donor,
    DonorDisease,
    IssuedName,
    LineType,
    LineVersion,
    Status,
)
from stemhub.registry.naming import check_name
from stemhub.registry.records import RECORD_PREFETCH, line_record


def run_demo(*args: str) -> str:
    out = io.StringIO()
    call_command("demo", *args, stdout=out)
    return out.getvalue()


def printed_logins(output: str) -> list[dict[str, str]]:
    """The rows of the logins table: username, password, institution, roles."""
    lines = output.splitlines()
    rule = next(i for i, line in enumerate(lines) if re.fullmatch(r"[- ]+", line) and "--" in line)
    rows = []
    for line in lines[rule + 1 :]:
        if not line.strip():
            break
        username, password, institution, roles = re.split(r"\s{2,}", line.strip())
        rows.append(
            {"username": username, "password": password, "institution": institution, "roles": roles}
        )
    return rows


def row_counts() -> dict[str, int]:
    return {model._meta.label: model._default_manager.count() for model in apps.get_models()}


def snapshot() -> list[dict]:
    """Everything the demo wrote about its lines, minus ids and clock times."""
    lines = CellLine.objects.select_related("institution", "parent", "donor").prefetch_related(
        *RECORD_PREFETCH
    )
    records = []
    for line in lines.order_by("name"):
        record = line_record(line)
        record.pop("published_at")
        record["curation"] = list(
            line.curation_events.values_list("from_status", "to_status", "note", "actor__username")
        )
        record["availability_log"] = list(
            line.availability_changes.values_list(
                "from_availability", "to_availability", "note", "actor__username"
            )
        )
        record["versions"] = list(line.versions.values_list("number", "changes", "note"))
        records.append(record)
    return records


@pytest.fixture(scope="class")
def loaded_demo(django_db_setup, django_db_blocker):
    """The demo, loaded once for a class of tests (each test still runs in its own transaction)."""
    with django_db_blocker.unblock():
        output = run_demo()
    yield output
    with django_db_blocker.unblock():
        call_command("flush", interactive=False, verbosity=0)


@pytest.fixture
def demo_output(loaded_demo, db) -> str:
    return loaded_demo


class TestTheLoadedDemo:
    def test_it_creates_institutions_of_different_kinds(self, demo_output):
        institutions = Institution.objects.all()
        assert institutions.count() >= 3
        assert len({i.kind for i in institutions}) >= 3
        assert all(re.fullmatch(r"[A-Z]{2,5}", i.provider_code) for i in institutions)

    def test_every_role_has_a_user_and_a_second_institution_has_staff(self, demo_output):
        for role in Role:
            assert User.objects.filter(role_grants__role=role).exists(), role
        staffed = {u.institution_id for u in User.objects.filter(role_grants__role=Role.CURATOR)}
        assert len(staffed) >= 2

    def test_the_platform_admin_can_use_the_admin_site(self, demo_output):
        admin = User.objects.get(role_grants__role=Role.PLATFORM_ADMIN)
        assert admin.is_staff and admin.is_superuser
        client = Client()
        client.force_login(admin)
        assert client.get("/admin/").status_code == 200

    def test_it_registers_sixty_lines_of_every_type_and_several_species(self, demo_output):
        assert CellLine.objects.count() >= 60
        assert set(CellLine.objects.values_list("line_type", flat=True)) == set(LineType.values)
        assert CellLine.objects.values("species").distinct().count() >= 3
        assert (
            CellLine.objects.filter(species="Homo sapiens").count() > CellLine.objects.count() / 2
        )

    def test_donors_have_diseases_and_some_gave_several_lines(self, demo_output):
        assert DonorDisease.objects.filter(affected=True).values("donor").distinct().count() >= 10
        assert DonorDisease.objects.filter(affected=False).exists()
        assert DonorDisease.objects.filter(ontology="DOID", term_id="DOID:10652").exists()
        several = [d for d in Donor.objects.all() if d.cell_lines.filter(parent=None).count() > 1]
        assert several
        for donor in several:
            prefixes = {
                name.rsplit("-", 1)[0]
                for name in donor.cell_lines.filter(parent=None).values_list("name", flat=True)
            }
            assert len(prefixes) == 1, f"{donor} has lines under more than one donor number"

    def test_subclones_carry_a_modification_and_products_come_from_lines(self, demo_output):
        subclones = CellLine.objects.exclude(parent=None)
        assert subclones.count() >= 5
        for line in subclones:
            assert line.name.startswith(f"{line.parent.name}-")
            assert line.donor_id == line.parent.donor_id
            assert line.modifications.exists()
        assert CellLine.objects.filter(modifications__isogenic_control__isnull=False).exists()
        kinds = set(DerivedProduct.objects.values_list("kind", flat=True))
        assert kinds >= {
            "neural_progenitors",
            "neurons",
            "rpe",
            "cardiomyocytes",
            "hepatocytes",
            "msc",
        }

    def test_clinical_grade_lines_name_their_studies(self, demo_output):
        clinical = CellLine.objects.filter(clinical_grade=True)
        assert clinical.exists()
        nct_ids = set(clinical.values_list("clinical_studies__nct_id", flat=True))
        assert {"NCT03119636", "NCT04232592", "NCT03944239", "NCT04331613"} <= nct_ids

    def test_lines_are_spread_over_the_workflow_and_availabilities(self, demo_output):
        statuses = set(CellLine.objects.values_list("status", flat=True))
        assert statuses == set(Status.values)
        assert (
            CellLine.objects.filter(status=Status.PUBLISHED).count() > CellLine.objects.count() / 2
        )
        for line in CellLine.objects.filter(status=Status.RETURNED):
            assert line.curation_events.filter(to_status=Status.RETURNED).exclude(note="").exists()
        for availability in ("recalled", "withdrawn"):
            change = AvailabilityChange.objects.get(to_availability=availability)
            assert change.note
        assert CellLine.objects.values("availability").distinct().count() == 6
        edited = LineVersion.objects.filter(number__gt=1)
        assert edited.count() >= 2 and all(v.note for v in edited)
        published = CellLine.objects.filter(status=Status.PUBLISHED)
        assert all(
            line.curation_events.filter(
                to_status=Status.PUBLISHED, actor__role_grants__role=Role.CURATOR
            )
            for line in published
        )

    def test_the_audit_trail_shows_real_changes_to_people_with_their_reasons(self, demo_output):
        from stemhub.audit.models import AuditEvent

        former = User.objects.get(username="former-tech")
        assert not former.is_active and former.institution.provider_code == "NSRB"
        reasons = set(
            AuditEvent.objects.filter(actor_label="instadmin").values_list("reason", flat=True)
        )
        assert {
            "Covers QA during parental leave",
            "The QA manager is back",
            "Left NSRB for a position abroad",
        } <= reasons
        (revoked,) = AuditEvent.objects.filter(
            model="accounts.rolegrant", operation="DELETE", actor_label="instadmin"
        )
        assert revoked.old_values["role"] == "qa_manager"

    def test_disease_spellings_are_folded_to_one_label_per_term(self, demo_output):
        from stemhub.registry.diseases import find_term

        for disease in DonorDisease.objects.all():
            term = find_term(label=disease.label, term_id=disease.term_id)
            assert term is None or disease.label == term.label, disease
        # An EFO id of the same disease keeps its id and takes the term's label.
        assert DonorDisease.objects.filter(
            term_id="EFO_0000249", label="Alzheimer's disease"
        ).exists()

    def test_every_name_it_issued_is_a_valid_standard_name(self, demo_output):
        issued = set(IssuedName.objects.values_list("name", flat=True))
        human = CellLine.objects.filter(species="Homo sapiens")
        assert issued == set(human.values_list("name", flat=True))
        animal = CellLine.objects.exclude(species="Homo sapiens")
        assert animal.exists() and not animal.filter(name__in=issued).exists()
        types = set(animal.values_list("line_type", flat=True))
        assert {"ESC", "iPSC"} <= types and not types & {"hESC", "hiPSC"}
        for name in issued:
            verdict = check_name(name)
            assert verdict.verdict == "valid", (name, verdict.messages)

    def test_institutions_people_and_most_lines_have_chinese_names(self, demo_output):
        assert not Institution.objects.filter(name_zh="").exists()
        assert Institution.objects.get(provider_code="NSRB").name_zh == "国家干细胞资源库"
        without = set(User.objects.filter(name_zh="").values_list("username", flat=True))
        assert without <= {"wrcb-tech"}  # the British bank's operator
        assert User.objects.get(username="qa").name_zh == "聂鹏"
        named = CellLine.objects.exclude(name_zh="")
        assert named.count() >= CellLine.objects.count() * 3 / 4
        assert not CellLine.objects.filter(species="Homo sapiens", name_zh="").exists()

    def test_the_catalogue_finds_demo_lines_in_chinese(self, demo_output):
        client = Client()

        def found(q):
            return client.get("/api/v1/cell-lines", {"q": q, "limit": 100}).json()["items"]

        parkinson = {item["name"] for item in found("帕金森")}
        assert parkinson and parkinson == {item["name"] for item in found("parkinson")}
        assert len(found("干细胞")) > 20  # in every human line's name and in the banks' names
        assert found("胚胎") and found("心肌")  # two characters
        assert {item["name"] for item in found("国家干细胞资源库")} >= {
            line.name
            for line in CellLine.objects.filter(
                institution__provider_code="NSRB", status="published"
            )
        }

    def test_once_does_nothing_the_second_time_but_prints_the_logins(self, demo_output):
        before = row_counts()
        output = run_demo("--once")
        assert row_counts() == before
        assert "loaded before" in output
        assert len(printed_logins(output)) == len(printed_logins(demo_output))

    def test_without_once_it_refuses_to_load_twice(self, demo_output):
        before = row_counts()
        with pytest.raises(CommandError, match="already loaded"):
            run_demo()
        assert row_counts() == before

    def test_every_capa_was_opened_when_it_was_raised(self, demo_output):
        """The demo dates its past: a CAPA's history starts when it was raised, not today."""
        from stemhub.qms.models import Capa

        capas = list(Capa.objects.prefetch_related("events"))
        assert len(capas) >= 10
        for capa in capas:
            opened = min(capa.events.all(), key=lambda event: event.at)
            assert abs((opened.at - capa.raised_at).total_seconds()) < 60, capa.number

    def test_the_printed_logins_log_in(self, demo_output):
        logins = printed_logins(demo_output)
        active = User.objects.filter(is_active=True)
        assert {u.username for u in active} == {row["username"] for row in logins}
        printed_roles = {role for row in logins for role in re.findall(r"[a-z_]+", row["roles"])}
        assert printed_roles >= {role.value for role in Role}
        for row in logins:
            assert Client().login(username=row["username"], password=row["password"]), row
        assert re.search(r"http://127\.0\.0\.1:\d+/", demo_output)

    def test_the_printed_url_takes_its_port_from_the_environment(self, demo_output, monkeypatch):
        monkeypatch.setenv("PORT", "8123")
        assert "http://127.0.0.1:8123/" in run_demo("--once")


def test_once_loads_an_empty_database(db):
    run_demo("--once")
    assert CellLine.objects.count() >= 60


@pytest.mark.django_db(transaction=True)
def test_it_writes_the_same_content_every_time():
    run_demo()
    first = snapshot()
    call_command("flush", interactive=False, verbosity=0)
    run_demo()
    assert snapshot() == first
