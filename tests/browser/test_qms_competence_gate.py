"""Issue 14's rule, in a real browser: a QA manager approves a new version of the SOP that
governs QC results, retraining required; a technician who has not acknowledged it is refused a
QC result entry (each gap named, nothing saved), is then trained on it by a trainer, reads it,
and succeeds. Their authorisation for the task holds across the new version: only the reading
and the training on the version in force were missing.

Set STEMHUB_SCREENSHOTS=/some/dir to keep full-page screenshots of the pages passed through.
"""

import datetime
import os
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from stemhub.accounts.models import Role
from stemhub.qms import competence, documents
from stemhub.qms.gating import authorisation_gaps
from stemhub.qms.models import ControlledDocument, DocumentKind, DocumentVersion, Task
from stemhub.quality.models import QcResult
from tests.conftest import PASSWORD, make_user
from tests.qms.documents_setup import pdf
from tests.quality.setups import qc_bank

NUMBER = "SOP-QC-001"
V2 = f"{NUMBER} v2"


def screenshot(page: Page, name: str) -> None:
    if folder := os.environ.get("STEMHUB_SCREENSHOTS"):
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def through_review(
    users: dict[str, Any], author: Any, document: ControlledDocument, text: str
) -> DocumentVersion:
    """A version drafted by `author` with its PDF, submitted, and its review signed by the
    document controller: it awaits approval."""
    version = documents.version_draft(actor=author, document=document, change_summary=text)
    version = documents.version_file_attach(
        actor=author, version=version, name=f"{NUMBER}.pdf", chunks=[pdf(text)]
    )
    version = documents.version_submit(actor=author, version=version)
    return documents.version_review(
        actor=users["document_controller"], version=version, password=PASSWORD
    )


def governed_and_qualified(users: dict[str, Any]) -> DocumentVersion:
    """SOP-QC-001 governs QC results at NSCB; version 1 has been in force since last year and
    the technician read it, was trained on it, assessed competent and authorised; version 2
    is reviewed and awaits the QA manager's approval."""
    qa, tech, trainer = users["qa_manager"], users["bank_technician"], users["trainer"]
    # The author is a second document controller: the controller reviews, and nobody reviews
    # their own draft.
    author = make_user("sop_author", tech.institution, Role.DOCUMENT_CONTROLLER)
    document = documents.document_create(
        actor=author,
        number=NUMBER,
        title="Recording QC results",
        title_zh="记录质控结果",
        kind=DocumentKind.SOP,
        review_interval_months=24,
    )
    competence.task_procedure_set(
        actor=qa, institution_id=tech.institution_id, task=Task.QC_RESULT, document=document
    )
    last_year = timezone.localdate() - datetime.timedelta(days=300)
    v1 = documents.version_approve(
        actor=qa,
        version=through_review(users, author, document, "First issue"),
        password=PASSWORD,
        effective_from=last_year,
        retraining_required=True,
        today=last_year,
    )
    assert v1.status == "effective"
    documents.acknowledgement_record(actor=tech, version=v1)
    competence.training_record_create(
        actor=trainer,
        user=tech,
        course="",
        document_version=v1,
        trainer=trainer,
        trained_on=timezone.localdate() - datetime.timedelta(days=200),
    )
    competence.competence_assessment_sign(
        actor=trainer,
        user=tech,
        task=Task.QC_RESULT,
        assessed_on=timezone.localdate(),
        method="Observed practice",
        outcome="competent",
        password=PASSWORD,
        document_version=v1,
    )
    competence.authorisation_grant(
        actor=trainer,
        user=tech,
        task=Task.QC_RESULT,
        expires_on=timezone.localdate() + datetime.timedelta(days=365),
    )
    assert authorisation_gaps(tech, Task.QC_RESULT, tech.institution_id) == []
    through_review(users, author, document, "Raw files attached to every result")
    return v1


def log_in(browser: Browser, url: str, username: str) -> Page:
    """A fresh browser signed in through the login form, on the home page (/work/)."""
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    page.goto(f"{url}/")
    page.get_by_role("link", name="Log in").click()
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(f"{url}/work/")
    return page


def menu(page: Page, name: str) -> None:
    page.get_by_role("navigation", name="Main").get_by_role("link", name=name, exact=True).click()


