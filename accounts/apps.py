from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts and members"

    def ready(self) -> None:
        from accounts.models import Account, ApiKey
        from sesconsole import row_cache

        # The rows every send reads: see sesconsole.row_cache.
        row_cache.watch(Account, ApiKey)
