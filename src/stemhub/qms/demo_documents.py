"""The document control demo: NSRB's controlled documents (SOPs, forms, policies, the quality
manual, specifications) and one of NCBB's, each version drafted by the document controller,
reviewed and approved by QA through the services (signed, with a small real PDF), dated in the
past. Older versions are superseded; SOP-QC-004 v3 is approved for a day three weeks ahead,
SOP-BB-003 v3 is in review, SOP-QC-008 v2 a draft; SOP-BB-020 is overdue for its periodic
review; SOP-BB-008 was withdrawn. Staff acknowledged reading most versions in force, with some
gaps. The procedures that govern regulated tasks all have a version in force, read by everyone.
"""

import datetime
import itertools
from dataclasses import dataclass
from typing import Any, TextIO

from django.db.models import Q
from django.utils import timezone
from fpdf import FPDF

from stemhub.accounts.demo import DEMO_PASSWORD
from stemhub.accounts.models import Institution, User
from stemhub.audit.context import audit_context
from stemhub.audit.triggers import history_rewritable
from stemhub.qms import documents
from stemhub.qms.documents_selectors import staff_readers
from stemhub.qms.models import (
    Acknowledgement,
    ControlledDocument,
    DocumentFile,
    DocumentVersion,
    VersionStatus,
)
from stemhub.quality.models import Signature

SOP, FORM, POLICY, SPEC, MANUAL = "sop", "form", "policy", "specification", "manual"
PDF_DATE = datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC)


@dataclass(frozen=True)
class Version:
    days_ago: int  # effective that many days before today (negative: ahead)
    change: str
    retraining: bool = False


@dataclass(frozen=True)
class Doc:
    number: str
    kind: str
    title: str
    title_zh: str
    versions: tuple[Version, ...]
    interval: int = 24
    open: str = ""  # "draft" or "in_review": the next version, started
    open_change: str = ""
    reviewed_days_ago: int | None = None  # a periodic review that confirmed the version
    withdrawn_days_ago: int | None = None
    withdrawn_reason: str = ""
    unread_by: tuple[str, ...] = ()  # who has not acknowledged the version in force
    institution: str = "NSRB"


