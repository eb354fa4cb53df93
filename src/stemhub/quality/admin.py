"""Read-only admin views: quality records change only through the services (which write the
events, the audit context and the signatures)."""

from django.contrib import admin

from stemhub.core.admin import ReadOnlyAdmin
from stemhub.quality.models import Nonconformity, QcResult, QcTest, Release


@admin.register(QcTest)
class QcTestAdmin(ReadOnlyAdmin):
    list_display = ["code", "version", "name", "spec_kind", "current"]
    list_filter = ["category", "current"]


@admin.register(QcResult)
class QcResultAdmin(ReadOnlyAdmin):
    list_display = ["bank", "test", "tested_on", "passed", "flag"]
    list_filter = ["passed"]
    exclude = ["raw_file"]


@admin.register(Nonconformity)
class NonconformityAdmin(ReadOnlyAdmin):
    list_display = ["pk", "bank", "status", "opened_at", "closed_at"]
    list_filter = ["status"]


@admin.register(Release)
class ReleaseAdmin(ReadOnlyAdmin):
    list_display = ["bank", "released_at", "invalidated_at"]