def record_sterility(page: Page, code: str) -> None:
    """From the home page's "Banks to test", a sterility result on the bank's QC page."""
    menu(page, "My work")
    page.locator("#queue-qc").get_by_role("link", name=code).click()
    expect(page.get_by_role("heading", name=f"Quality control of {code}")).to_be_visible()
    page.get_by_label("Test", exact=True).select_option("sterility")
    page.get_by_label("Result", exact=True).fill("no growth")
    page.get_by_label("Comment").fill("Read on day 14")
    page.get_by_role("button", name="Record result").click()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_new_sop_version_stops_an_untrained_technician_until_trained_and_read(
    live_server: Any, browser: Browser, users: dict[str, Any]
) -> None:
    bank = qc_bank(users)
    v1 = governed_and_qualified(users)
    tech = users["bank_technician"]
    today = f"{timezone.localdate():%Y-%m-%d}"

    # The QA manager approves version 2, in force today, retraining required.
    qa = log_in(browser, live_server.url, "qa_manager")
    menu(qa, "Controlled documents")
    qa.locator("#documents").get_by_role("link", name=NUMBER).click()
    expect(qa.get_by_role("heading", name=f"{NUMBER} v1 Effective")).to_be_visible()
    qa.get_by_role("link", name="Open it").click()
    expect(qa.locator("#shown-head")).to_contain_text(V2)
    expect(qa.locator("#version-table")).to_contain_text("Reviewed, awaiting approval")
    approve = qa.locator("#approve-form")
    approve.get_by_label("Effective from").fill(today)
    approve.get_by_label("Staff must be trained again on this version").check()
    approve.get_by_label("Your password").fill(PASSWORD)
    screenshot(qa, "qms-gate-approve")
    approve.get_by_role("button", name="Sign approval").click()

    expect(qa.locator(".messages")).to_contain_text("Approval signed.")
    expect(qa.locator("#shown-head")).to_contain_text(f"{V2} Effective")
    rows = qa.locator("#version-table tbody tr")
    expect(rows).to_have_count(2)  # newest first
    for text in ("2", "Effective", today, "Raw files attached to every result", "Required"):
        expect(rows.nth(0)).to_contain_text(text)
    expect(rows.nth(1)).to_contain_text("Superseded by version 2")
    expect(qa.locator("#missing-list")).to_contain_text(tech.display_name)
    screenshot(qa, "qms-gate-approved")
    v1.refresh_from_db()
    assert v1.status == "superseded"

    # The technician, authorised but neither trained on v2 nor having read it, is refused.
    before = QcResult.objects.count()
    bench = log_in(browser, live_server.url, "bank_technician")
    record_sterility(bench, bank.code)
    refusal = bench.get_by_role("alert")
    expect(refusal).to_contain_text("Entering QC results needs an authorisation")
    expect(refusal).to_contain_text(f"you have not acknowledged reading {V2}")
    expect(refusal).to_contain_text(f"you have no training record on {V2}")
    expect(refusal).not_to_contain_text("authorisation for it")
    screenshot(bench, "qms-gate-refused")
    assert QcResult.objects.count() == before

    # The trainer records the training on v2; the authorisation still holds.
    trainer = log_in(browser, live_server.url, "trainer")
    menu(trainer, "Training matrix")
    trainer.locator("#matrix").get_by_role("link", name=tech.display_name, exact=True).click()
    expect(trainer.get_by_role("heading", name=tech.display_name)).to_be_visible()
    expect(trainer.locator("#authorisation-list")).to_contain_text("Active")
    form = trainer.locator("#training-form")
    form.get_by_label("Document version", exact=True).select_option(label=f"{V2} (Effective)")
    form.get_by_label("Trainer", exact=True).select_option("trainer")
    form.get_by_label("Trained on").fill(today)
    form.get_by_label("Evidence", exact=True).fill("Walked through the new raw-file step")
    form.get_by_role("button", name="Record training").click()
    expect(trainer.locator(".messages")).to_contain_text(f"Training recorded: {V2}.")
    expect(trainer.locator("#training-list")).to_contain_text(V2)
    # Trained; the reading is the technician's own to do.
    expect(trainer.locator("#status")).to_contain_text(f"not read: {V2}")
    screenshot(trainer, "qms-gate-trained")

    # The technician reads v2, then records the result.
    menu(bench, "Documents to read")
    row = bench.locator("#to-read tbody tr", has_text=V2)
    expect(row).to_contain_text("Retraining required")
    row.get_by_role("button", name="I have read and understood it").click()
    expect(bench.locator(".messages")).to_contain_text(f"{V2} acknowledged.")
    expect(bench.locator("#nothing-to-read")).to_be_visible()

    record_sterility(bench, bank.code)
    expect(bench.locator(".messages")).to_contain_text("Sterility")
    expect(bench.get_by_role("alert")).to_have_count(0)
    screenshot(bench, "qms-gate-recorded")
    saved = QcResult.objects.get(bank=bank, test__code="sterility")
    assert saved.value_text == "no growth"
    assert saved.operator_id == tech.pk
    assert QcResult.objects.count() == before + 1
