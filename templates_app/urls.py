from django.urls import path

from sesconsole.views import not_built

app_name = "templates_app"

urlpatterns = [
    path(
        "templates/",
        not_built,
        {
            "area": "Templates",
            "summary": "Write HTML or plain-text templates with {{variables}} "
            "and submit them for review.",
        },
        name="list",
    ),
    path(
        "review/",
        not_built,
        {
            "area": "Review queue",
            "summary": "Approve or reject templates that your teammates submit.",
        },
        name="review_queue",
    ),
]
