from django.apps import AppConfig


class ConsoleConfig(AppConfig):
    name = "clocher.console"
    label = "console"
