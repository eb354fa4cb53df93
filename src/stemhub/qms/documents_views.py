"""Pages of document control: the documents list, a document's page (its versions, signatures
and their verification, the file, who has read it, and the form of each step for whoever may
take it), putting a document under control, and the signed-in person's documents to read."""

import datetime
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from stemhub.accounts.permissions import Perm, user_can
from stemhub.core.errors import InvalidInput, StemhubError
from stemhub.core.pages import AuthenticatedHttpRequest, page
from stemhub.qms import documents as services
from stemhub.qms.documents_selectors import (
    acknowledgement_list,
    document_or_404,
    document_rows,
    document_search,
    reviews_overdue,
    untrained_on,
    version_or_404,
    version_signatures,
    visible_documents,
    visible_versions,
    writes_documents,
)
from stemhub.qms.documents_selectors import (
    documents_to_read as unread_versions,
)
from stemhub.qms.models import (
    Acknowledgement,
    ControlledDocument,
    DocumentKind,
    DocumentVersion,
    PeriodicReview,
    VersionStatus,
)

qms_viewers_only = page(Perm.QMS_VIEW, what=gettext_lazy("Controlled documents"))
controllers_only = page(
    Perm.QMS_DOCUMENTS, Perm.QMS_MANAGE, what=gettext_lazy("Writing controlled documents")
)
qa_only = page(Perm.QMS_MANAGE, what=gettext_lazy("Approving controlled documents"))
LABELS = {
    "number": gettext_lazy("Document number"),
    "title": gettext_lazy("Title"),
    "title_zh": gettext_lazy("Chinese title"),
    "kind": gettext_lazy("Kind"),
    "review_interval_months": gettext_lazy("Periodic review interval"),
    "change_summary": gettext_lazy("What changed"),
    "file": gettext_lazy("File"),
    "password": gettext_lazy("Your password"),
    "effective_from": gettext_lazy("Effective from"),
    "reason": gettext_lazy("Reason"),
    "outcome": gettext_lazy("Outcome"),
    "notes": gettext_lazy("Notes"),
    "reviewer": gettext_lazy("Reviewer"),
}


@require_GET
@qms_viewers_only
def documents_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Needs qms.view: your institution's controlled documents, those overdue for periodic
    review first; filter by kind and status, search the number and both titles."""
    user = request.user
    services.document_versions_bring_into_force(
        institution_id=None if user.is_superuser else user.institution_id
    )
    today = timezone.localdate()
    kind = request.GET.get("kind", "")
    status = request.GET.get("status", "")
    q = request.GET.get("q", "").strip()
    found = document_search(
        visible_documents(user),
        kind=kind if kind in DocumentKind.values else "",
        status=status if status in [*VersionStatus.values, "withdrawn"] else "",
        q=q,
    )
    return render(
        request,
        "qms/documents/list.html",
        {
            "rows": document_rows(user, found, today=today),
            "kinds": DocumentKind.choices,
            "statuses": [*VersionStatus.choices, ("withdrawn", _("Withdrawn"))],
            "filters": {"kind": kind, "status": status, "q": q},
            "filtered": bool(kind or status or q),
            "overdue": reviews_overdue(
                None if user.is_superuser else user.institution_id, today=today
            ),
            "can_create": user_can(user, Perm.QMS_DOCUMENTS, user.institution_id),
            "today": today,
        },
    )


@require_http_methods(["GET", "POST"])
@page(Perm.QMS_DOCUMENTS, what=gettext_lazy("Putting a document under control"))
def documents_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Needs qms.documents: put a document under control (its number, titles, kind, review
    interval); its first version is drafted on its page."""
    error: StemhubError | None = None
    data = request.POST
    if request.method == "POST":
        try:
            document = services.document_create(
                actor=request.user,
                number=data.get("number", ""),
                title=data.get("title", ""),
                title_zh=data.get("title_zh", ""),
                kind=data.get("kind", ""),
                review_interval_months=_int(
                    data.get("review_interval_months", "24"), "review_interval_months"
                ),
            )
        except StemhubError as error_:
            if error_.status == 403:
                raise
            error = error_
        else:
            messages.success(
                request,
                _("%(number)s is under control: draft its first version.")
                % {"number": document.number},
            )
            return redirect("qms:documents_detail", pk=document.pk)
    return render(
        request,
        "qms/documents/create.html",
        {
            "kinds": DocumentKind.choices,
            "values": data if error else {"review_interval_months": 24},
            "error": error,
            "bad": set(error.fields) if error else set(),
            "labels": LABELS,
        },
        status=error.status if error else 200,
    )


