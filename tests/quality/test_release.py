"""Release: refused while tests are missing or failed, signed with the password re-entered,
bound to the QC record's hash; a later change or failure invalidates it and quarantines."""

import hashlib
import json
from datetime import timedelta

import pytest

from stemhub.biobank.models import CustodyEvent, VialStatus
from stemhub.biobank.services import vials_set_status
from stemhub.core.errors import Conflict, Forbidden
from stemhub.quality import services
from stemhub.quality.models import Certificate, QcEvent, Release
from stemhub.quality.selectors import (
    bank_is_released,
    bank_readiness,
    latest_results,
    qc_record,
    record_bytes,
    released_banks,
    signature_verify,
)
from tests.conftest import PASSWORD
from tests.quality.setups import TESTED, pass_everything, qc_bank, record

MCB_PANEL = 16  # required for a research-grade MCB of a line: the panel less 4 clinical-only


@pytest.fixture
def cell_bank(users):
    found = qc_bank(users)
    vials_set_status(
        actor=users["qa_manager"],
        vials=list(found.vials.all()),
        status=VialStatus.QUARANTINED,
        reason="Awaiting QC release",
    )
    return found


def release(users, bank, password=PASSWORD):
    return services.bank_release(actor=users["qa_manager"], bank=bank, password=password)


def test_release_is_refused_naming_the_missing_tests(users, cell_bank):
    pass_everything(users["bank_technician"], cell_bank, skip=("karyotype", "endotoxin"))
    with pytest.raises(Conflict) as refused:
        release(users, cell_bank)
    message = refused.value.message
    assert "cannot be released: no result for" in message
    assert "Endotoxin" in message and "Karyotype" in message
    assert refused.value.fields == {"endotoxin": ["no result"], "karyotype": ["no result"]}
    assert not bank_is_released(cell_bank)


def test_release_is_refused_naming_a_failed_test_and_its_open_nonconformity(users, cell_bank):
    tech = users["bank_technician"]
    pass_everything(tech, cell_bank, skip=("viability",))
    record(tech, cell_bank, "viability", "61")
    with pytest.raises(Conflict) as refused:
        release(users, cell_bank)
    assert "failed: Post-thaw viability (61 %)" in refused.value.message
    assert "open nonconformities: NC-" in refused.value.message
    assert refused.value.fields["viability"] == ["failed"]


def test_a_passing_retest_and_a_closed_nonconformity_allow_release(users, cell_bank):
    tech = users["bank_technician"]
    pass_everything(tech, cell_bank, skip=("viability",))
    record(tech, cell_bank, "viability", "61")
    nc = cell_bank.nonconformities.get()
    record(tech, cell_bank, "viability", "84")
    with pytest.raises(Conflict, match="open nonconformities"):
        release(users, cell_bank)
    services.nonconformity_close(
        actor=users["qa_manager"],
        nonconformity=nc,
        reason="Thaw error; retest passed",
        password=PASSWORD,
    )
    assert release(users, cell_bank).standing


def test_the_latest_result_is_the_latest_test_date_not_the_latest_entry(users, cell_bank):
    # A failed viability tested on day 3 is entered first; a pass tested on day 2 (an older
    # test, entered late) does not overrule it: the bank stays unreleased.
    tech = users["bank_technician"]
    pass_everything(tech, cell_bank, skip=("viability",))
    newer_failure = record(tech, cell_bank, "viability", "61", tested_on=TESTED)
    record(tech, cell_bank, "viability", "84", tested_on=TESTED - timedelta(days=1))
    services.nonconformity_close(
        actor=users["qa_manager"],
        nonconformity=cell_bank.nonconformities.get(),
        reason="Investigated; the retest is older than the failure",
        password=PASSWORD,
    )
    assert latest_results(cell_bank)["viability"] == newer_failure
    assert bank_readiness(cell_bank).failed == [newer_failure]
    with pytest.raises(Conflict) as refused:
        release(users, cell_bank)
    assert refused.value.fields == {"viability": ["failed"]}
    assert not bank_is_released(cell_bank)


def test_a_wrong_password_is_refused(users, cell_bank):
    pass_everything(users["bank_technician"], cell_bank)
    with pytest.raises(Forbidden, match="password") as refused:
        release(users, cell_bank, password="not my password")
    assert refused.value.fields == {"password": ["incorrect"]}
    assert not Release.objects.exists()


