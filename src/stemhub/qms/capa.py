"""Opening a CAPA: the one door every source uses (a nonconformity, an excursion, a
complaint, an audit finding, a failed proficiency test, a Westgard violation, a recall)."""

import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from stemhub.accounts.permissions import Perm, require
from stemhub.audit.context import audit_context
from stemhub.core.errors import InvalidInput, full_clean
from stemhub.qms.models import Capa, CapaSource

DEFAULT_DAYS_TO_CLOSE = 30


def capa_open(
    *,
    actor: Any,
    institution_id: int,
    source: str,
    title: str,
    description: str,
    source_id: int | None = None,
    source_label: str = "",
    owner: Any = None,
    due_on: datetime.date | None = None,
) -> Capa:
    """Open a CAPA, or return the one already open for the same source record (a record opens
    at most one). Needs qms.record in the institution; the owner defaults to the actor and the
    due date to 30 days from today."""
    require(actor, Perm.QMS_RECORD, institution_id)
    if source not in CapaSource.values:
        raise InvalidInput(
            _("Unknown CAPA source %(source)s") % {"source": source},
            fields={"source": [_("unknown")]},
        )
    if source_id is not None:
        existing = Capa.objects.filter(source=source, source_id=source_id).first()
        if existing is not None:
            return existing
    capa = Capa(
        institution_id=institution_id,
        source=source,
        source_id=source_id,
        source_label=source_label.strip(),
        title=title.strip(),
        description=description.strip(),
        owner=owner or actor,
        due_on=due_on or timezone.localdate() + datetime.timedelta(days=DEFAULT_DAYS_TO_CLOSE),
        raised_by=actor,
    )
    full_clean(capa, validate_constraints=False)
    try:
        with transaction.atomic(), audit_context(actor=actor, reason=f"CAPA from {source}"):
            capa.save()
    except IntegrityError:  # the same source record, opened by someone at the same moment
        return Capa.objects.get(source=source, source_id=source_id)
    return capa
