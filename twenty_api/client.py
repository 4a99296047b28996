"""TwentyClient: the one async client for Twenty 2.21 (REST core + metadata, GraphQL).

The class is composed of one module per concern: ``transport`` (construction, ``_send``, retries,
pacing), ``session`` (login, public auth mutations, session renewal), ``records``, ``graphql``,
``metadata`` (objects, fields, workspace), ``aggregates`` (search, aggregates, groupBy) and
``webhooks``. Argument checks shared by them live in ``args``.
"""

from __future__ import annotations

from twenty_api.aggregates import AggregatesMixin
from twenty_api.args import DIRECTIONS, FilterArg, OrderBy
from twenty_api.graphql import GraphQLMixin, _is_mutation
from twenty_api.metadata import MetadataMixin
from twenty_api.records import RecordsMixin
from twenty_api.session import SessionMixin
from twenty_api.transport import KEEPALIVE_EXPIRY_S, USER_AGENT, ClientCore
from twenty_api.webhooks import WebhooksMixin

__all__ = [
    "DIRECTIONS",
    "KEEPALIVE_EXPIRY_S",
    "USER_AGENT",
    "FilterArg",
    "OrderBy",
    "TwentyClient",
    "_is_mutation",
]


class TwentyClient(
    SessionMixin,
    AggregatesMixin,
    RecordsMixin,
    MetadataMixin,
    GraphQLMixin,
    WebhooksMixin,
    ClientCore,
):
    """Async client for one Twenty workspace, authenticated by an API key or a user access token.

    Safe by default: deletes are soft, destroys need ``confirm=True``, creates are never
    retried once they may have reached the server, and API-key record traffic is paced to
    Twenty's token bucket. See docs/twenty_api.md.
    """

    def __repr__(self) -> str:
        kind = "user session" if self.is_user_session else "API key"
        return f"TwentyClient({self.base_url!r}, {kind})"
