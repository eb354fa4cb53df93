from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QualityConfig(AppConfig):
    name = "stemhub.quality"
    label = "quality"
    verbose_name = _("Quality control and release")
