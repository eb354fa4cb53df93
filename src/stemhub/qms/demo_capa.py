"""CAPA and complaints demo for NSRB: a year of corrective action from several sources, some
closed and signed, some under way with overdue actions (for the demo users technician and
qa), and complaints from a hospital, a researcher and the public.

Everything goes through the services, as the staff would have done it, then is back-dated to
the days it happened (the CAPA's history is append-only: back-dating runs inside
`history_rewritable`, and a closure is signed again over the back-dated record so that its
hash still binds).

`load` needs only the accounts demo (it runs before the biobank and quality demos).
`link_quality_records` is for after the quality demo: it opens the CAPA of NSRB's open
nonconformity (the failed mycoplasma test) and of its first temperature excursion.
"""

from datetime import date, datetime, timedelta
from typing import Any, TextIO

from django.db import transaction
from django.utils import timezone

from stemhub.accounts.demo import DEMO_PASSWORD
from stemhub.accounts.models import Institution, User
from stemhub.audit.context import audit_context
from stemhub.audit.triggers import history_rewritable
from stemhub.distribution.models import DistributionRequest, RequestStatus
from stemhub.qms import capa as services
from stemhub.qms import complaints
from stemhub.qms.capa_selectors import capa_record
from stemhub.qms.models import Capa, CapaAction, CapaEvent, Complaint
from stemhub.quality.models import Signature
from stemhub.quality.selectors import record_bytes, record_hash


def _day(days_ago: int, hour: int = 10) -> datetime:
    now = timezone.localtime()
    return now.replace(hour=hour, minute=15, second=0, microsecond=0) - timedelta(days=days_ago)


def _date(days_from_today: int) -> date:
    return timezone.localdate() + timedelta(days=days_from_today)


class CapaStory:
    """One CAPA told step by step: each step runs its service now, then dates itself (and
    the event it wrote) `days_ago`."""

    def __init__(self, capa: Capa, days_ago: int) -> None:
        self.capa = capa
        self._date_last_event(days_ago, 9)
        with audit_context(actor=None, reason="Demo: back-dated"):
            Capa.objects.filter(pk=capa.pk).update(raised_at=_day(days_ago, 9))

    def _date_last_event(self, days_ago: int, hour: int = 10) -> None:
        event = CapaEvent.objects.filter(capa=self.capa).order_by("-pk").first()
        if event is not None:
            CapaEvent.objects.filter(pk=event.pk).update(at=_day(days_ago, hour))

    def refresh(self) -> Capa:
        self.capa = Capa.objects.get(pk=self.capa.pk)
        return self.capa

    def investigate(self, actor: User, days_ago: int, **fields: Any) -> None:
        services.capa_investigation_record(actor=actor, capa=self.refresh(), **fields)
        self._date_last_event(days_ago)
        with audit_context(actor=None, reason="Demo: back-dated"):
            Capa.objects.filter(pk=self.capa.pk).update(investigated_at=_day(days_ago))

    def act(
        self, actor: User, days_ago: int, owner: User, due_in: int, description: str, kind: str
    ) -> CapaAction:
        action = services.capa_action_add(
            actor=actor,
            capa=self.refresh(),
            kind=kind,
            description=description,
            owner=owner,
            due_on=_date(max(due_in, 0)),
        )
        self._date_last_event(days_ago, 11)
        with audit_context(actor=None, reason="Demo: back-dated"):
            CapaAction.objects.filter(pk=action.pk).update(
                added_at=_day(days_ago, 11), due_on=_date(due_in)
            )
        return action

    def done(
        self, actor: User, action: CapaAction, days_ago: int, note: str, evidence: str
    ) -> None:
        services.capa_action_complete(
            actor=actor,
            action=CapaAction.objects.get(pk=action.pk),
            done_note=note,
            evidence=evidence,
        )
        self._date_last_event(days_ago, 15)
        with audit_context(actor=None, reason="Demo: back-dated"):
            CapaAction.objects.filter(pk=action.pk).update(done_at=_day(days_ago, 15))

    def plan(self, actor: User, days_ago: int, criteria: str, due_in: int) -> None:
        services.capa_effectiveness_plan(
            actor=actor, capa=self.refresh(), criteria=criteria, due_on=_date(due_in)
        )
        self._date_last_event(days_ago, 16)

    def verify(self, qa: User, days_ago: int, note: str) -> None:
        services.capa_effectiveness_record(
            actor=qa, capa=self.refresh(), result="effective", note=note
        )
        self._date_last_event(days_ago, 14)
        with audit_context(actor=None, reason="Demo: back-dated"):
            Capa.objects.filter(pk=self.capa.pk).update(
                effectiveness_verified_at=_day(days_ago, 14)
            )

    def close(self, qa: User, days_ago: int, summary: str) -> None:
        services.capa_close(actor=qa, capa=self.refresh(), password=DEMO_PASSWORD, summary=summary)
        self._date_last_event(days_ago, 17)
        when = _day(days_ago, 17)
        with audit_context(actor=None, reason="Demo: back-dated"):
            Capa.objects.filter(pk=self.capa.pk).update(closed_at=when)
            capa = self.refresh()
            record = capa_record(capa)  # signed again over the back-dated record
            signature = capa.closure_signature
            assert signature is not None  # closed just now
            Signature.objects.filter(pk=signature.pk).update(
                signed_at=when,
                record=record_bytes(record).decode(),
                record_hash=record_hash(record),
            )

    def due(self, days_from_today: int) -> None:
        with audit_context(actor=None, reason="Demo: back-dated"):
            Capa.objects.filter(pk=self.capa.pk).update(due_on=_date(days_from_today))


