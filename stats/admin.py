from django.contrib import admin
from django.http import HttpRequest

from stats.models import COLUMNS, DailyCounter


@admin.register(DailyCounter)
class DailyCounterAdmin(admin.ModelAdmin):
    """Read-only: counters change by recording events, or by
    `manage.py recount_statistics --day YYYY-MM-DD` rebuilding a day."""

    list_display = [
        "day",
        "account",
        "domain",
        "provider",
        "requests",
        "sent",
        "delivered",
        "bounced",
        "unique_opened",
        "complained",
    ]
    list_filter = ["day"]
    list_select_related = ["account", "domain"]
    search_fields = ["provider", "domain__name", "account__name", "account__slug"]
    date_hierarchy = "day"
    readonly_fields = ["account", "domain", "day", "provider", *COLUMNS]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(
        self, request: HttpRequest, obj: DailyCounter | None = None
    ) -> bool:
        return False
