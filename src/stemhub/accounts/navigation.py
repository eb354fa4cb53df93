"""Administration's menu entries."""

from django.utils.translation import gettext_lazy as _

from stemhub.accounts.permissions import is_platform_admin
from stemhub.core.navigation import SIGNED_IN, MenuItem, Section, register_menu, register_section

register_section(Section("admin", _("Administration"), 90))
register_menu(
    MenuItem("admin", _("API tokens"), "tokens", SIGNED_IN, order=50),
    MenuItem(
        "admin", _("Site administration"), "admin:index", SIGNED_IN, 90, when=is_platform_admin
    ),
)
