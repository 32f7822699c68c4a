"""Daily counters: what the statistics page and API read, never the event table.

One row per account, sender domain, sending day and receiving mailbox
provider, incremented by `stats.counters.add` as events are recorded. The
definitions of the columns are in docs/statistics.md.
"""

from datetime import date

from django.db import models
from django.db.models import Sum

from accounts.access import AccountScopedQuerySet
from accounts.models import Account
from domains.models import SenderDomain

# Every counter column, in the order pages, CSV and the recount use.
COLUMNS = (
    "requests",
    "accepted",
    "dropped",
    "sent",
    "delivered",
    "deferred",
    "bounced",
    "bounced_invalid",
    "bounced_spam",
    "failed",
    "opened",
    "unique_opened",
    "clicked",
    "unique_clicked",
    "unsubscribed",
    "complained",
)


def _counter(help_text: str) -> models.IntegerField:
    # Signed: a late bounce moves a message out of `delivered` (-1), on the
    # day the bounce arrives. db_default, because the upsert names only the
    # columns a batch touches.
    return models.IntegerField(default=0, db_default=0, help_text=help_text)


class DailyCounterQuerySet(AccountScopedQuerySet["DailyCounter"]):
    def between(self, start: date, end: date) -> "DailyCounterQuerySet":
        """Days from `start` to `end`, both included."""
        return self.filter(day__gte=start, day__lte=end)

    def sums(self, columns: tuple[str, ...] = COLUMNS) -> dict[str, models.Aggregate]:
        return {column: Sum(column, default=0) for column in columns}

    def per_day(self) -> "models.QuerySet[dict]":
        """One dict per day with a row: {"day": date, column: total, ...}."""
        return self.values("day").annotate(**self.sums()).order_by("day")

    def per(
        self, *fields: str, columns: tuple[str, ...] = COLUMNS
    ) -> "models.QuerySet[dict]":
        """One dict per combination of `fields` values, with sums of `columns`."""
        return self.values(*fields).annotate(**self.sums(columns)).order_by()


class DailyCounter(models.Model):
    account = models.ForeignKey(
        Account, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    domain = models.ForeignKey(
        SenderDomain, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    day = models.DateField(help_text="The sending day, in SES_TIME_ZONE.")
    provider = models.CharField(
        max_length=253, help_text="Receiving mailbox provider (gmail.com, …)."
    )

    requests = _counter("Recipients requested: accepted + dropped.")
    accepted = _counter("Recipients accepted for delivery.")
    dropped = _counter("Recipients refused at acceptance (suppressed).")
    sent = _counter(
        "Handed to a receiving server: delivered + bounced + outcome unknown."
    )
    delivered = _counter("Accepted (2xx) by the receiving server.")
    deferred = _counter("Deferrals: attempts answered 4xx or not answered.")
    bounced = _counter("Bounces of every type.")
    bounced_invalid = _counter("Hard bounces for an unknown user or domain.")
    bounced_spam = _counter("Rejections as spam.")
    failed = _counter("Given up after deferrals (72 hours).")
    opened = _counter("Opens, every one.")
    unique_opened = _counter("Messages opened, counted at their first open.")
    clicked = _counter("Clicks, every one.")
    unique_clicked = _counter("Messages clicked, counted at their first click.")
    unsubscribed = _counter("Unsubscribes.")
    complained = _counter("Complaints (feedback-loop reports).")

    objects = DailyCounterQuerySet.as_manager()

    class Meta:
        ordering = ["-day", "domain", "provider"]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "domain", "day", "provider"],
                name="one_counter_per_cell",
            )
        ]
        indexes = [
            models.Index(fields=["account", "day"], name="counter_account_day"),
            models.Index(fields=["domain", "day"], name="counter_domain_day"),
        ]

    def __str__(self) -> str:
        return f"{self.day} · {self.provider}"
