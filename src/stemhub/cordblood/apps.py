from django.apps import AppConfig


class CordbloodConfig(AppConfig):
    name = "stemhub.cordblood"
    label = "cordblood"
    verbose_name = "Cord blood sharing platform"
