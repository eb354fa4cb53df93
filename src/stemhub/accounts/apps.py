from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "stemhub.accounts"
    label = "accounts"
    verbose_name = "Institutions and people"