@require_GET
@qms_viewers_only
def documents_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Needs qms.view in the document's institution: its versions (drafts only for its
    writers), the signatures of the version shown with their verification, its file, and who
    has and has not read it."""
    document = document_or_404(request.user, pk)
    services.document_bring_into_force(document=document)
    return _detail_page(request, document, number=_number(request.GET.get("version", "")))


def _number(value: str) -> int | None:
    return int(value) if value.isdigit() else None


def _int(value: str, field: str) -> int:
    try:
        return int(value.strip())
    except ValueError:
        raise InvalidInput(
            _("%(field)s is a whole number") % {"field": LABELS.get(field, field)},
            fields={field: [_("a whole number")]},
        ) from None


def _detail_page(
    request: HttpRequest,
    document: ControlledDocument,
    *,
    number: int | None = None,
    error: StemhubError | None = None,
    form: str = "",
) -> HttpResponse:
    user: Any = request.user
    today = timezone.localdate()
    versions = list(visible_versions(user, document))
    shown = next((v for v in versions if v.number == number), None) or next(
        (v for v in versions if v.status == VersionStatus.EFFECTIVE), None
    )
    shown = shown or (versions[0] if versions else None)
    open_revision = next((v for v in versions if v.status in services.OPEN), None)
    institution = document.institution_id
    writer = writes_documents(user, institution)
    manager = user_can(user, Perm.QMS_MANAGE, institution)
    live = document.withdrawn_at is None
    acknowledged = (
        shown is not None
        and Acknowledgement.objects.filter(version=shown, user_id=user.pk).exists()
    )
    return render(
        request,
        "qms/documents/detail.html",
        {
            "document": document,
            "versions": versions,
            "shown": shown,
            "signatures": version_signatures(shown) if shown else [],
            "verify": request.GET.get("verify") == "1",
            "acks": acknowledgement_list(shown)
            if shown and shown.status in (VersionStatus.EFFECTIVE, VersionStatus.SUPERSEDED)
            else None,
            "untrained": untrained_on(shown) if shown else [],
            "periodic_reviews": shown.periodic_reviews.select_related("signature") if shown else [],
            "open_revision": open_revision,
            "can_draft": writer and live and open_revision is None,
            "can_edit": writer and live and shown is not None and shown.status == "draft",
            "can_review": writer
            and live
            and shown is not None
            and shown.status == VersionStatus.IN_REVIEW
            and shown.review_signature_id is None
            and shown.created_by_id != user.pk,
            "can_return": writer and shown is not None and shown.status == "in_review",
            "can_approve": manager
            and live
            and shown is not None
            and shown.status == VersionStatus.IN_REVIEW
            and shown.review_signature_id is not None,
            "can_periodic_review": manager
            and live
            and shown is not None
            and shown.status == VersionStatus.EFFECTIVE,
            "can_withdraw": manager and live,
            "can_acknowledge": shown is not None
            and shown.status == VersionStatus.EFFECTIVE
            and user.institution_id == institution
            and not acknowledged,
            "acknowledged": acknowledged,
            "outcomes": PeriodicReview.Outcome.choices,
            "review_overdue": shown is not None
            and shown.status == VersionStatus.EFFECTIVE
            and shown.review_due is not None
            and shown.review_due < today,
            "today": today,
            "values": request.POST if error else {},
            "error": error,
            "error_form": form,
            "bad": set(error.fields) if error else set(),
            "labels": LABELS,
        },
        status=error.status if error else 200,
    )


def _step(
    request: AuthenticatedHttpRequest,
    document: ControlledDocument,
    form: str,
    action: Any,
    done: str,
    *,
    number: int | None = None,
) -> HttpResponse:
    """Run a step; on a 4xx other than 403, show the page again with the error on its form
    (and what was typed); on success, say so and show the version."""
    try:
        result = action()
    except StemhubError as error:
        if error.status == 403 and "password" not in error.fields:
            raise
        return _detail_page(request, document, number=number, error=error, form=form)
    messages.success(request, done)
    version = result if isinstance(result, DocumentVersion) else None
    target = f"?version={version.number if version else number}" if (version or number) else ""
    return redirect(f"{_url(document)}{target}")


def _url(document: ControlledDocument) -> str:
    return reverse("qms:documents_detail", args=[document.pk])


@require_POST
@controllers_only
def documents_version_new(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Needs qms.documents (or qms.manage) in the document's institution: draft the next
    version."""
    document = document_or_404(request.user, pk)
    return _step(
        request,
        document,
        "draft",
        lambda: services.version_draft(
            actor=request.user,
            document=document,
            change_summary=request.POST.get("change_summary", ""),
        ),
        _("New draft started."),
    )


@require_POST
@controllers_only
def documents_version_edit(request: AuthenticatedHttpRequest, pk: int, number: int) -> HttpResponse:
    """Needs qms.documents (or qms.manage): change a draft's summary and attach its file."""
    version = version_or_404(request.user, pk, number)
    upload = request.FILES.get("file")

    def edit() -> DocumentVersion:
        return services.version_edit(
            actor=request.user,
            version=version,
            change_summary=request.POST.get("change_summary"),
            file_name=(upload.name or "") if upload is not None else "",
            chunks=upload.chunks() if upload is not None else None,
        )

    return _step(request, version.document, "edit", edit, _("Draft saved."), number=number)


@require_POST
@controllers_only
def documents_version_submit(
    request: AuthenticatedHttpRequest, pk: int, number: int
) -> HttpResponse:
    """Needs qms.documents (or qms.manage): send a draft for review."""
    version = version_or_404(request.user, pk, number)
    return _step(
        request,
        version.document,
        "submit",
        lambda: services.version_submit(actor=request.user, version=version),
        _("Submitted for review."),
        number=number,
    )