def _open(actor: User, nsrb: Institution, days_ago: int, **fields: Any) -> CapaStory:
    return CapaStory(services.capa_open(actor=actor, institution_id=nsrb.pk, **fields), days_ago)


def _complaint(actor: User | None, nsrb: Institution, days_ago: int, **fields: Any) -> Complaint:
    if actor is None:
        found = complaints.complaint_submit_public(institution_code=nsrb.provider_code, **fields)
    else:
        found = complaints.complaint_record(
            actor=actor,
            institution_id=nsrb.pk,
            received_on=_date(-days_ago),
            **fields,
        )
    with audit_context(actor=None, reason="Demo: back-dated"):
        Complaint.objects.filter(pk=found.pk).update(
            received_on=_date(-days_ago), recorded_at=_day(days_ago, 9)
        )
    return Complaint.objects.get(pk=found.pk)


@transaction.atomic
@history_rewritable()  # the demo back-dates the events of the past it makes up
def load(*, stdout: TextIO | None = None) -> None:
    nsrb = Institution.objects.filter(provider_code="NSRB").first()
    if nsrb is None or not User.objects.filter(username="qa").exists():
        raise RuntimeError("Load the accounts demo first: NSRB and its staff")
    if Capa.objects.filter(institution=nsrb).exists():
        _say(stdout, "CAPA demo already loaded; nothing to do")
        return
    people = {u.username: u for u in User.objects.filter(institution=nsrb)}
    tech, qa, curator = people["technician"], people["qa"], people["curator"]

    # 1. Closed: a deviation from the LN2 top-up procedure, found in the log review.
    ln2 = _open(
        tech,
        nsrb,
        240,
        source="deviation",
        source_label="DEV-2026-004",
        title="液氮罐 LN2-03 补液记录缺失三天",
        description="2月10日至12日液氮罐 LN2-03 无补液记录，液位降至 18 cm（下限 20 cm）。"
        "LN2-03 had no top-up record for three days; the level fell to 18 cm (limit 20 cm).",
    )
    ln2.investigate(
        tech,
        236,
        problem_statement="LN2-03 was not topped up on 10-12 February; level 18 cm against a "
        "20 cm minimum. No vial temperature rose above -150 °C (logger).",
        containment="Topped up on 13 February; logger data reviewed; no vial affected.",
        five_whys=[
            "The top-up was not done for three days",
            "The technician on the rota was on leave and nobody covered",
            "The rota has no named deputy",
            "SOP-STO-012 does not require a deputy",
        ],
        fishbone={
            "man": ["Leave not covered"],
            "method": ["SOP-STO-012 names no deputy", "No daily level check sheet"],
            "machine": ["Low-level alarm set at 15 cm, below the SOP minimum"],
        },
        root_cause="SOP-STO-012 names no deputy for the top-up rota and the tank alarm is set "
        "below the SOP minimum, so a missed top-up goes unnoticed.",
    )
    sop = ln2.act(
        qa, 235, tech, -200,
        "修订 SOP-STO-012：补液轮值设替补人 Revise SOP-STO-012: a named deputy on the rota",
        "corrective",
    )  # fmt: skip
    alarm = ln2.act(qa, 235, tech, -210, "Raise the LN2-03 low-level alarm to 22 cm", "corrective")
    sheet = ln2.act(
        qa, 235, curator, -190, "Daily level check sheet for every LN2 tank", "preventive"
    )
    ln2.done(tech, alarm, 228, "Alarm set to 22 cm and tested", "Work order WO-2026-031")
    ln2.done(tech, sop, 205, "SOP-STO-012 v5 effective", "SOP-STO-012 v5")
    ln2.done(curator, sheet, 196, "Form F-STO-012-2 in use on all tanks", "Form F-STO-012-2")
    ln2.plan(qa, 195, "No missed top-up and no level below 20 cm for 90 days", -100)
    ln2.verify(qa, 100, "Check sheets of 90 days reviewed: complete, lowest level 24 cm.")
    ln2.due(-210)
    ln2.close(qa, 99, "Deputy rota and alarm effective; closed.")

    # 2. Closed: a researcher's complaint about a thaw (and the complaint closed with it).
    thaw = _complaint(
        None,
        nsrb,
        160,
        complainant_kind="researcher",
        complainant_name="Dr. Anna Berg",
        complainant_contact="a.berg@ki.example.org",
        complainant_organisation="Karolinska Institutet",
        related_reference="NSRBi003-A",
        description="The vial of NSRBi003-A we received on 3 June recovered poorly after "
        "thawing (about 20% attached colonies on day 3). The certificate states >70% "
        "viability. Could you check the lot?",
    )
    story = CapaStory(
        complaints.complaint_capa_open(
            actor=tech, complaint=thaw, title="NSRBi003-A 复苏后贴壁率低 Poor recovery after thaw"
        ),
        158,
    )
    story.investigate(
        tech,
        150,
        problem_statement="A researcher reports poor recovery of NSRBi003-A after thaw; the "
        "retained vial of the same lot recovered at 78%.",
        containment="Retained vial thawed: 78% viability. Replacement vial shipped.",
        five_whys=[
            "Cells recovered poorly at the recipient",
            "The vial was warm on arrival (dry ice exhausted)",
            "The courier held the parcel 30 hours over a weekend",
            "Shipments go out on Thursdays without a weekend check",
        ],
        fishbone={
            "method": ["Shipping on Thursday"],
            "material": ["5 kg of dry ice for a 72 h route"],
            "environment": ["Summer heat"],
        },
        root_cause="International shipments leave on Thursdays with dry ice for 72 h; a "
        "weekend hold at customs exhausts it.",
    )
    ship = story.act(tech, 149, tech, -120, "Ship international orders Monday to Wednesday only",
                     "corrective")  # fmt: skip
    ice = story.act(tech, 149, tech, -120, "Dry ice for 120 h on international routes",
                    "preventive")  # fmt: skip
    story.done(tech, ship, 140, "Shipping calendar changed", "SOP-DIS-004 v3")
    story.done(tech, ice, 139, "Packing list updated: 9 kg dry ice", "Form F-DIS-004-1 v2")
    story.plan(tech, 138, "No warm arrival reported in the next 10 international shipments", -40)
    story.verify(qa, 45, "10 shipments, all arrived with dry ice left (receipts on file).")
    story.due(-128)
    story.close(qa, 44, "Shipping days and dry ice amount changed; researcher informed.")
    with audit_context(actor=qa, reason="Demo complaint closed"):
        complaints.complaint_close(
            actor=qa,
            complaint=thaw,
            outcome="Replacement vial sent; shipping moved to Monday-Wednesday with 120 h of "
            "dry ice (CAPA). Dr. Berg confirmed the replacement grew normally.",
        )
        Complaint.objects.filter(pk=thaw.pk).update(closed_at=_day(44, 18))

    # 3. Actions under way, overdue: a deviation QA found in the monthly equipment check (the
    # audits of the audit programme raise their own CAPAs: demo_audits).
    audit = _open(
        qa,
        nsrb,
        75,
        source="deviation",
        source_label="DEV-2026-011",
        title="温度记录仪校准证书过期 Temperature logger calibration certificates expired",
        description="Monthly equipment check (clause 6.5): three of eight temperature "
        "loggers of the -80 °C freezers carry calibration certificates expired in March.",
        owner=tech,
    )
    audit.investigate(
        tech,
        70,
        problem_statement="Loggers TL-04, TL-06 and TL-07 calibrated until 2026-03-31, still "
        "in use.",
        containment="Readings since April compared with the freezers' own displays: "
        "agree within 1 °C.",
        five_whys=[
            "Certificates expired unnoticed",
            "Loggers are not in the equipment register",
            "They were bought with the freezers as accessories",
        ],
        root_cause="Loggers bought as accessories were never entered in the equipment "
        "register, so no calibration came due for them.",
    )
    register = audit.act(tech, 68, tech, -6, "Enter all 8 loggers in the equipment register",
                         "corrective")  # fmt: skip
    audit.act(tech, 68, tech, -2, "Send TL-04, TL-06, TL-07 for calibration", "corrective")
    audit.act(tech, 68, qa, -1, "Add accessories to the purchasing checklist", "preventive")
    audit.done(tech, register, 60, "All 8 loggers registered with due dates", "EQ register")
    audit.due(5)

    # 4. Investigation: a technician's deviation, owned by the technician, overdue.
    thaw_log = _open(
        tech,
        nsrb,
        40,
        source="deviation",
        source_label="DEV-2026-019",
        title="复苏记录晚录入一天 Thaw entered in the record a day late",
        description="The thaw of two vials of NSRBi001-A on 28 October was entered on 29 "
        "October, after the shipment left.",
    )
    thaw_log.investigate(
        tech,
        35,
        problem_statement="Thaw recorded the day after it was done.",
        containment="Entry corrected with the reason; custody checked.",
        five_whys=["Entered late", "The bench has no terminal"],
    )
    thaw_log.due(-3)

    # 5. Effectiveness check: a hospital's complaint about a warm cord unit (via e-mail).
    warm = _complaint(
        tech,
        nsrb,
        70,
        complainant_kind="hospital",
        channel="email",
        complainant_name="Dr 周海峰 (Haifeng Zhou)",
        complainant_contact="transplant@uhtc.example.org",
        complainant_organisation="Jinghua University Hospital Transplant Centre",
        related_reference="Shipment SHP-2026-0112",
        description="移植中心收到的运输箱温度记录显示运输途中有 40 分钟高于 -150 °C。"
        "The dry shipper's logger shows 40 minutes above -150 °C during transport.",
    )
    shipper = CapaStory(
        complaints.complaint_capa_open(
            actor=qa, complaint=warm, title="脐血运输途中温度超限 Cord unit warm in transport"
        ),
        69,
    )
    shipper.investigate(
        qa,
        60,
        problem_statement="Dry shipper DS-02 logged 40 min above -150 °C (max -141 °C).",
        containment="Recipient told; unit quarantined pending the stability data; DS-02 withdrawn.",
        fishbone={
            "machine": ["DS-02 holding time 6 days, not 10 as specified"],
            "method": ["No pre-charge weight check"],
        },
        root_cause="Dry shipper DS-02 lost vacuum; its holding time is not checked before use.",
    )
    weigh = shipper.act(qa, 58, tech, -40, "Weigh every dry shipper after charging (SOP-DIS-007)",
                        "corrective")  # fmt: skip
    shipper.done(tech, weigh, 45, "SOP-DIS-007 v2 with the weight check", "SOP-DIS-007 v2")
    shipper.plan(qa, 44, "No temperature alarm in the next 15 dry shipper shipments", 15)
    shipper.due(10)

    # 6. Open, just raised: a sample exchange with another laboratory disagreed. It is not a
    # proficiency scheme of the platform (those open their CAPA from the round: demo_iqc),
    # so the CAPA cites no record and says so.
    _open(
        qa,
        nsrb,
        4,
        source="other",
        title="实验室间比对支原体 PCR 结果不一致 Mycoplasma PCR disagrees with a partner lab",
        description="样本交换（非能力验证计划，系统中无对应记录）：样本 M-3 我方报告阴性，"
        "合作实验室为阳性（10 CFU/mL）。Sample exchange with a partner laboratory (not a "
        "proficiency scheme, so no record here): sample M-3 reported negative by us, positive "
        "(10 CFU/mL) by the partner.",
        owner=qa,
    )

    # 7. A member of the public, under review, no CAPA (yet).
    public = _complaint(
        None,
        nsrb,
        6,
        complainant_kind="public",
        description="我在网站上看到你们保存胚胎干细胞系，想了解捐献者是否知情同意，"
        "但找不到联系人。I could not find whom to ask about donor consent.",
    )
    complaints.complaint_review_start(actor=qa, complaint=public)
    # A request of the demo's that still waits for the bank (its reference, DR-000NN).
    oldest = (
        DistributionRequest.objects.filter(provider=nsrb, status=RequestStatus.SUBMITTED)
        .order_by("pk")
        .first()
    )
    waiting = oldest.reference if oldest else "DR-00001"
    _complaint(
        tech,
        nsrb,
        2,
        complainant_kind="researcher",
        channel="phone",
        complainant_name="李娜 (Na Li)",
        complainant_organisation="Lianhu University iPSC Core Facility",
        related_reference=f"Request {waiting}",
        description=f"分发申请 {waiting} 五周未获答复。Distribution request {waiting} unanswered "
        "for five weeks.",
    )
    _say(
        stdout,
        f"CAPA: {Capa.objects.filter(institution=nsrb).count()} CAPAs at NSRB (2 closed and "
        f"signed, overdue actions for technician and qa), "
        f"{Complaint.objects.filter(institution=nsrb).count()} complaints",
    )


