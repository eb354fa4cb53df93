"""Demo competence at NSRB and NCBB: who is trained, assessed and authorised for the regulated
work the other apps' demos do, so that they run as authorised people.

NSRB's job roles (cell bank technician, QC analyst, QA manager, distribution officer) and
NCBB's (cord blood technician, QA manager) require the procedures that govern their tasks.
The documents are document control's (its demo makes SOP-QC-001 v3, which requires
retraining); this demo makes any that are missing, with one approved, effective version, so
that it also runs alone. Then each demo person reads and is trained on the versions in force,
is assessed (signed by the trainer, or at NCBB its QA manager) and authorised:

- technician (Min Zhang): creates banks, thaws, disposes and records QC results; the
  authorisation to dispose of vials expires within 30 days;
- qa (Peng Nie): signs releases; also a QC analyst, not yet trained on SOP-QC-001's version in
  force (or, alone, not having read it): his QC authorisation is blocked;
- curator (Siyu Chen): reviews distribution requests;
- trainer (Qiang Guo): a senior technician whose authorisation to thaw vials expired;
- cord-tech (Lihua Ma): confirms NCBB's reservations by releasing units for shipment.
"""

import datetime
from dataclasses import dataclass
from typing import Any, TextIO

from django.db import transaction
from django.utils import timezone

from stemhub.accounts.demo import DEMO_PASSWORD
from stemhub.accounts.models import Institution, User
from stemhub.audit.context import audit_context
from stemhub.audit.triggers import history_rewritable
from stemhub.qms import competence
from stemhub.qms.models import (
    Acknowledgement,
    Authorisation,
    ControlledDocument,
    DocumentKind,
    DocumentVersion,
    JobRole,
    Task,
    VersionStatus,
)
from stemhub.qms.signing import signature_write
from stemhub.quality.models import Signature

LOGINS: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class DocumentSpec:
    institution: str
    number: str
    title: str
    title_zh: str
    task: str


DOCUMENTS = (
    DocumentSpec(
        "NSRB",
        "SOP-QC-001",
        "Quality control testing of cell banks",
        "细胞库质量控制检测",
        Task.QC_RESULT,
    ),
    DocumentSpec("NSRB", "SOP-QA-002", "Release of cell banks", "细胞库放行", Task.RELEASE),
    DocumentSpec(
        "NSRB",
        "SOP-BB-010",
        "Preparation of master and working cell banks",
        "主细胞库和工作细胞库的制备",
        Task.BANK_CREATE,
    ),
    DocumentSpec(
        "NSRB", "SOP-BB-012", "Thawing of cryopreserved vials", "冻存管复苏", Task.VIAL_THAW
    ),
    DocumentSpec("NSRB", "SOP-BB-014", "Disposal of vials", "冻存管销毁", Task.VIAL_DISPOSE),
    DocumentSpec(
        "NSRB", "SOP-DS-001", "Review of distribution requests", "分发申请审核", Task.REQUEST_REVIEW
    ),
    DocumentSpec(
        "NCBB",
        "SOP-CB-005",
        "Reservation and release of cord blood units",
        "脐带血单位的预留与出库",
        Task.CORD_RESERVATION,
    ),
)


@dataclass(frozen=True)
class RoleSpec:
    institution: str
    name: str
    name_zh: str
    description: str
    documents: tuple[str, ...]
    tasks: tuple[str, ...]
    skills: tuple[str, ...]
    members: tuple[str, ...]


ROLES = (
    RoleSpec(
        "NSRB",
        "Cell bank technician",
        "细胞库技术员",
        "Prepares cell banks, thaws and disposes of vials.",
        ("SOP-BB-010", "SOP-BB-012", "SOP-BB-014"),
        (Task.BANK_CREATE, Task.VIAL_THAW, Task.VIAL_DISPOSE),
        ("Aseptic technique",),
        ("technician", "trainer"),
    ),
    RoleSpec(
        "NSRB",
        "QC analyst",
        "质量控制分析员",
        "Tests cell banks and records the results.",
        ("SOP-QC-001",),
        (Task.QC_RESULT,),
        ("Mycoplasma PCR",),
        ("technician", "qa"),
    ),
    RoleSpec(
        "NSRB",
        "QA manager",
        "质量保证经理",
        "Releases cell banks with a signature.",
        ("SOP-QA-002",),
        (Task.RELEASE,),
        (),
        ("qa",),
    ),
    RoleSpec(
        "NSRB",
        "Distribution officer",
        "分发专员",
        "Reviews distribution requests against consent and licence.",
        ("SOP-DS-001",),
        (Task.REQUEST_REVIEW,),
        (),
        ("curator",),
    ),
    RoleSpec(
        "NCBB",
        "Cord blood technician",
        "脐带血技术员",
        "Processes and stores cord blood units, confirms reservations.",
        ("SOP-CB-005",),
        (Task.CORD_RESERVATION,),
        (),
        ("cord-tech",),
    ),
    RoleSpec(
        "NCBB",
        "QA manager",
        "质量保证经理",
        "Oversees quality at the cord blood bank.",
        ("SOP-CB-005",),
        (),
        (),
        ("cord-qa",),
    ),
)