@require_POST
@controllers_only
def documents_version_return(
    request: AuthenticatedHttpRequest, pk: int, number: int
) -> HttpResponse:
    """Needs qms.documents (or qms.manage): send a version in review back to draft."""
    version = version_or_404(request.user, pk, number)
    return _step(
        request,
        version.document,
        "return",
        lambda: services.version_return(
            actor=request.user, version=version, reason=request.POST.get("reason", "")
        ),
        _("Returned to draft."),
        number=number,
    )


@require_POST
@controllers_only
def documents_version_review(
    request: AuthenticatedHttpRequest, pk: int, number: int
) -> HttpResponse:
    """Needs qms.documents (or qms.manage), not the author: sign the review."""
    version = version_or_404(request.user, pk, number)
    return _step(
        request,
        version.document,
        "review",
        lambda: services.version_review(
            actor=request.user,
            version=version,
            password=request.POST.get("password", ""),
            comment=request.POST.get("comment", ""),
        ),
        _("Review signed."),
        number=number,
    )


def _day(value: str, field: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value.strip())
    except ValueError:
        raise InvalidInput(
            _("%(field)s is a date, YYYY-MM-DD") % {"field": LABELS.get(field, field)},
            fields={field: [_("a date, YYYY-MM-DD")]},
        ) from None


@require_POST
@qa_only
def documents_version_approve(
    request: AuthenticatedHttpRequest, pk: int, number: int
) -> HttpResponse:
    """Needs qms.manage: sign the approval, with the effective date and whether retraining
    is required."""
    version = version_or_404(request.user, pk, number)
    data = request.POST
    return _step(
        request,
        version.document,
        "approve",
        lambda: services.version_approve(
            actor=request.user,
            version=version,
            password=data.get("password", ""),
            effective_from=_day(data.get("effective_from", ""), "effective_from"),
            retraining_required=data.get("retraining_required") == "on",
        ),
        _("Approval signed."),
        number=number,
    )


@require_POST
@qa_only
def documents_periodic_review(
    request: AuthenticatedHttpRequest, pk: int, number: int
) -> HttpResponse:
    """Needs qms.manage: sign the periodic review of the version in force."""
    version = version_or_404(request.user, pk, number)
    data = request.POST
    return _step(
        request,
        version.document,
        "periodic",
        lambda: services.version_periodic_review(
            actor=request.user,
            version=version,
            password=data.get("password", ""),
            outcome=data.get("outcome", ""),
            notes=data.get("notes", ""),
        ),
        _("Periodic review signed."),
        number=number,
    )


@require_POST
@qa_only
def documents_withdraw(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Needs qms.manage: withdraw the document (its versions become obsolete)."""
    document = document_or_404(request.user, pk)
    return _step(
        request,
        document,
        "withdraw",
        lambda: services.document_withdraw(
            actor=request.user, document=document, reason=request.POST.get("reason", "")
        ),
        _("Document withdrawn."),
    )


@require_POST
@qms_viewers_only
def documents_acknowledge(request: AuthenticatedHttpRequest, pk: int, number: int) -> HttpResponse:
    """Needs qms.view in the document's institution: "read and understood" the effective
    version. From the documents-to-read page, back there."""
    version = version_or_404(request.user, pk, number)
    if request.POST.get("next") == "to_read":
        services.acknowledgement_record(actor=request.user, version=version)
        messages.success(request, _("%(version)s acknowledged.") % {"version": version.label})
        return redirect("qms:documents_to_read")
    return _step(
        request,
        version.document,
        "acknowledge",
        lambda: services.acknowledgement_record(actor=request.user, version=version),
        _("%(version)s acknowledged.") % {"version": version.label},
        number=number,
    )


@require_GET
@qms_viewers_only
def documents_file(request: AuthenticatedHttpRequest, pk: int, number: int) -> HttpResponse:
    """Needs qms.view in the document's institution: the version's file, as stored (its
    sha256 in the `Digest` header)."""
    version = version_or_404(request.user, pk, number)
    if version.file is None:
        raise InvalidInput(_("%(version)s has no file yet") % {"version": version.label})
    stored = version.file
    answer = HttpResponse(bytes(stored.content), content_type=stored.content_type)
    answer["Content-Disposition"] = f'attachment; filename="{_ascii(stored.name)}"'
    answer["X-Content-SHA256"] = stored.sha256
    return answer


def _ascii(name: str) -> str:
    return "".join(c if c.isascii() and c not in '"\\' else "_" for c in name)


@require_GET
@qms_viewers_only
def documents_to_read(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Needs qms.view: the effective versions of your institution's documents you have not
    acknowledged yet, each with its file and an acknowledge button."""
    user = request.user
    if user.institution_id:
        services.document_versions_bring_into_force(institution_id=user.institution_id)
    return render(
        request,
        "qms/documents/to_read.html",
        {
            "versions": unread_versions(user),
            "read": Acknowledgement.objects.filter(user=user)
            .select_related("version__document")
            .order_by("-acknowledged_at")[:20],
        },
    )
