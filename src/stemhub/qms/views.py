"""The quality system's overview page. Each part (documents, competence, CAPA, audits,
internal QC and proficiency testing) keeps its pages in its own `<part>_views.py`."""

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from stemhub.accounts.permissions import Perm
from stemhub.core.pages import AuthenticatedHttpRequest, page
from stemhub.qms.dashboard import clause_rows

qms_viewers_only = page(Perm.QMS_VIEW, what=gettext_lazy("The quality management system"))


@require_GET
@qms_viewers_only
def qms_home(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Needs qms.view: the clause map of ISO 20387 with the live state of the signed-in person's
    institution and the evidence pages they may open (the QA dashboard)."""
    today = timezone.localdate()
    institution = request.user.institution
    return render(
        request,
        "qms/home.html",
        {
            "institution": institution,
            "today": today,
            "rows": clause_rows(request.user, institution.pk, today=today) if institution else [],
        },
    )