# (person, task, assessor, days since the assessment, days the authorisation has left)
AUTHORISED = (
    ("technician", Task.BANK_CREATE, "trainer", 120, 610),
    ("technician", Task.VIAL_THAW, "trainer", 120, 610),
    ("technician", Task.VIAL_DISPOSE, "trainer", 340, 19),  # expiring within 30 days
    ("technician", Task.QC_RESULT, "trainer", 95, 635),
    ("qa", Task.RELEASE, "trainer", 200, 530),
    ("qa", Task.QC_RESULT, "trainer", 200, 530),
    ("curator", Task.REQUEST_REVIEW, "trainer", 60, 670),
    ("trainer", Task.BANK_CREATE, "qa", 150, 580),
    ("trainer", Task.VIAL_DISPOSE, "qa", 150, 580),
    ("cord-tech", Task.CORD_RESERVATION, "cord-qa", 80, 650),
)
EXPIRED = ("trainer", Task.VIAL_THAW, "qa", 800, 35)  # granted 800 days ago, expired 35 ago
# Who has not been trained on (or, alone, not read) which document's version in force.
GAPS = {("qa", "SOP-QC-001")}
TRAINERS = {"NSRB": "trainer", "NCBB": "cord-qa"}
EXTERNAL = {
    "Aseptic technique": "Beijing Biosafety Training Centre",
    "Mycoplasma PCR": "National Institutes for Food and Drug Control workshop",
}


def _say(stdout: TextIO | None, message: str) -> None:
    if stdout is not None:
        stdout.write(message + "\n")


def document_in_force(
    institution: Institution, spec: DocumentSpec, owner: User, author: User
) -> DocumentVersion:
    """The document's version in force: document control's when it made one, else a first
    version approved (signed by `owner`) and effective a year ago."""
    document = ControlledDocument.objects.filter(
        institution=institution, number=spec.number
    ).first()
    if document is None:
        document = ControlledDocument.objects.create(
            institution=institution,
            number=spec.number,
            title=spec.title,
            title_zh=spec.title_zh,
            kind=DocumentKind.SOP,
            owner=owner,
        )
    version = DocumentVersion.objects.filter(
        document=document, status=VersionStatus.EFFECTIVE
    ).first()
    if version is not None:
        return version
    last = document.versions.order_by("-number").values_list("number", flat=True).first()
    number = (last or 0) + 1
    effective = timezone.localdate() - datetime.timedelta(days=365)
    signature = signature_write(
        actor=owner,
        meaning=Signature.Meaning.DOCUMENT_APPROVED,
        record={
            "kind": "document version",
            "document": spec.number,
            "title": spec.title,
            "version": number,
            "effective_from": f"{effective:%Y-%m-%d}",
            "retraining_required": False,
        },
    )
    return DocumentVersion.objects.create(
        document=document,
        number=number,
        status=VersionStatus.EFFECTIVE,
        change_summary="First issue",
        effective_from=effective,
        review_due=effective + datetime.timedelta(days=730),
        created_by=author,
        approval_signature=signature,
    )


