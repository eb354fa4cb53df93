"""The haplobank planner's menu entry (the patient view is reached from the patient's page)."""

from django.utils.translation import gettext_lazy as _

from stemhub.accounts.permissions import Perm
from stemhub.core.navigation import MenuItem, register_menu

# In the populations section (populations/navigation.py), under the frequency sets.
register_menu(
    MenuItem(
        "populations",
        _("Haplobank plan"),
        "haplobank:plan",
        (Perm.POPULATIONS_VIEW,),
        20,
        also=("haplobank:plan_csv",),
    ),
)
