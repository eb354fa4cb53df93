from django.apps import AppConfig


class ExchangeConfig(AppConfig):
    name = "stemhub.exchange"
    label = "exchange"
    verbose_name = "Data exchange (hPSCreg, Cellosaurus, bulk import)"