@transaction.atomic
@history_rewritable()  # acknowledgements of the past are dated when they were made
def load(*, stdout: TextIO | None = None) -> None:
    found = Institution.objects.filter(provider_code__in=["NSRB", "NCBB"])
    banks = {institution.provider_code: institution for institution in found}
    names = {"qa", "technician", "curator", "trainer", "doccontrol", "cord-tech", "cord-qa"}
    people = {u.username: u for u in User.objects.filter(username__in=names)}
    if len(banks) < 2 or len(people) < len(names):
        _say(stdout, "Competence demo: NSRB, NCBB or their staff are missing; skipped")
        return
    if JobRole.objects.filter(institution__in=banks.values()).exists():
        _say(stdout, "Competence demo already loaded; nothing to do")
        return
    today = timezone.localdate()
    owners = {"NSRB": people["qa"], "NCBB": people["cord-qa"]}
    in_force: dict[str, DocumentVersion] = {}
    with audit_context(actor=people["doccontrol"], reason="demo: procedures in force"):
        for spec in DOCUMENTS:
            owner = owners[spec.institution]
            author = people["doccontrol"] if spec.institution == "NSRB" else owner
            in_force[spec.number] = document_in_force(banks[spec.institution], spec, owner, author)
    for spec in DOCUMENTS:
        competence.task_procedure_set(
            actor=owners[spec.institution],
            institution_id=banks[spec.institution].pk,
            task=spec.task,
            document=in_force[spec.number].document,
            reason="demo: the procedure that governs the task",
        )
    for role_spec in ROLES:
        keeper = owners[role_spec.institution]
        role = competence.job_role_create(
            actor=keeper,
            institution_id=banks[role_spec.institution].pk,
            name=role_spec.name,
            name_zh=role_spec.name_zh,
            description=role_spec.description,
        )
        for number in role_spec.documents:
            competence.job_role_requirement_add(
                actor=keeper, job_role=role, document=in_force[number].document
            )
        for task in role_spec.tasks:
            competence.job_role_requirement_add(actor=keeper, job_role=role, task=task)
        for skill in role_spec.skills:
            competence.job_role_requirement_add(actor=keeper, job_role=role, skill=skill)
        for username in role_spec.members:
            competence.job_role_member_add(
                actor=keeper,
                job_role=role,
                user=people[username],
                since=today - datetime.timedelta(days=900),
            )
    _read_and_train(people, in_force, today)
    for username, task, assessor, ago, left in AUTHORISED:
        _authorise(people[username], task, people[assessor], in_force, today, ago, left)
    username, task, granter, ago, expired = EXPIRED
    with audit_context(actor=people[granter], reason="demo: an authorisation of the past"):
        Authorisation.objects.create(
            user=people[username],
            task=task,
            granted_by=people[granter],
            granted_at=timezone.now() - datetime.timedelta(days=ago),
            valid_from=today - datetime.timedelta(days=ago),
            expires_on=today - datetime.timedelta(days=expired),
        )
    _say(
        stdout,
        f"Competence: {len(ROLES)} job roles at NSRB and NCBB, {len(AUTHORISED)} authorisations "
        f"(technician's disposal expiring within 30 days, trainer's thaw expired), qa not yet "
        f"trained on {in_force['SOP-QC-001'].label}",
    )


def _task_document(task: str) -> str:
    return next(spec.number for spec in DOCUMENTS if spec.task == task)


def _read_and_train(
    people: dict[str, User], in_force: dict[str, DocumentVersion], today: datetime.date
) -> None:
    """Every member reads (and where needed is trained on) each document their roles require,
    but for the gaps; and takes the roles' skill courses."""
    for role_spec in ROLES:
        trainer = people[TRAINERS[role_spec.institution]]
        for username in role_spec.members:
            person = people[username]
            for number in role_spec.documents:
                version = in_force[number]
                gap = (username, number) in GAPS
                if gap and not version.retraining_required:
                    continue  # alone (no new version): the gap is not having read it

                when = max(version.effective_from or today, today - datetime.timedelta(days=200))
                with audit_context(actor=person, reason="demo: read and understood"):
                    Acknowledgement.objects.get_or_create(
                        version=version,
                        user=person,
                        defaults={
                            "acknowledged_at": timezone.make_aware(
                                datetime.datetime.combine(when, datetime.time(10))
                            )
                        },
                    )
                if (
                    not gap
                    and (version.retraining_required or version.number == 1)
                    and not version.training_records.filter(user=person).exists()
                ):
                    competence.training_record_create(
                        actor=trainer,
                        user=person,
                        course="",
                        document_version=version,
                        **_trained_by(trainer, person, people),
                        trained_on=when,
                        evidence="Trained at the bench; attendance sheet signed.",
                    )
            for skill in role_spec.skills:
                if person.training_records.filter(course=skill).exists():
                    continue
                competence.training_record_create(
                    actor=trainer,
                    user=person,
                    course=skill,
                    external_trainer=EXTERNAL.get(skill, "External course"),
                    trained_on=today - datetime.timedelta(days=400),
                    evidence="Certificate of attendance.",
                )


def _trained_by(trainer: User, person: User, people: dict[str, User]) -> dict[str, Any]:
    """The trainer, or for the trainer themselves a colleague (NSRB's QA manager) or the
    regional course (NCBB)."""
    if trainer.pk != person.pk:
        return {"trainer": trainer}
    if person.institution_id == people["qa"].institution_id:
        return {"trainer": people["qa"]}
    return {"external_trainer": "Tianjin cord blood bank network training day"}


def _authorise(
    person: User,
    task: str,
    assessor: User,
    in_force: dict[str, DocumentVersion],
    today: datetime.date,
    ago: int,
    left: int,
) -> Any:
    """A competent assessment `ago` days back (signed by the assessor), then an authorisation
    from that day with `left` days to run."""
    assessed = today - datetime.timedelta(days=ago)
    version = in_force[_task_document(task)]
    assessment = competence.competence_assessment_sign(
        actor=assessor,
        user=person,
        task=task,
        assessed_on=assessed,
        method="Observed practice on three runs",
        outcome="competent",
        notes="",
        document_version=version,
        password=DEMO_PASSWORD,
    )
    return competence.authorisation_grant(
        actor=assessor,
        user=person,
        task=task,
        valid_from=assessed,
        expires_on=today + datetime.timedelta(days=left),
        assessment=assessment,
    )
