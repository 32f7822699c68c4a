from django import template

register = template.Library()


@register.filter
def count(value: int | None) -> str:
    """1234567 → 1,234,567."""
    return "—" if value is None else f"{value:,}"


@register.filter
def rate(value: float | None) -> str:
    """A fraction as a percentage: 0.9523 → 95.2%, 0.0008 → 0.08%; None → —."""
    if value is None:
        return "—"
    percent = value * 100
    if percent and abs(percent) < 1:
        return f"{percent:.2f}%"
    return f"{percent:.1f}%"
