from django.apps import AppConfig


class DomainsConfig(AppConfig):
    name = "domains"
    verbose_name = "Sender domains"

    def ready(self) -> None:
        from domains.models import SenderAddress
        from sesconsole import row_cache

        # The rows every send reads: see sesconsole.row_cache.
        row_cache.watch(SenderAddress)
