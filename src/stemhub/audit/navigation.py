"""The audit trail's menu entry."""

from django.utils.translation import gettext_lazy as _

from stemhub.accounts.permissions import Perm
from stemhub.core.navigation import MenuItem, Section, register_menu, register_section

register_section(Section("audit", _("Audit"), 80))
register_menu(MenuItem("audit", _("Audit trail"), "audit:index", (Perm.AUDIT_VIEW,), order=10))
