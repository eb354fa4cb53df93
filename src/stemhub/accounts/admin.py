from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _

from stemhub.accounts.models import ApiToken, Institution, RoleGrant, User


class RoleGrantInline(admin.TabularInline[RoleGrant, User]):
    model = RoleGrant
    fk_name = "user"
    extra = 0


def _with_chinese_name(fieldsets: Any) -> list[Any]:
    """Django's user fieldsets with the Chinese name after first and last name."""
    return [
        (
            title,
            {
                **options,
                "fields": tuple(
                    name
                    for field in options["fields"]
                    for name in ((field, "name_zh") if field == "last_name" else (field,))
                ),
            },
        )
        for title, options in fieldsets
    ]


@admin.register(User)
class StemhubUserAdmin(UserAdmin[User]):
    inlines = [RoleGrantInline]
    list_display = ("username", "name_zh", "email", "institution", "is_active", "is_staff")
    list_filter = ("institution", "is_active", "role_grants__role")
    search_fields = ("username", "first_name", "last_name", "name_zh", "email")
    fieldsets = (
        *_with_chinese_name(UserAdmin.fieldsets or ()),
        (_("Institution"), {"fields": ("institution",)}),
    )


@admin.register(Institution)
class InstitutionAdmin(admin.ModelAdmin[Institution]):
    list_display = ("name", "name_zh", "provider_code", "kind", "country")
    list_filter = ("kind", "country")
    search_fields = ("name", "name_zh", "provider_code")


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin[ApiToken]):
    list_display = ("name", "user", "hint", "created_at", "last_used_at", "revoked_at")
    readonly_fields = ("digest", "hint", "created_at", "last_used_at")
