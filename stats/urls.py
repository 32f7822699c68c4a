from django.urls import path

from sesconsole.views import not_built

app_name = "stats"

urlpatterns = [
    path(
        "statistics/",
        not_built,
        {
            "area": "Statistics",
            "summary": "Daily sent, delivered, opened, clicked, bounced and "
            "complaint figures per domain and mailbox provider.",
        },
        name="overview",
    ),
]
