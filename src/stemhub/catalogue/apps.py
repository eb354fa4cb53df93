from django.apps import AppConfig


class CatalogueConfig(AppConfig):
    name = "stemhub.catalogue"
    label = "catalogue"
    verbose_name = "Public catalogue"
