"""The quality system's menu entries and home-page queues."""

from django.utils.translation import gettext_lazy as _

from stemhub.accounts.permissions import Perm
from stemhub.core.navigation import MenuItem, Section, register_menu, register_section

register_section(Section("qms", _("Quality system"), 33))
register_menu(
    MenuItem("qms", _("QA dashboard"), "qms:home", (Perm.QMS_VIEW,), 10),
)
