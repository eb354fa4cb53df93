from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "stemhub.core"
    label = "core"
    verbose_name = _("Platform")

    def ready(self) -> None:
        # Each app's `navigation.py` registers its menu entries and home-page queues.
        autodiscover_modules("navigation")
