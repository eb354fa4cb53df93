"""The admin's read-only view: records that change only through the services (which write the
events, the audit context and the signatures), and append-only history, which never changes."""

from typing import Any

from django.contrib import admin


class ReadOnlyAdmin(admin.ModelAdmin[Any]):
    def has_add_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False
