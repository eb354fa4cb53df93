from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "stemhub.registry"
    label = "registry"
    verbose_name = "Cell line registry"
