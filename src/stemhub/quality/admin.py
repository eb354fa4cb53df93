"""Read-only admin views: quality records change only through the services (which write the
events, the audit context and the signatures)."""

from typing import Any

from django.contrib import admin

from stemhub.quality.models import Nonconformity, QcResult, QcTest, Release


class ReadOnly(admin.ModelAdmin[Any]):
    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(QcTest)
class QcTestAdmin(ReadOnly):
    list_display = ["code", "version", "name", "spec_kind", "current"]
    list_filter = ["category", "current"]


@admin.register(QcResult)
class QcResultAdmin(ReadOnly):
    list_display = ["bank", "test", "tested_on", "passed", "flag"]
    list_filter = ["passed"]
    exclude = ["raw_file"]


@admin.register(Nonconformity)
class NonconformityAdmin(ReadOnly):
    list_display = ["pk", "bank", "status", "opened_at", "closed_at"]
    list_filter = ["status"]


@admin.register(Release)
class ReleaseAdmin(ReadOnly):
    list_display = ["bank", "released_at", "invalidated_at"]
