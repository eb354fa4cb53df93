"""Internal QC and proficiency-testing records the tests share, at the bank NSCB: a viability
control at level 1 (id 9101, target 92 ± 2 %) and level 2 (id 9102, 75 ± 3 %), one run of
level 1 (id 9111), an NCCL scheme (id 9201) and a round awaiting its result (id 9301)."""

import datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone

from stemhub.audit.context import audit_context
from stemhub.qms.models import ControlMaterial, ControlRun, ProficiencyRound, ProficiencyScheme

LEVEL1, LEVEL2, RUN, SCHEME, ROUND = 9101, 9102, 9111, 9201, 9301
START = datetime.date(2026, 1, 1)


def materials(users: dict[str, Any]) -> tuple[ControlMaterial, ControlMaterial]:
    qa = users["qa_manager"]
    with audit_context(actor=qa, reason="test setup"):
        low = ControlMaterial.objects.create(
            pk=LEVEL1,
            institution=qa.institution,
            assay="viability",
            name="Viability control",
            level=1,
            lot="VC-2601",
            target_mean=Decimal("92"),
            target_sd=Decimal("2"),
            unit="%",
            valid_from=START,
            created_by=qa,
        )
        high = ControlMaterial.objects.create(
            pk=LEVEL2,
            institution=qa.institution,
            assay="viability",
            name="Viability control",
            level=2,
            lot="VC-2602",
            target_mean=Decimal("75"),
            target_sd=Decimal("3"),
            unit="%",
            valid_from=START,
            created_by=qa,
        )
    return low, high


def a_material_with_a_run(users: dict[str, Any]) -> None:
    low, _high = materials(users)
    technician = users["bank_technician"]
    with audit_context(actor=technician, reason="test setup"):
        ControlRun.objects.create(
            pk=RUN,
            material=low,
            value=Decimal("92.4"),
            run_at=timezone.now() - datetime.timedelta(days=1),
            operator=technician,
            accepted=True,
            recorded_by=technician,
        )


def a_scheme(users: dict[str, Any]) -> ProficiencyScheme:
    qa = users["qa_manager"]
    with audit_context(actor=qa, reason="test setup"):
        return ProficiencyScheme.objects.create(
            pk=SCHEME,
            institution=qa.institution,
            provider="NCCL",
            name="Cell viability EQA",
            assay="viability",
            unit="%",
        )


def a_round(users: dict[str, Any], **values: Any) -> ProficiencyRound:
    scheme = a_scheme(users)
    today = timezone.localdate()
    with audit_context(actor=users["qa_manager"], reason="test setup"):
        return ProficiencyRound.objects.create(
            pk=ROUND,
            scheme=scheme,
            round_code="2026-1",
            sample_id="V-01",
            received_on=today - datetime.timedelta(days=3),
            due_on=today + datetime.timedelta(days=10),
            registered_by=users["qa_manager"],
            **values,
        )


def a_pending_round(users: dict[str, Any]) -> None:
    a_round(users)


def a_questionable_round(users: dict[str, Any]) -> None:
    a_round(
        users,
        result=Decimal("86"),
        assigned_value=Decimal("91"),
        sigma_pt=Decimal("2"),
        z=Decimal("-2.50"),
        grade="questionable",
        returned_on=timezone.localdate(),
    )
