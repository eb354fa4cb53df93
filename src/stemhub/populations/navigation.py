"""The populations menu entry: haplotype frequency sets (the haplobank planner adds its own)."""

from django.utils.translation import gettext_lazy

from stemhub.accounts.permissions import Perm
from stemhub.core.navigation import MenuItem, Section, register_menu, register_section

register_section(Section("populations", gettext_lazy("HLA populations"), 75))
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
