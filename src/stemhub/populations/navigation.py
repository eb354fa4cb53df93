"""The populations section of the menu: haplotype frequency sets (the haplobank planner adds
its own entry to it)."""

from django.utils.translation import gettext_lazy

from stemhub.accounts.permissions import Perm
from stemhub.core.navigation import MenuItem, Section, register_menu, register_section

register_section(Section("populations", gettext_lazy("Populations and haplobank"), 75))
register_menu(
    MenuItem(
        "populations",
        gettext_lazy("Haplotype frequencies"),
        "populations:list",
        (Perm.POPULATIONS_VIEW,),
        10,
        also=(
            "populations:detail",
            "populations:set_detail",
            "populations:create",
            "populations:set_upload",
        ),
    ),
)
