"""The quality system's overview page. Each part (documents, competence, CAPA, audits,
internal QC and proficiency testing) keeps its pages in its own `<part>_views.py`."""

from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from stemhub.accounts.permissions import Perm
from stemhub.core.pages import AuthenticatedHttpRequest, page

qms_viewers_only = page(Perm.QMS_VIEW, what=gettext_lazy("The quality management system"))


@require_GET
@qms_viewers_only
def qms_home(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Needs qms.view: where the quality system's parts are."""
    return render(request, "qms/home.html", {})
