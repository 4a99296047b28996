"""The one Twenty client: REST core + metadata and GraphQL for Twenty 2.21 (see docs/twenty_api.md)."""

from twenty_api.client import TwentyClient
from twenty_api.errors import (
    TwentyAuthError,
    TwentyConnectionError,
    TwentyError,
    TwentyForbiddenError,
    TwentyGraphQLError,
    TwentyNotFoundError,
    TwentyRateLimitError,
    TwentyServerError,
    TwentyUserSessionRequired,
    TwentyValidationError,
)
from twenty_api.filters import F, Filter, and_, not_, or_
from twenty_api.models import FieldInfo, ObjectInfo
from twenty_api.pagination import Page
from twenty_api.settings import TwentySettings

__all__ = [
    "F",
    "FieldInfo",
    "Filter",
    "ObjectInfo",
    "Page",
    "TwentyAuthError",
    "TwentyClient",
    "TwentyConnectionError",
    "TwentyError",
    "TwentyForbiddenError",
    "TwentyGraphQLError",
    "TwentyNotFoundError",
    "TwentyRateLimitError",
    "TwentyServerError",
    "TwentySettings",
    "TwentyUserSessionRequired",
    "TwentyValidationError",
    "and_",
    "not_",
    "or_",
]
