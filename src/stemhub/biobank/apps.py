from django.apps import AppConfig


class BiobankConfig(AppConfig):
    name = "stemhub.biobank"
    label = "biobank"
    verbose_name = "Biobank inventory"
