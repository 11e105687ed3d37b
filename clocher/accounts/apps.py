from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "clocher.accounts"
    label = "accounts"
    verbose_name = "Accounts"
