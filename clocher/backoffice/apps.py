from django.apps import AppConfig


class BackofficeConfig(AppConfig):
    name = "clocher.backoffice"
    label = "backoffice"
