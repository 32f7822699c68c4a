from django.apps import AppConfig


class TemplatesAppConfig(AppConfig):
    name = "templates_app"
    verbose_name = "Templates and review"

    def ready(self) -> None:
        from sesconsole import row_cache
        from templates_app.models import EmailTemplate, TemplateVersion

        # The rows every send reads: see sesconsole.row_cache.
        row_cache.watch(EmailTemplate, TemplateVersion)
