from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CordbloodConfig(AppConfig):
    name = "stemhub.cordblood"
    label = "cordblood"
    verbose_name = _("Cord blood sharing platform")
