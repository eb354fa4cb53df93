"""Temperature excursions as QA meets them, under /quality/excursions/: the list (awaiting a
decision first) and an excursion's page with its flagged vials and the signed disposition.
Parse, call, render."""

from typing import Any, cast

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from stemhub.accounts.permissions import Perm, permissions_of, user_can
from stemhub.biobank.models import GONE, Container
from stemhub.biobank.selectors import container_paths, place_text
from stemhub.core.auth import printed_name
from stemhub.core.errors import StemhubError
from stemhub.core.pages import AuthenticatedHttpRequest, page
from stemhub.equipment.models import Excursion, ExcursionVial
from stemhub.qms.capa_sources import capa_for_source, capa_open_for_excursion
from stemhub.qms.models import CapaSource
from stemhub.quality import dispositions, selectors
from stemhub.quality.models import Disposition, ExcursionVialDecision

# `what` is lazy: the refusal names it in the reader's language.
excursions_page = page(Perm.INVENTORY_VIEW, what=cast(str, gettext_lazy("Temperature excursions")))
DECISION_PREFIX = "decision-"


@excursions_page
def excursions(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Needs biobank.view: your institution's temperature excursions, those awaiting a
    decision first (oldest first), then the decided ones (newest first)."""
    waiting = list(selectors.open_excursions(request.user))
    decided = list(
        selectors.visible_excursions(request.user)
        .filter(review__isnull=False)
        .order_by("-start", "-pk")[:50]
    )
    _count_flags([*waiting, *decided])
    return render(
        request,
        "quality/excursions.html",
        {
            "waiting": waiting,
            "decided": decided,
            "can_decide": Perm.QC_RELEASE in permissions_of(request.user),
        },
    )


def _count_flags(found: list[Excursion]) -> None:
    """Set each excursion's `flagged_count` and `quarantined_count` (the vials its detection
    flagged and quarantined), in one query."""
    by_pk = {e.pk: e for e in found}
    for e in found:
        e.flagged_count, e.quarantined_count = 0, 0  # type: ignore[attr-defined]
    rows = ExcursionVial.objects.filter(excursion_id__in=by_pk).values_list(
        "excursion_id", "quarantined"
    )
    for excursion_id, quarantined in rows:
        by_pk[excursion_id].flagged_count += 1  # type: ignore[attr-defined]
        by_pk[excursion_id].quarantined_count += int(quarantined)  # type: ignore[attr-defined]


@excursions_page
def excursion(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Needs biobank.view in the unit's institution: the excursion, the vials it flagged and
    where they are now, and QA's signed disposition or, to QA, the form to decide it."""
    return _excursion_page(request, selectors.excursion_for(request.user, pk))


def _excursion_page(
    request: HttpRequest, found: Excursion, *, error: StemhubError | None = None
) -> HttpResponse:
    flagged = list(
        found.flagged.select_related("vial__bank__line", "vial__bank__product__line").order_by(
            "vial__bank__code", "vial__barcode"
        )
    )
    stored_in = {row.vial.container_id for row in flagged if row.vial.container_id}
    paths = container_paths(stored_in)
    boxes = {c.pk: c for c in Container.objects.filter(pk__in=stored_in).select_related("type")}
    decisions = {
        d.flagged_id: d for d in ExcursionVialDecision.objects.filter(flagged__excursion=found)
    }
    values = request.POST if error is not None else {}
    chosen = {
        key.removeprefix(DECISION_PREFIX): value
        for key, value in values.items()
        if key.startswith(DECISION_PREFIX)
    }
    rows: list[dict[str, Any]] = []
    for row in flagged:
        vial = row.vial
        box = boxes.get(vial.container_id or 0)
        label = box.type.label(vial.row, vial.column) if box else ""
        rows.append(
            {
                "flagged": row,
                "vial": vial,
                "place": place_text(paths[box.pk], box, vial.row, vial.column) if box else "",
                "short_place": f"{box.name} · {label}" if box else "",
                "bad": f"decisions[{vial.barcode}]" in (error.fields if error else {}),
                "in_stock": vial.status not in GONE,
                "decision": decisions.get(row.pk),
                "chosen": chosen.get(vial.barcode, ""),
            }
        )
    review = getattr(found, "review", None)
    institution = found.equipment.institution_id
    return render(
        request,
        "quality/excursion.html",
        {
            "excursion": found,
            "unit": found.equipment,
            "rows": rows,
            "review": review,
            "in_stock": sum(1 for r in rows if r["in_stock"]),
            "quarantined": sum(1 for r in rows if r["vial"].status == "quarantined"),
            "open_table": any(row["bad"] for row in rows),
            "can_decide": review is None and user_can(request.user, Perm.QC_RELEASE, institution),
            "capa": capa_for_source(CapaSource.EXCURSION, found.pk),
            "can_open_capa": user_can(request.user, Perm.QMS_RECORD, institution),
            "choices": Disposition.choices,
            "values": values,
            "printed_name": printed_name(request.user),
            "error": error,
            "bad": set(error.fields) if error is not None else set(),
            "field_labels": {
                "impact_assessment": _("Impact assessment"),
                "decision": _("Decision for every vial in stock"),
                "password": _("Your password"),
                **{
                    f"decisions[{row['vial'].barcode}]": _("Decision for vial %(barcode)s")
                    % {"barcode": row["vial"].barcode}
                    for row in rows
                },
            },
        },
        status=error.status if error is not None else 200,
    )


@require_POST
@excursions_page
def excursion_decide(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Needs quality.release in the unit's institution: decide the excursion (an impact
    assessment, a decision for all vials and per vial), signed with your password."""
    found = selectors.excursion_for(request.user, pk)
    data = request.POST
    try:
        review = dispositions.excursion_decide(
            actor=request.user,
            excursion=found,
            impact_assessment=data.get("impact_assessment", ""),
            password=data.get("password", ""),
            decision=data.get("decision", ""),
            decisions={
                key.removeprefix(DECISION_PREFIX): value
                for key, value in data.items()
                if key.startswith(DECISION_PREFIX) and isinstance(value, str) and value
            },
        )
    except StemhubError as error:
        if error.status == 403 and "password" not in error.fields:
            raise
        return _excursion_page(request, found, error=error)
    messages.success(
        request,
        _("The excursion's disposition is signed by %(name)s.")
        % {"name": review.signature.printed_name},
    )
    return redirect("quality:excursion", pk=found.pk)


@require_POST
@excursions_page
def excursion_capa(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Needs qms.record in the unit's institution: open the excursion's CAPA (or go to the
    one it opened)."""
    found = selectors.excursion_for(request.user, pk)
    capa = capa_open_for_excursion(actor=request.user, excursion=found)
    messages.success(request, _("%(capa)s is the CAPA of this excursion.") % {"capa": capa.number})
    return redirect("qms:capa_detail", pk=capa.pk)
