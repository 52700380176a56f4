from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "ofelia.accounts"
    label = "accounts"
    verbose_name = "Comptes"
