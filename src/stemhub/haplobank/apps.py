from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HaplobankConfig(AppConfig):
    name = "stemhub.haplobank"
    label = "haplobank"
    verbose_name = _("HLA haplobank")
