from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "kim.accounts"
    label = "accounts"
    verbose_name = _("Accounts and roles")

    def ready(self) -> None:
        # Authentication events (login, failed login, logout, MFA changes) are raised by Django
        # and allauth as signals; they are the only signal receivers in the project
        # (docs/decisions.md, D-005).
        from kim.accounts import auth_events  # noqa: F401
