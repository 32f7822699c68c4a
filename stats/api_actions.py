"""GetStatisticsReport: the daily counters through Tencent's API.

Volume's counts follow the SDK's field descriptions: OpenedCount is every
open (打开邮件总次数), ClickedCount the recipients who clicked
(点击了邮件中的链接数量用户数量), UnsubscribeCount the recipients who
unsubscribed. Days are sending days in SES_TIME_ZONE; every day of the range
is listed, days without mail as zeros.
"""

from domains.api_actions import account_domain
from sending.api_formats import iso_day
from sesconsole.api.errors import ApiError
from sesconsole.api.registry import ApiContext, api_action, optional, required
from stats.providers import provider_for_domain
from stats.report import MAX_DAYS, Figures, daily_report


def volume(figures: Figures, send_date: str) -> dict:
    return {
        "SendDate": send_date,
        "RequestCount": figures.requests,
        "AcceptedCount": figures.accepted,
        "DeliveredCount": figures.delivered,
        "OpenedCount": figures.opened,
        "ClickedCount": figures.unique_clicked,
        "BounceCount": figures.bounced,
        "UnsubscribeCount": figures.unsubscribed,
    }


@api_action(
    "GetStatisticsReport",
    StartDate=required(str),
    EndDate=required(str),
    Domain=optional(str),
    ReceivingMailboxType=optional(str),
)
def get_statistics_report(context: ApiContext, params: dict) -> dict:
    start = iso_day(
        params["StartDate"], "InvalidParameter.InvalidStartTimeFormat", "StartDate"
    )
    end = iso_day(params["EndDate"], "InvalidParameter.InvalidEndTimeFormat", "EndDate")
    if end < start:
        raise ApiError(
            "InvalidParameterValue.WrongDate", "EndDate is before StartDate."
        )
    if (end - start).days + 1 > MAX_DAYS:
        raise ApiError(
            "InvalidParameterValue.WrongDate",
            f"A report covers at most {MAX_DAYS} days; split the range.",
        )
    domain = account_domain(context, params["Domain"]) if params.get("Domain") else None
    mailbox = params.get("ReceivingMailboxType", "").strip()
    report = daily_report(
        context.account,
        start=start,
        end=end,
        domain=domain,
        provider=provider_for_domain(mailbox) if mailbox else "",
    )
    return {
        "DailyVolumes": [volume(f, f.day.isoformat()) for f in report.days],
        "OverallVolume": volume(report.total, ""),
    }
