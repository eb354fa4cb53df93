"""The haplobank planner's menu entry (the patient view is reached from the patient's page)."""

from django.utils.translation import gettext_lazy as _

from stemhub.accounts.permissions import Perm
from stemhub.core.navigation import MenuItem, Section, register_menu, register_section

register_section(Section("haplobank", _("HLA haplobank"), 75))
register_menu(
    MenuItem(
        "haplobank",
        _("Haplobank plan"),
        "haplobank:plan",
        (Perm.POPULATIONS_VIEW,),
        10,
        also=("haplobank:plan_csv",),
    ),
)