@transaction.atomic
def link_quality_records(*, stdout: TextIO | None = None) -> None:
    """After the quality demo: the CAPA of NSRB's open nonconformity (raised by the
    technician, investigation under way) and of its first temperature excursion."""
    from stemhub.equipment.models import Excursion
    from stemhub.qms.capa_sources import capa_open_for_excursion, capa_open_for_nonconformity
    from stemhub.quality.models import Nonconformity

    tech = User.objects.filter(username="technician").first()
    if tech is None:
        return
    opened = []
    nc = (
        Nonconformity.objects.filter(bank__institution=tech.institution, status="open")
        .order_by("pk")
        .first()
    )
    if nc is not None:
        capa = capa_open_for_nonconformity(actor=tech, nonconformity=nc)
        if capa.status == "open":
            services.capa_investigation_record(
                actor=tech,
                capa=capa,
                problem_statement=nc.description,
                containment="Lot quarantined; retained vials of the parent bank sent for "
                "mycoplasma culture.",
                five_whys=["Mycoplasma PCR positive", "Contamination during expansion?"],
                fishbone={
                    "material": ["Serum lot 2026-07 not tested by us"],
                    "environment": ["BSC-2 HEPA filter due for certification"],
                },
            )
        opened.append(capa.number)
    excursion = (
        Excursion.objects.filter(equipment__institution=tech.institution).order_by("pk").first()
    )
    if excursion is not None:
        opened.append(capa_open_for_excursion(actor=tech, excursion=excursion).number)
    _say(stdout, f"CAPA for the quality demo's records: {', '.join(opened) or 'none'}")


def _say(stdout: TextIO | None, message: str) -> None:
    if stdout is not None:
        stdout.write(message + "\n")
