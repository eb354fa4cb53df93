"""The tasks page in the menu, under Home, for every signed-in role that starts tasks or
manages those of its institution."""

from django.utils.translation import gettext_lazy as _

from stemhub.core.navigation import MenuItem, register_menu
from stemhub.jobs.selectors import STARTERS

register_menu(MenuItem("home", _("Tasks"), "jobs:tasks", STARTERS, order=5, also=("jobs:task",)))
