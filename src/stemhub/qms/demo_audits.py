"""Demo audit programme of NSRB, run through the services: last year's internal audits covering
every clause software supports (findings of each grade, their CAPAs, most closed), a CNAS
surveillance assessment and a health commission inspection; this year's programme with audits
done, one in progress, one report awaiting approval and audits planned in the coming weeks;
and last year's management review, signed in January.

Dates count from the day the demo is loaded. The CAPAs are opened through `qms.capa.capa_open`;
those the story needs closed are closed here with a signature, as the CAPA part's closure
would, and everything done in the past is back-dated afterwards (timestamps are not part of
what the signatures bind).
"""

import datetime
from dataclasses import dataclass, field
from typing import TextIO

from django.utils import timezone

from stemhub.accounts.demo import DEMO_PASSWORD
from stemhub.accounts.models import Institution, User
from stemhub.audit.context import audit_context
from stemhub.audit.triggers import history_rewritable
from stemhub.qms import audits as services
from stemhub.qms.demo_capa import CapaStory
from stemhub.qms.models import (
    Audit,
    AuditFinding,
    Capa,
    CapaStatus,
    ChecklistAnswer,
    ManagementReview,
)
from stemhub.qms.review import management_review_inputs, management_review_signed_record
from stemhub.qms.signing import signature_write
from stemhub.quality.models import Signature


@dataclass(frozen=True)
class Finding:
    grade: str
    clause: str
    description: str
    evidence: str
    capa: str = ""  # the CAPA's state in the story: "closed", "actions", "investigation", "open"


@dataclass(frozen=True)
class Planned:
    kind: str
    title: str
    title_zh: str
    clauses: tuple[str, ...]
    on: datetime.date
    outcome: str  # planned, in_progress, submitted, reported, closed
    lead: str = ""  # a demo username
    body: str = ""
    area: str = ""
    days: int = 2
    summary: str = ""
    findings: tuple[Finding, ...] = field(default=())


