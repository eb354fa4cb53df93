"""The quality system's menu entries and home-page queues."""

from django.utils.translation import gettext_lazy as _

from stemhub.accounts.permissions import Perm
from stemhub.core.navigation import MenuItem, Section, register_menu, register_section

# Each part declares its own entries and queues in `<part>_navigation.py`.
from stemhub.qms import iqc_navigation  # noqa: F401

register_section(Section("qms", _("Quality system"), 33))
register_menu(
    MenuItem("qms", _("Overview"), "qms:home", (Perm.QMS_VIEW,), 10),
)
