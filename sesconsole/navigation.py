"""The console's navigation: one list of every area in SPEC.md."""

from dataclasses import dataclass

from accounts.models import Role


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    section: str
    roles: tuple[str, ...] = ()  # empty: every member sees it
    debug_only: bool = False


NAVIGATION = [
    NavItem("Overview", "overview", "Home"),
    NavItem("Sender domains", "domains:list", "Configuration"),
    NavItem("Sender addresses", "domains:addresses", "Configuration"),
    NavItem("Templates", "templates_app:list", "Configuration"),
    NavItem(
        "Review queue", "templates_app:review_queue", "Configuration", (Role.REVIEWER,)
    ),
    NavItem("Send email", "sending:send", "Sending", (Role.OWNER, Role.OPERATOR)),
    NavItem("Batch sending", "sending:batches", "Sending"),
    NavItem("Recipient lists", "sending:recipient_lists", "Sending"),
    NavItem("Sending queue", "sending:queue", "Sending"),
    NavItem("Statistics", "stats:overview", "Insight"),
    NavItem("Message log", "sending:messages", "Insight"),
    NavItem("Suppression list", "sending:suppression", "Insight"),
    NavItem("Local mailbox", "sending:dev_mailbox", "Insight", debug_only=True),
    NavItem("API keys", "accounts:api_keys", "Account"),
    NavItem("Event webhooks", "sending:webhooks", "Account"),
    NavItem("Account settings", "accounts:settings", "Account"),
]


def navigation_for(
    roles: frozenset[str], *, debug: bool = False
) -> list[tuple[str, list[NavItem]]]:
    """Group the items a member with `roles` may see, by section, in order."""
    sections: dict[str, list[NavItem]] = {}
    for item in NAVIGATION:
        if item.debug_only and not debug:
            continue
        if not item.roles or roles.intersection(item.roles):
            sections.setdefault(item.section, []).append(item)
    return list(sections.items())