def test_only_qa_of_the_banks_institution_releases(users, cell_bank):
    pass_everything(users["bank_technician"], cell_bank)
    for who in ("bank_technician", "other_qa"):
        with pytest.raises(Forbidden):
            services.bank_release(actor=users[who], bank=cell_bank, password=PASSWORD)


def test_a_release_is_signed_bound_to_the_record_and_frees_the_vials(users, cell_bank):
    results = pass_everything(users["bank_technician"], cell_bank)
    assert len(results) == MCB_PANEL
    done = release(users, cell_bank)
    signature = done.signature
    assert signature.printed_name == "Qa Tester"  # first and last name of the account
    assert signature.meaning == "approved for release"
    assert signature.signer == users["qa_manager"]
    signed = json.loads(signature.record)
    assert signed["bank"]["code"] == cell_bank.code
    assert sorted(r["id"] for r in signed["results"]) == sorted(r.pk for r in results)
    assert signature.record_hash == hashlib.sha256(signature.record.encode()).hexdigest()
    assert signature.record_hash == hashlib.sha256(record_bytes(qc_record(cell_bank))).hexdigest()
    assert signature_verify(done).intact and signature_verify(done).state == "valid"
    assert set(cell_bank.vials.values_list("status", flat=True)) == {VialStatus.AVAILABLE}
    assert bank_is_released(cell_bank)
    assert list(released_banks()) == [cell_bank]
    with pytest.raises(Conflict, match="already released"):
        release(users, cell_bank)


def test_changing_a_result_after_release_is_detected_and_quarantines(users, cell_bank):
    results = pass_everything(users["bank_technician"], cell_bank)
    done = release(users, cell_bank)
    endotoxin = next(r for r in results if r.test.code == "endotoxin")
    services.qc_result_correct(
        actor=users["bank_technician"], result=endotoxin, value="0.8", reason="Transcription error"
    )
    done.refresh_from_db()
    check = signature_verify(done)
    assert not check.intact and check.state == "record changed since signing"
    assert check.changes == [f"result {endotoxin.pk} (endotoxin): value_number"]
    assert not done.standing and "Result changed after release" in done.invalidated_reason
    assert done.signature.superseded_at is not None  # kept, marked superseded
    assert not bank_is_released(cell_bank) and not released_banks().exists()
    assert set(cell_bank.vials.values_list("status", flat=True)) == {VialStatus.QUARANTINED}


def test_a_change_made_behind_the_services_back_is_detected(users, cell_bank):
    results = pass_everything(users["bank_technician"], cell_bank)
    done = release(users, cell_bank)
    type(results[0]).objects.filter(pk=results[0].pk).update(comment="edited in SQL")
    assert not signature_verify(done).intact


def test_a_later_failing_result_sends_the_bank_back_to_quarantine(users, cell_bank):
    tech = users["bank_technician"]
    pass_everything(tech, cell_bank)
    done = release(users, cell_bank)
    record(tech, cell_bank, "mycoplasma", "positive")
    done.refresh_from_db()
    assert not done.standing and "Mycoplasma out of specification" in done.invalidated_reason
    assert set(cell_bank.vials.values_list("status", flat=True)) == {VialStatus.QUARANTINED}
    kinds = list(QcEvent.objects.filter(bank=cell_bank).values_list("kind", flat=True))
    assert kinds[-5:] == ["released", "result", "nc_opened", "invalidated", "quarantined"]
    last = CustodyEvent.objects.filter(vial__bank=cell_bank).order_by("-id").first()
    assert (last.from_status, last.to_status) == ("available", "quarantined")
    # The signed record did not change: the new result is not part of it.
    assert signature_verify(done).state == "superseded (record intact)"


def test_a_release_issues_its_certificate(users, cell_bank):
    pass_everything(users["bank_technician"], cell_bank)
    done = release(users, cell_bank)
    certificate = Certificate.objects.get(release=done)
    assert certificate.number.startswith(f"COA-{cell_bank.code}-")
    assert bytes(certificate.pdf).startswith(b"%PDF")
    assert hashlib.sha256(bytes(certificate.pdf)).hexdigest() == certificate.sha256


def test_a_clinical_bank_also_needs_the_clinical_tests(users, cell_bank):
    cell_bank.line.clinical_grade = True
    cell_bank.line.save(update_fields=["clinical_grade"])
    pass_everything(users["bank_technician"], cell_bank, skip=("htlv", "cmv", "ebv", "hla"))
    with pytest.raises(Conflict) as refused:
        release(users, cell_bank)
    for name in ("HTLV-I/II", "Cytomegalovirus", "Epstein–Barr virus", "HLA typing"):
        assert name in refused.value.message