FIRST = "First issue."
NSRB_DOCUMENTS = (
    Doc(
        "SOP-QC-001",
        SOP,
        "Recording QC results",
        "质量控制检测结果记录",
        (
            Version(1500, FIRST),
            Version(
                700, "Raw data files attached to every result; second-person check of entries."
            ),
            Version(
                60,
                "Results entered in stemhub only; paper worksheets retired. Analysts "
                "retrained on the electronic record.",
                retraining=True,
            ),
        ),
    ),
    Doc(
        "SOP-QA-002",
        SOP,
        "Release of cell banks",
        "细胞库放行",
        (
            Version(900, FIRST),
            Version(
                200,
                "Release by electronic signature with the record's hash; certificate of "
                "analysis generated from the release.",
            ),
        ),
    ),
    Doc(
        "SOP-BB-010",
        SOP,
        "Cell banking: freezing a bank",
        "细胞建库：冻存",
        (
            Version(1100, FIRST),
            Version(400, "Controlled-rate freezer programme 3 replaces the isopropanol box."),
            Version(150, "Vial labels printed with QR codes from stemhub; bank code rule."),
        ),
    ),
    Doc(
        "SOP-BB-012",
        SOP,
        "Thawing cryopreserved vials",
        "冻存细胞复苏",
        (
            Version(1200, FIRST),
            Version(800, "ROCK inhibitor for 24 h after thaw."),
            Version(500, "Post-thaw viability recorded for every thaw of a master bank vial."),
        ),
    ),
    Doc(
        "SOP-BB-014",
        SOP,
        "Disposal of biological material",
        "生物材料销毁处置",
        (
            Version(600, FIRST),
            Version(300, "Autoclave cycle record attached; disposal recorded per vial."),
        ),
    ),
    Doc(
        "SOP-DS-001",
        SOP,
        "Review of distribution requests",
        "资源分发申请审核",
        (Version(450, FIRST),),
    ),
    Doc(
        "SOP-BB-003",
        SOP,
        "Receipt and accessioning of cell lines",
        "细胞系接收与登记",
        (
            Version(1000, FIRST),
            Version(330, "Quarantine until mycoplasma and sterility results are in."),
        ),
        open="in_review",
        open_change="Depositor's STR profile compared on receipt.",
    ),
    Doc(
        "SOP-BB-020",
        SOP,
        "Liquid nitrogen storage and tank monitoring",
        "液氮储存与液氮罐温度监控",
        (Version(800, FIRST),),
        unread_by=("trainer",),
    ),
    Doc(
        "SOP-QC-004",
        SOP,
        "Mycoplasma testing by PCR",
        "支原体PCR检测",
        (
            Version(700, FIRST),
            Version(90, "Internal amplification control in every run."),
            Version(
                -21, "New commercial kit; limit of detection 10 CFU/ml verified.", retraining=True
            ),
        ),
    ),
    Doc(
        "SOP-QC-006",
        SOP,
        "Sterility testing",
        "无菌检查",
        (Version(760, FIRST),),
        reviewed_days_ago=35,
    ),
    Doc(
        "SOP-QC-008",
        SOP,
        "STR profiling for identity",
        "STR鉴定",
        (Version(500, FIRST),),
        open="draft",
        open_change="24-locus kit; match threshold 80 % (Tanabe).",
    ),
    Doc(
        "SOP-EQ-001",
        SOP,
        "Calibration and maintenance of equipment",
        "仪器设备校准与维护",
        (Version(640, FIRST),),
        unread_by=("trainer", "instadmin"),
    ),
    Doc(
        "SOP-DM-001",
        SOP,
        "Data management and record keeping",
        "数据管理与记录保存",
        (Version(300, FIRST),),
        unread_by=("instadmin",),
    ),
    Doc(
        "SOP-BB-008",
        SOP,
        "Slow freezing in 10 % DMSO with an isopropanol box",
        "异丙醇冻存盒程序降温冻存",
        (Version(1300, FIRST),),
        withdrawn_days_ago=400,
        withdrawn_reason="Process replaced by the controlled-rate freezer (SOP-BB-010 v2).",
    ),
    Doc(
        "FRM-BB-001",
        FORM,
        "Cell bank freezing record",
        "细胞冻存记录表",
        (
            Version(1100, FIRST),
            Version(150, "Fields for the freezer programme and the label check."),
        ),
        unread_by=("curator",),
    ),
    Doc(
        "FRM-QC-002",
        FORM,
        "QC result worksheet",
        "质控结果记录表",
        (Version(400, FIRST),),
        unread_by=("trainer",),
    ),
    Doc("FRM-DS-001", FORM, "Material transfer request", "材料转移申请表", (Version(450, FIRST),)),
    Doc(
        "FRM-QA-005",
        FORM,
        "Deviation report",
        "偏差报告表",
        (Version(260, FIRST),),
        unread_by=("technician", "instadmin"),
    ),
    Doc(
        "POL-QA-001",
        POLICY,
        "Quality policy",
        "质量方针",
        (
            Version(1400, FIRST),
            Version(365, "Objectives for 2026: turnaround of distribution requests, PT results."),
        ),
        interval=36,
    ),
    Doc(
        "POL-ET-001",
        POLICY,
        "Ethics and donor consent",
        "伦理与捐赠者知情同意",
        (Version(540, FIRST),),
        interval=36,
        unread_by=("trainer",),
    ),
    Doc(
        "POL-IS-001",
        POLICY,
        "Information security",
        "信息安全",
        (Version(200, FIRST),),
        unread_by=("technician", "trainer", "curator"),
    ),
    Doc(
        "QM-001",
        MANUAL,
        "Quality manual",
        "质量手册",
        (
            Version(1450, FIRST),
            Version(700, "Aligned with ISO 20387:2018 clause numbering."),
            Version(180, "Quality management system in stemhub: documents, competence, CAPA."),
        ),
        interval=36,
    ),
    Doc(
        "SPEC-QC-001",
        SPEC,
        "Release specification for hPSC banks",
        "人多能干细胞库放行标准",
        (
            Version(600, FIRST),
            Version(120, "Post-thaw viability at least 70 %; karyotype of master banks."),
        ),
    ),
    Doc(
        "SPEC-MT-002",
        SPEC,
        "Acceptance of culture media and reagents",
        "培养基与试剂验收标准",
        (Version(330, FIRST),),
        unread_by=("curator", "instadmin"),
    ),
)
NCBB_DOCUMENTS = (
    Doc(
        "SOP-CB-005",
        SOP,
        "Cord blood unit reservation and confirmatory typing",
        "脐带血单位预留与确认分型",
        (
            Version(500, FIRST),
            Version(100, "Confirmatory typing at high resolution before a unit is released."),
        ),
        institution="NCBB",
    ),
)


