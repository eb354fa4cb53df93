"""Opening a CAPA from the records of other apps that have a page of their own: a quality
nonconformity and a temperature excursion. Each builds the CAPA's title and description from
the record and keeps the link (source and the record's id), so a second click returns the same
CAPA. Audit findings, PT failures, internal QC violations and recalls call `qms.capa.capa_open`
(or `capa_open_by_platform`) from their own services."""

import datetime
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from stemhub.core.names import said
from stemhub.equipment.models import Excursion
from stemhub.qms.capa import capa_open
from stemhub.qms.models import (
    AuditFinding,
    Capa,
    CapaSource,
    Complaint,
    ControlRun,
    ProficiencyRound,
)
from stemhub.quality.models import Nonconformity


def capa_for_source(source: str, source_id: int) -> Capa | None:
    """The CAPA a record opened, if any."""
    return Capa.objects.filter(source=source, source_id=source_id).first()


def capa_open_for_nonconformity(*, actor: Any, nonconformity: Nonconformity) -> Capa:
    """Open (or find) the nonconformity's CAPA. Needs qms.record in the bank's institution.
    The nonconformity's free-text CAPA field stays as written."""
    bank = nonconformity.bank
    return capa_open(
        actor=actor,
        institution_id=bank.institution_id,
        source=CapaSource.NONCONFORMITY,
        source_id=nonconformity.pk,
        source_label=nonconformity.number,
        title=said(
            lambda: _("%(nc)s on bank %(bank)s") % {"nc": nonconformity.number, "bank": bank.code}
        ),
        description=nonconformity.description,
    )


def capa_open_for_excursion(*, actor: Any, excursion: Excursion) -> Capa:
    """Open (or find) the temperature excursion's CAPA. Needs qms.record in the unit's
    institution."""
    unit = excursion.equipment
    parts = {
        "unit": unit.name,
        "start": f"{excursion.start:%Y-%m-%d %H:%M}",
        "end": f"{excursion.end:%Y-%m-%d %H:%M}",
        "low": excursion.min_temperature_c,
        "high": excursion.max_temperature_c,
    }
    return capa_open(
        actor=actor,
        institution_id=unit.institution_id,
        source=CapaSource.EXCURSION,
        source_id=excursion.pk,
        # No label: the source's name and number are shown in the reader's language.
        source_label="",
        title=said(lambda: _("Temperature excursion in %(unit)s on %(start)s") % parts),
        description=said(
            lambda: (
                _(
                    "%(unit)s was out of range from %(start)s to %(end)s, between %(low)s °C and "
                    "%(high)s °C."
                )
                % parts
            )
        ),
    )


@dataclass(frozen=True)
class SourceLink:
    """The record that raised a CAPA, in words of the reader's language, and its page."""

    label: str
    url: str


def source_link(capa: Capa) -> SourceLink | None:
    """The record that raised the CAPA, when it has a page."""
    return source_links([capa]).get(capa.pk)


def source_links(capas: Iterable[Capa]) -> dict[int, SourceLink]:
    """The source record of each CAPA that has one with a page, by CAPA id: one query per
    kind of source among them. The stored `source_label` stays as raised; a record gone (or
    never in the platform) gives no link."""
    wanted: dict[str, dict[int, list[int]]] = defaultdict(lambda: defaultdict(list))
    for capa in capas:
        if capa.source_id is not None:
            wanted[capa.source][capa.source_id].append(capa.pk)
    found: dict[int, SourceLink] = {}
    for source, by_record in wanted.items():
        build = _LINKERS.get(source)
        if build is None:
            continue
        for record_id, link in build(list(by_record)).items():
            for capa_id in by_record[record_id]:
                found[capa_id] = link
    return found


def _nonconformities(ids: list[int]) -> dict[int, SourceLink]:
    return {
        pk: SourceLink(
            _("Nonconformity %(number)s") % {"number": f"NC-{pk}"},
            reverse("quality:bank", args=[bank_id]) + f"#nc-{pk}",
        )
        for pk, bank_id in Nonconformity.objects.filter(pk__in=ids).values_list("pk", "bank_id")
    }


def _excursions(ids: list[int]) -> dict[int, SourceLink]:
    return {
        excursion.pk: SourceLink(
            _("Temperature excursion in %(unit)s on %(day)s")
            % {"unit": excursion.equipment.name, "day": f"{excursion.start:%Y-%m-%d}"},
            reverse("quality:excursion", args=[excursion.pk]),
        )
        for excursion in Excursion.objects.filter(pk__in=ids).select_related("equipment")
    }


def _complaints(ids: list[int]) -> dict[int, SourceLink]:
    return {
        complaint.pk: SourceLink(
            _("Complaint %(number)s") % {"number": complaint.number},
            reverse("qms:complaint_detail", args=[complaint.pk]),
        )
        for complaint in Complaint.objects.filter(pk__in=ids).only("pk", "recorded_at")
    }


def _audit_findings(ids: list[int]) -> dict[int, SourceLink]:
    return {
        finding.pk: SourceLink(
            _("Finding %(n)s of audit %(audit)s")
            % {"n": finding.number, "audit": finding.audit.number},
            reverse("qms:audits_detail", args=[finding.audit_id]) + f"#f-{finding.pk}",
        )
        for finding in AuditFinding.objects.filter(pk__in=ids).select_related("audit")
    }


def _control_runs(ids: list[int]) -> dict[int, SourceLink]:
    """The control material's chart and runs around the run's day (the page shows the last
    year by default, and only the latest runs unless asked for all)."""
    today = timezone.localdate()
    links = {}
    for pk, material_id, run_at in ControlRun.objects.filter(pk__in=ids).values_list(
        "pk", "material_id", "run_at"
    ):
        day = timezone.localtime(run_at).date()
        period = {
            "start": f"{day - RUN_CONTEXT:%Y-%m-%d}",
            "end": f"{min(day + RUN_CONTEXT, today):%Y-%m-%d}",
            "all": "1",
        }
        links[pk] = SourceLink(
            _("Internal QC run %(run)s on %(day)s") % {"run": pk, "day": f"{day:%Y-%m-%d}"},
            reverse("qms:iqc_material", args=[material_id]) + f"?{urlencode(period)}#run-{pk}",
        )
    return links


def _proficiency_rounds(ids: list[int]) -> dict[int, SourceLink]:
    return {
        pt_round.pk: SourceLink(
            _("Proficiency round %(round)s of %(scheme)s")
            % {"round": pt_round.round_code, "scheme": pt_round.scheme.name},
            reverse("qms:pt_list") + f"#round-{pt_round.pk}",
        )
        for pt_round in ProficiencyRound.objects.filter(pk__in=ids).select_related("scheme")
    }


# Days either side of a control run that its link shows.
RUN_CONTEXT = datetime.timedelta(days=30)
_LINKERS: dict[str, Callable[[list[int]], dict[int, SourceLink]]] = {
    CapaSource.NONCONFORMITY: _nonconformities,
    CapaSource.EXCURSION: _excursions,
    CapaSource.COMPLAINT: _complaints,
    CapaSource.AUDIT_FINDING: _audit_findings,
    CapaSource.INTERNAL_QC: _control_runs,
    CapaSource.PROFICIENCY: _proficiency_rounds,
}
