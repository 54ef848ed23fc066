from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts"

    def ready(self):
        # The sign-in, lockout and role-change receivers that write the event log.
        from accounts import receivers  # noqa: F401
