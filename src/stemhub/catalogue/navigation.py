"""The public catalogue's place in the menu."""

from django.utils.translation import gettext_lazy as _

from stemhub.core.navigation import ANYONE, MenuItem, Section, register_menu, register_section

register_section(Section("catalogue", _("Catalogue"), 10))
register_menu(
    MenuItem("catalogue", _("Cell lines"), "registry:line_lookup", ANYONE, order=10),
    MenuItem("catalogue", _("Verify a certificate"), "quality_public:verify_lookup", ANYONE, 30),
)