def _pdf(doc: Doc, number: int, change: str) -> bytes:
    """A small real PDF: the document's header and a few sections (in English; the built-in
    fonts have no Chinese)."""
    pdf = FPDF()
    pdf.set_creation_date(PDF_DATE)
    pdf.set_title(f"{doc.number} v{number}")
    pdf.add_page()
    pdf.set_font("helvetica", "B", 15)
    pdf.multi_cell(
        0,
        8,
        "National Stem Cell Resource Bank"
        if doc.institution == "NSRB"
        else "North China Cord Blood Bank",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.set_font("helvetica", "B", 13)
    pdf.multi_cell(0, 8, f"{doc.number}  {doc.title}", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("helvetica", size=10)
    body = (
        f"Version {number}. Controlled copy: the version in force is the one in stemhub.\n\n"
        f"Changes in this version: {change}\n\n"
        "1. Purpose and scope\nThis document states how the bank does the work named in its "
        "title, to ISO 20387:2018.\n\n2. Responsibilities\nStaff authorised for the task; QA "
        "approves deviations.\n\n3. Procedure\nFollow the steps in order; record each in "
        "stemhub as you go.\n\n4. Records\nKept in stemhub with the audit trail.\n"
    )
    pdf.multi_cell(0, 6, body, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def _at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour), timezone.get_current_timezone())


@dataclass
class _People:
    author: User
    reviewer: User
    approver: User


def _version(
    doc: Doc, document: ControlledDocument, spec: Version, people: _People, today: datetime.date
) -> DocumentVersion:
    """Draft, attach, submit, review and approve one version, then date each step."""
    effective = today - datetime.timedelta(days=spec.days_ago)
    approved_on = min(effective - datetime.timedelta(days=14), today - datetime.timedelta(3))
    reviewed_on = approved_on - datetime.timedelta(days=6)
    drafted_on = reviewed_on - datetime.timedelta(days=20)
    version = documents.version_draft(
        actor=people.author, document=document, change_summary=spec.change
    )
    name = f"{doc.number}-v{version.number}.pdf"
    version = documents.version_file_attach(
        actor=people.author,
        version=version,
        name=name,
        chunks=[_pdf(doc, version.number, spec.change)],
    )
    documents.version_submit(actor=people.author, version=version)
    version = documents.version_review(
        actor=people.reviewer, version=version, password=DEMO_PASSWORD
    )
    version = documents.version_approve(
        actor=people.approver,
        version=version,
        password=DEMO_PASSWORD,
        effective_from=effective,
        retraining_required=spec.retraining,
        today=approved_on,
    )
    assert version.review_signature_id and version.approval_signature_id and version.file_id
    Signature.objects.filter(pk=version.review_signature_id).update(signed_at=_at(reviewed_on))
    Signature.objects.filter(pk=version.approval_signature_id).update(
        signed_at=_at(approved_on, 15)
    )
    DocumentVersion.objects.filter(pk=version.pk).update(created_at=_at(drafted_on, 9))
    with history_rewritable():
        DocumentFile.objects.filter(pk=version.file_id).update(uploaded_at=_at(drafted_on, 11))
    return version


def _open_revision(doc: Doc, document: ControlledDocument, people: _People) -> None:
    today = timezone.localdate()
    version = documents.version_draft(
        actor=people.author, document=document, change_summary=doc.open_change
    )
    version = documents.version_file_attach(
        actor=people.author,
        version=version,
        name=f"{doc.number}-v{version.number}-draft.pdf",
        chunks=[_pdf(doc, version.number, doc.open_change)],
    )
    DocumentVersion.objects.filter(pk=version.pk).update(
        created_at=_at(today - datetime.timedelta(days=12))
    )
    if doc.open == "in_review":
        documents.version_submit(actor=people.author, version=version)


def _acknowledge(
    document: ControlledDocument, readers: list[User], unread_by: tuple[str, ...]
) -> None:
    """Every reader acknowledged each version some days after it came into force (the one in
    force: all but `unread_by`)."""
    today = timezone.localdate()
    rows = []
    for version in document.versions.filter(
        status__in=[VersionStatus.EFFECTIVE, VersionStatus.SUPERSEDED, VersionStatus.OBSOLETE]
    ).order_by("number"):
        assert version.effective_from is not None
        for n, person in enumerate(readers):
            if version.status == VersionStatus.EFFECTIVE and person.username in unread_by:
                continue
            day = min(version.effective_from + datetime.timedelta(days=1 + (n * 3) % 11), today)
            rows.append(
                Acknowledgement(version=version, user=person, acknowledged_at=_at(day, 9 + n))
            )
    Acknowledgement.objects.bulk_create(rows)


def _supersession_dates(document: ControlledDocument) -> None:
    """A superseded version was retired the day its successor came into force."""
    versions = list(document.versions.order_by("number"))
    for before, after in itertools.pairwise(versions):
        if before.status == VersionStatus.SUPERSEDED and after.effective_from:
            DocumentVersion.objects.filter(pk=before.pk).update(
                retired_at=_at(after.effective_from, 0)
            )


def _load(doc: Doc, institution: Institution, people: _People, readers: list[User]) -> None:
    today = timezone.localdate()
    first = today - datetime.timedelta(days=doc.versions[0].days_ago + 45)
    document = documents.document_create(
        actor=people.author,
        institution=institution,
        number=doc.number,
        title=doc.title,
        title_zh=doc.title_zh,
        kind=doc.kind,
        owner=people.approver if doc.kind in (POLICY, MANUAL) else people.author,
        review_interval_months=doc.interval,
    )
    with audit_context(actor=people.author, reason="Demo: dated as it happened"):
        ControlledDocument.objects.filter(pk=document.pk).update(created_at=_at(first, 9))
        for spec in doc.versions:
            _version(doc, document, spec, people, today)
        documents.document_bring_into_force(document=document, today=today)
        if doc.reviewed_days_ago is not None:
            version = document.versions.get(status=VersionStatus.EFFECTIVE)
            review = documents.version_periodic_review(
                actor=people.approver,
                version=version,
                password=DEMO_PASSWORD,
                outcome="confirmed",
                notes="Still matches practice; no change needed.",
                today=today - datetime.timedelta(days=doc.reviewed_days_ago),
            )
            Signature.objects.filter(pk=review.signature_id).update(
                signed_at=_at(review.reviewed_on, 14)
            )
        if doc.open:
            _open_revision(doc, document, people)
        _supersession_dates(document)
        _acknowledge(document, readers, doc.unread_by)
        if doc.withdrawn_days_ago is not None:
            documents.document_withdraw(
                actor=people.approver, document=document, reason=doc.withdrawn_reason
            )
            when = _at(today - datetime.timedelta(days=doc.withdrawn_days_ago))
            ControlledDocument.objects.filter(pk=document.pk).update(withdrawn_at=when)
            document.versions.filter(status=VersionStatus.OBSOLETE).update(retired_at=when)


def load(*, stdout: TextIO | None = None) -> None:
    """Once: when NSRB already has controlled documents, nothing is done."""
    nsrb = Institution.objects.filter(provider_code="NSRB").first()
    ncbb = Institution.objects.filter(provider_code="NCBB").first()
    if nsrb is None or ncbb is None:
        raise RuntimeError("Load the core demo first: stemhub demo")
    if ControlledDocument.objects.filter(institution=nsrb).exists():
        return
    users: dict[str, Any] = {
        u.username: u
        for u in User.objects.filter(Q(username__in=["doccontrol", "qa", "admin", "cord-qa"]))
    }
    nsrb_people = _People(users["doccontrol"], users["qa"], users["qa"])
    ncbb_people = _People(users["admin"], users["cord-qa"], users["cord-qa"])
    readers = staff_readers(nsrb.pk)
    for doc in NSRB_DOCUMENTS:
        _load(doc, nsrb, nsrb_people, readers)
    cord_readers = staff_readers(ncbb.pk)
    for doc in NCBB_DOCUMENTS:
        _load(doc, ncbb, ncbb_people, cord_readers)
    if stdout is not None:
        stdout.write(
            f"Controlled documents: {len(NSRB_DOCUMENTS)} at NSRB, {len(NCBB_DOCUMENTS)} at "
            "NCBB, with their versions, signatures and acknowledgements.\n"
        )
