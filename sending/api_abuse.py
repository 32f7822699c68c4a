"""GetAbuseReport: the complaints (feedback-loop reports) about an account's mail."""

from datetime import datetime, timedelta

from sending.api_formats import date_time, midnight, page_bounds, zone
from sending.models import EventKind, MessageEvent
from sesconsole.api.errors import ApiError
from sesconsole.api.registry import ApiContext, api_action, optional, required

MAX_REPORT_LIMIT = 1000


def _moment(value: str, name: str, *, end: bool) -> datetime:
    """`YYYY-MM-DD HH:MM:SS` or `YYYY-MM-DD` (a whole day) in SES_TIME_ZONE."""
    try:
        moment = datetime.strptime(value, "%Y-%m-%d %H:%M:%S").replace(tzinfo=zone())
    except ValueError:
        pass
    else:
        # An end time names its whole last second.
        return moment + timedelta(seconds=1) if end else moment
    try:
        day = datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError:
        raise ApiError(
            "InvalidParameterValue",
            f"{name} must be YYYY-MM-DD HH:MM:SS or YYYY-MM-DD.",
        ) from None
    return midnight(day + timedelta(days=1) if end else day)


@api_action(
    "GetAbuseReport",
    StartTime=required(str),
    EndTime=required(str),
    Offset=optional(int),
    Limit=optional(int),
    FromDomain=optional(str),
    FromAddress=optional(str),
    Mta=optional(str),
    ToAddress=optional(str),
    TemplateId=optional(str),
)
def get_abuse_report(context: ApiContext, params: dict) -> dict:
    start = _moment(params["StartTime"], "StartTime", end=False)
    end = _moment(params["EndTime"], "EndTime", end=True)
    if end <= start:
        raise ApiError("InvalidParameterValue", "EndTime must be after StartTime.")
    limit = params.get("Limit") or MAX_REPORT_LIMIT
    if not 0 < limit <= MAX_REPORT_LIMIT:
        raise ApiError(
            "FailedOperation.InvalidLimit", f"Limit must be 1 to {MAX_REPORT_LIMIT}."
        )
    first, _ = page_bounds({"Offset": params.get("Offset") or 0}, 1)
    complaints = MessageEvent.objects.filter(
        kind=EventKind.COMPLAINED,
        at__gte=start,
        at__lt=end,
        message__account=context.account,
    )
    if params.get("FromDomain"):
        complaints = complaints.filter(
            message__domain__name=params["FromDomain"].lower()
        )
    if params.get("FromAddress"):
        complaints = complaints.filter(
            message__from_email__iexact=params["FromAddress"]
        )
    if params.get("ToAddress"):
        complaints = complaints.filter(message__recipient__iexact=params["ToAddress"])
    if params.get("Mta"):
        complaints = complaints.filter(
            message__recipient__iendswith="@" + params["Mta"]
        )
    if params.get("TemplateId"):
        if not params["TemplateId"].isdigit():
            raise ApiError("InvalidParameterValue", "TemplateId must be a number.")
        complaints = complaints.filter(
            message__template_version__template_id=int(params["TemplateId"])
        )
    total = complaints.count()
    page = complaints.select_related(
        "message", "message__domain", "message__template_version"
    ).order_by("at", "pk")[first : first + limit]
    return {"TotalCount": total, "Data": [_report(event) for event in page]}


def _report(event: MessageEvent) -> dict:
    message = event.message
    version = message.template_version
    delivered = message.sent_at or message.finished_at or message.created_at
    return {
        "DeliverTime": date_time(delivered),
        "OriginalMailFrom": message.from_email,
        "OriginalRcptTo": message.recipient,
        "FromDomain": message.domain.name,
        "ComplainTime": date_time(event.at),
        "Mta": message.recipient.rpartition("@")[2].lower(),
        "SourceIp": "",
        "InsertTime": date_time(event.at),
        "TemplateId": str(version.template_id) if version else "",
        "BulkId": message.request_id,
        "MessageId": message.header_message_id,
        "AbuseTime": date_time(event.at),
        "Subject": message.subject,
    }
