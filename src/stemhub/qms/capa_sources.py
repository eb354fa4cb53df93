"""Opening a CAPA from the records of other apps that have a page of their own: a quality
nonconformity and a temperature excursion. Each builds the CAPA's title and description from
the record and keeps the link (source and the record's id), so a second click returns the same
CAPA. Audit findings, PT failures, internal QC violations and recalls call `qms.capa.capa_open`
(or `capa_open_by_platform`) from their own services."""

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from stemhub.core.names import said
from stemhub.equipment.models import Excursion
from stemhub.qms.capa import capa_open
from stemhub.qms.models import Capa, CapaSource
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


def source_link(capa: Capa) -> tuple[str, str] | None:
    """(label, URL) of the record that raised the CAPA, when it has a page."""
    if capa.source_id is None:
        return None
    label = capa.source_label or f"{capa.get_source_display()} {capa.source_id}"
    if capa.source == CapaSource.NONCONFORMITY:
        bank_id = (
            Nonconformity.objects.filter(pk=capa.source_id)
            .values_list("bank_id", flat=True)
            .first()
        )
        if bank_id is None:
            return None
        return label, reverse("quality:bank", args=[bank_id]) + f"#nc-{capa.source_id}"
    if capa.source == CapaSource.EXCURSION:
        return label, reverse("quality:excursion", args=[capa.source_id])
    if capa.source == CapaSource.COMPLAINT:
        return label, reverse("qms:complaint_detail", args=[capa.source_id])
    return None
