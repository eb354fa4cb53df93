from django.apps import AppConfig


class EquipmentConfig(AppConfig):
    name = "stemhub.equipment"
    label = "equipment"
    verbose_name = "Equipment"