def _programme(today: datetime.date) -> list[Planned]:
    last = today.year - 1

    def day(month: int, dom: int) -> datetime.date:
        return datetime.date(last, month, dom)

    def ago(days: int) -> datetime.date:
        return today - datetime.timedelta(days=days)

    def ahead(days: int) -> datetime.date:
        return today + datetime.timedelta(days=days)

    return [
        Planned(
            "internal", "Internal audit: personnel, documents and records",
            "内部审核：人员、文件与记录", ("6.2", "8.2", "8.3", "8.4"), day(3, 16), "closed",
            lead="curator", area="Quality office; cell culture suite 1",
            summary="Document control works; two printouts of superseded SOPs were still in use "
            "at a bench. Training records complete for all 6 technicians sampled.",
            findings=(
                Finding("minor", "8.3", "Two printed copies of SOP-BB-012 v2 (superseded by v3) "
                        "were in use at the cryo room bench.",
                        "Copies seen 2025-03-17, bench 2; v3 effective since February.", "closed"),
                Finding("observation", "6.2", "The competence assessment form does not say which "
                        "procedure version the person was assessed on.",
                        "Forms of 3 technicians reviewed."),
            ),
        ),
        Planned(
            "internal", "Internal audit: facilities, equipment and storage",
            "内部审核：设施、设备与储存", ("6.3", "6.5", "7.6", "7.7"), day(5, 20), "closed",
            lead="qa", area="Cryo room B2; QC laboratory",
            summary="Storage well controlled; one instrument used past its certification and one "
            "vial off its recorded position in a spot check of 20.",
            findings=(
                Finding("major", "6.5", "Biosafety cabinet BSC-2 was used for 9 days after its "
                        "annual certification expired.",
                        "Certificate expired 2025-04-30; usage log shows 6 sessions in May.",
                        "closed"),
                Finding("minor", "7.7", "In a spot check of 20 vials, one was one position off "
                        "the position recorded in the inventory.",
                        "Tank 1, rack 3, box 7: vial found at B4, recorded at B5.", "closed"),
            ),
        ),
        Planned(
            "external", "CNAS surveillance assessment (ISO 20387)",
            "CNAS 监督评审（ISO 20387）",
            ("4.2", "4.3", "6.2", "6.5", "7.5", "7.8", "7.10", "8.3", "8.7", "8.8", "8.9"),
            day(6, 24), "closed", body="CNAS 中国合格评定国家认可委员会", days=3,
            summary="Accreditation maintained. One minor nonconformity on data backup, one "
            "observation on the internal audit programme.",
            findings=(
                Finding("minor", "7.10", "The restore of the database backup has not been tested "
                        "in the last 12 months.", "No restore test record since 2024-02.",
                        "closed"),
                Finding("observation", "8.8", "The audit programme could plan clause 7.13 "
                        "(complaints) earlier in the cycle.", "Programme 2025 reviewed."),
            ),
        ),
        Planned(
            "internal", "Internal audit: collection, reception, transport and traceability",
            "内部审核：采集、接收、运输与可追溯性", ("7.2", "7.3", "7.4", "7.5"), day(9, 9),
            "reported", lead="instadmin", area="Distribution and shipping",
            summary="Traceability from donor to recipient demonstrated for 5 lines. One shipment "
            "without its temperature record.",
            findings=(
                Finding("minor", "7.4", "The temperature record of one dry-shipper shipment to a "
                        "recipient in Shanghai is missing.", "Shipment of 2025-08-12, request 14.",
                        "actions"),
                Finding("observation", "7.5", "Custody events of returned vials carry a free-text "
                        "reason only.", "3 returns reviewed."),
            ),
        ),
        Planned(
            "regulator", "Health commission inspection of the stem cell resource bank",
            "卫生健康委员会干细胞资源库检查", ("4.3", "7.2", "7.10", "7.11"), day(10, 28),
            "closed", body="国家卫生健康委员会 National Health Commission", days=1,
            summary="No deficiency found. Consent records and data protection inspected.",
            findings=(
                Finding("observation", "4.3", "Donor data exports should be logged by purpose.",
                        "Two exports of 2025 reviewed."),
            ),
        ),
        Planned(
            "internal", "Internal audit: QC, methods, nonconformities, complaints and the QMS",
            "内部审核：质控、方法、不符合、投诉与管理体系",
            ("7.8", "7.9", "7.11", "7.12", "7.13", "8.5", "8.6", "8.7", "8.8", "8.9"),
            day(11, 18), "reported", lead="qa", area="QC laboratory; quality office",
            summary="QC and release well controlled. Complaint handling slower than our target.",
            findings=(
                Finding("minor", "7.13", "Two complaints of 2025 were answered after more than "
                        "30 days.", "Complaints 3 and 5.", "investigation"),
                Finding("observation", "8.6", "User feedback is collected but not yet analysed "
                        "each quarter.", "Feedback folder 2025."),
            ),
        ),
        # This year's programme
        Planned(
            "internal", "Internal audit: personnel, documents and records",
            "内部审核：人员、文件与记录", ("6.2", "8.3", "8.4"), ago(200), "reported",
            lead="curator", area="Quality office",
            summary="The fixes of last year's findings hold; one training record lacked evidence.",
            findings=(
                Finding("minor", "6.2", "A training record on SOP-QC-004 has no evidence "
                        "attached.", "Record of a technician trained in April.", "actions"),
            ),
        ),
        Planned(
            "supplier", "Supplier audit: liquid nitrogen supply",
            "供应商审核：液氮供应", ("6.4",), ago(90), "closed", lead="qa",
            area="北京气体供应有限公司 (LN2 supplier)", days=1,
            summary="Supplier approved for another year.",
            findings=(
                Finding("observation", "6.4", "Delivery notes do not state the fill level on "
                        "arrival.", "Notes of 3 deliveries."),
            ),
        ),
        Planned(
            "internal", "Internal audit: facilities, equipment and storage",
            "内部审核：设施、设备与储存", ("6.3", "6.5", "7.7"), ago(3), "in_progress",
            lead="qa", area="Cryo room B2; QC laboratory",
        ),
        Planned(
            "internal", "Internal audit: quality control and release",
            "内部审核：质量控制与放行", ("7.8", "7.9", "7.12"), ago(12), "submitted",
            lead="curator", area="QC laboratory",
            summary="QC results reviewed before every release sampled (8 banks). No finding.",
        ),
        Planned(
            "external", "CNAS surveillance assessment (ISO 20387)", "CNAS 监督评审（ISO 20387）",
            ("6.2", "6.5", "7.7", "7.10", "8.7", "8.8", "8.9"), ahead(20), "planned",
            body="CNAS 中国合格评定国家认可委员会",
        ),
        Planned(
            "internal", "Internal audit: risks, improvement and management review",
            "内部审核：风险、改进与管理评审", ("8.5", "8.6", "8.7", "8.8", "8.9"), ahead(40),
            "planned", lead="instadmin", area="Quality office",
        ),
    ]  # fmt: skip


