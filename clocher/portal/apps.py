from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "clocher.portal"
    label = "portal"
