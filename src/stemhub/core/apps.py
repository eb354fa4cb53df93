from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "stemhub.core"
    label = "core"
    verbose_name = "Platform"