def _at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def _work_capa(
    capa: Capa, qa: User, ended: datetime.date, until: str, today: datetime.date
) -> None:
    """Take a finding's CAPA through the CAPA services as far as `until` (investigation,
    actions under way, or closed under QA's signature), dated from the audit's end."""
    start = (today - ended).days
    story = CapaStory(capa, start)
    story.investigate(
        qa,
        max(start - 5, 0),
        problem_statement=capa.description,
        root_cause="The procedure did not say who checks this, or how often.",
        five_whys=[
            "The requirement was not met on the day of the audit.",
            "Nobody was assigned to check it.",
            "The procedure names no owner for the check.",
        ],
    )
    if until == CapaStatus.INVESTIGATION:
        return
    action = story.act(
        qa,
        max(start - 7, 0),
        owner=qa,
        due_in=30 - start,
        description="Name the owner and frequency of the check in the procedure; train staff.",
        kind="corrective",
    )
    if until == CapaStatus.ACTIONS:
        return
    story.done(
        qa, action, max(start - 25, 0), "Procedure revised and staff trained.", "Training record"
    )
    story.plan(qa, max(start - 26, 0), "No recurrence at the next internal audit.", 0)
    story.verify(qa, max(start - 40, 0), "Checked at the follow-up: no recurrence.")
    story.close(qa, max(start - 40, 0), "Corrected and verified effective.")


def _run(plan: Planned, *, nsrb: Institution, qa: User, today: datetime.date) -> Audit:
    lead = User.objects.get(username=plan.lead) if plan.lead else None
    audit = services.audit_plan(
        actor=qa, institution=nsrb, kind=plan.kind, title=plan.title, title_zh=plan.title_zh,
        clauses=list(plan.clauses), planned_on=plan.on, area=plan.area, lead_auditor=lead,
        external_body=plan.body,
    )  # fmt: skip
    created = plan.on - datetime.timedelta(days=60)
    Audit.objects.filter(pk=audit.pk).update(created_at=_at(min(created, today)))
    if plan.outcome == "planned":
        return audit
    runner = lead or qa
    audit = services.audit_start(actor=runner, audit=audit, started_on=plan.on)
    ended = min(plan.on + datetime.timedelta(days=plan.days - 1), today)
    failing = {f.clause: f for f in plan.findings if f.grade != "observation"}
    items = list(audit.checklist.order_by("position"))
    for n, item in enumerate(items):
        if plan.outcome == "in_progress" and n >= len(items) // 2:
            break
        failed = failing.pop(item.clause, None)
        services.audit_checklist_answer(
            actor=runner,
            item=item,
            answer=ChecklistAnswer.NONCONFORM if failed else ChecklistAnswer.CONFORM,
            evidence=failed.evidence if failed else "Records and practice sampled.",
        )
    audit.checklist.exclude(answered_at=None).update(answered_at=_at(ended, 15))
    for spec in plan.findings:
        # A lead auditor who may not raise CAPAs records; QA raises the CAPA.
        finding = services.audit_finding_record(
            actor=runner, audit=audit, grade=spec.grade, clause_id=spec.clause,
            description=spec.description, evidence=spec.evidence,
            capa_due_on=None,
        )  # fmt: skip
        if spec.capa and finding.capa_id is None:
            finding = services.audit_finding_capa_raise(actor=qa, finding=finding, due_on=None)
        AuditFinding.objects.filter(pk=finding.pk).update(recorded_at=_at(ended, 14))
        if finding.capa_id is not None:
            # Raised with the default due date, then dated from the audit (45 days after it).
            Capa.objects.filter(pk=finding.capa_id).update(
                due_on=ended + datetime.timedelta(days=45)
            )
            capa = Capa.objects.get(pk=finding.capa_id)
            if spec.capa in ("closed", CapaStatus.ACTIONS, CapaStatus.INVESTIGATION):
                _work_capa(capa, qa, ended, spec.capa, today)
    if plan.outcome == "in_progress":
        return audit
    audit = services.audit_report_submit(
        actor=runner, audit=audit, summary=plan.summary, ended_on=ended
    )
    reported_on = min(ended + datetime.timedelta(days=7), today)
    Audit.objects.filter(pk=audit.pk).update(report_submitted_at=_at(reported_on, 11))
    if plan.outcome == "submitted":
        return audit
    audit = services.audit_report_approve(actor=qa, audit=audit, password=DEMO_PASSWORD)
    if audit.report_signature is not None:
        Signature.objects.filter(pk=audit.report_signature.pk).update(
            signed_at=_at(min(reported_on + datetime.timedelta(days=3), today), 15)
        )
    if plan.outcome == "closed":
        audit = services.audit_close(actor=qa, audit=audit)
        closed_on = min(ended + datetime.timedelta(days=50), today)
        Audit.objects.filter(pk=audit.pk).update(closed_at=_at(closed_on, 16))
    return audit


