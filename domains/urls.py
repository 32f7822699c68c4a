from django.urls import path

from sesconsole.views import not_built

app_name = "domains"

urlpatterns = [
    path(
        "domains/",
        not_built,
        {
            "area": "Sender domains",
            "summary": "Add the domains you send from and verify them with DNS "
            "records (MX, SPF, DKIM, DMARC).",
        },
        name="list",
    ),
    path(
        "addresses/",
        not_built,
        {
            "area": "Sender addresses",
            "summary": "Create sender addresses on verified domains, with a "
            "display name and an SMTP password.",
        },
        name="addresses",
    ),
]
