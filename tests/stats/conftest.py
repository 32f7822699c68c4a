"""The SDK fixtures of tests/api, for GetStatisticsReport's tests here."""

from tests.api.conftest import api_key, outsider_ses, ses

__all__ = ["api_key", "outsider_ses", "ses"]