def _review(nsrb: Institution, qa: User, today: datetime.date) -> ManagementReview:
    """Last year's review, held in January: its inputs as gathered that day, signed."""
    last = today.year - 1
    start, end = datetime.date(last, 1, 1), datetime.date(last, 12, 31)
    held = min(datetime.date(today.year, 1, 22), today)
    review = ManagementReview(
        institution=nsrb,
        period_start=start,
        period_end=end,
        held_on=held,
        attendees="聂鹏 Peng Nie, QA manager\n刘洋 Yang Liu, institution administrator\n"
        "陈思雨 Siyu Chen, curator\n张敏 Min Zhang, cell bank technician\n"
        "郭强 Qiang Guo, trainer",
        inputs=management_review_inputs(nsrb, start, end, today=held),
        decisions="The quality system is effective and suitable. Keep the 2-audit-a-year "
        "cycle covering every clause; add a restore test of the database backup each "
        "quarter; set a 20-day target for answering complaints.\n"
        "质量管理体系运行有效。保持每年覆盖全部条款的内审周期；每季度进行一次数据库备份恢复测试；"
        "投诉答复目标定为 20 天。",
        actions="Quarterly backup restore test: Yang Liu, from March.\n"
        "Complaint handling SOP revised with a 20-day target: Peng Nie, by April.\n"
        "Replace LN2 tank 1 level sensor: Min Zhang, by June.",
        recorded_by=qa,
        recorded_at=_at(held, 16),
    )
    review.signature = signature_write(
        actor=qa,
        meaning=Signature.Meaning.MANAGEMENT_REVIEW,
        record=management_review_signed_record(review),
    )
    Signature.objects.filter(pk=review.signature.pk).update(signed_at=_at(held, 16))
    review.save()
    return review


@history_rewritable()  # the CAPAs of past findings are dated when their steps were taken
def load(*, stdout: TextIO | None = None) -> None:
    nsrb = Institution.objects.filter(provider_code="NSRB").first()
    qa = User.objects.filter(username="qa").first()
    if nsrb is None or qa is None:
        raise RuntimeError("Load the accounts demo first: NSRB and its QA manager")
    if Audit.objects.filter(institution=nsrb).exists():
        if stdout is not None:
            stdout.write("Audit demo already loaded; nothing to do\n")
        return
    today = timezone.localdate()
    with audit_context(actor=qa, reason="Demo audit programme"):
        audits = [_run(plan, nsrb=nsrb, qa=qa, today=today) for plan in _programme(today)]
        _review(nsrb, qa, today)
    if stdout is not None:
        stdout.write(
            f"Audits: {len(audits)} audits at NSRB over two years, "
            f"{AuditFinding.objects.filter(audit__institution=nsrb).count()} findings; "
            "last year's management review signed\n"
        )
