from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _

from stemhub.accounts.models import ApiToken, Institution, RoleGrant, User


class RoleGrantInline(admin.TabularInline[RoleGrant, User]):
    model = RoleGrant
    fk_name = "user"
    extra = 0


@admin.register(User)
class StemhubUserAdmin(UserAdmin[User]):
    inlines = [RoleGrantInline]
    list_display = ("username", "email", "institution", "is_active", "is_staff")
    list_filter = ("institution", "is_active", "role_grants__role")
    fieldsets = (*(UserAdmin.fieldsets or ()), (_("Institution"), {"fields": ("institution",)}))


@admin.register(Institution)
class InstitutionAdmin(admin.ModelAdmin[Institution]):
    list_display = ("name", "provider_code", "kind", "country")
    list_filter = ("kind", "country")
    search_fields = ("name", "provider_code")


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin[ApiToken]):
    list_display = ("name", "user", "hint", "created_at", "last_used_at", "revoked_at")
    readonly_fields = ("digest", "hint", "created_at", "last_used_at")
