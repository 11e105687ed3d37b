from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "clocher.demo"
    label = "demo"
