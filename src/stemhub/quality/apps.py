from django.apps import AppConfig


class QualityConfig(AppConfig):
    name = "stemhub.quality"
    label = "quality"
    verbose_name = "Quality control and release"
