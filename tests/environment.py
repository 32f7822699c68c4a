"""Environment for the test run, loaded (`-p tests.environment`) before Django.

Each pytest-xdist worker gets its own broker state — a Redis database number
of its own, or a filesystem broker folder of its own — so parallel test
processes and the Celery workers they start never see each other's tasks.
"""

import os
import re
import tempfile
from urllib.parse import urlsplit, urlunsplit

os.environ.setdefault("SECRET_KEY", "tests-only-secret-key-" + "x" * 40)
os.environ.setdefault("SES_HTTPS", "0")
os.environ["DEBUG"] = "0"
os.environ["SES_STATIC_MANIFEST"] = "0"
# Playwright's sync API runs an event loop in the test thread; the ORM calls
# made between browser steps are still plain synchronous code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

WORKER_ID = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
WORKER_INDEX = int(re.sub(r"\D", "", WORKER_ID) or 0)
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}

if os.environ.get("REDIS_URL"):
    # Redis databases 1..15 for test workers; 0 stays the developer's own.
    parts = urlsplit(os.environ["REDIS_URL"])
    database = 1 + WORKER_INDEX % 15
    os.environ["REDIS_URL"] = urlunsplit(parts._replace(path=f"/{database}"))
else:
    os.environ["SES_BROKER_DIR"] = tempfile.mkdtemp(prefix=f"ses-broker-{WORKER_ID}-")
    os.environ["SES_CACHE_DIR"] = tempfile.mkdtemp(prefix=f"ses-cache-{WORKER_ID}-")
