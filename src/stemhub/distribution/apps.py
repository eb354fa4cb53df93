from django.apps import AppConfig


class DistributionConfig(AppConfig):
    name = "stemhub.distribution"
    label = "distribution"
    verbose_name = "Distribution of cell lines"
