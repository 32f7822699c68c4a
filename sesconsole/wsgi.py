import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sesconsole.settings")
application = get_wsgi_application()

# A web process sends the delivery tasks of concurrent requests together.
from sending import gathering  # noqa: E402

gathering.start()
