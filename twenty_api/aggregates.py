"""Search and aggregates (GraphQL aggregates, REST groupBy): TwentyClient's aggregates family."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from twenty_api.args import FilterArg, OrderBy, _check_name, _order_by
from twenty_api.errors import TwentyError
from twenty_api.filters import Filter, render_filter, rest_filter_to_graphql
from twenty_api.metadata import MetadataMixin
from twenty_api.models import ObjectInfo


class AggregatesMixin(MetadataMixin):
    """Cross-object search, one-number aggregates and grouped aggregates."""

    async def group_by(
        self,
        plural: str,
        group_by: Sequence[str | dict[str, Any]],
        aggregate: str | Sequence[str] | None = None,
        filter: FilterArg = None,
        order_by: OrderBy = None,
    ) -> list[dict[str, Any]]:
        """``GET /rest/<plural>/groupBy``: one row per group with ``groupByDimensionValues`` and
        the requested aggregates (e.g. ``totalCount``, ``sumAmountAmountMicros``; values are
        strings as Twenty sends them). ``group_by`` items: ``"stage"`` or
        ``{"createdAt": {"granularity": "MONTH", "timeZone": "UTC"}}``."""
        if not group_by:
            raise ValueError("group_by needs at least one field, e.g. ['stage']")
        dims = [{g: True} if isinstance(g, str) else g for g in group_by]
        aggregates = [aggregate] if isinstance(aggregate, str) else list(aggregate or [])
        params: dict[str, Any] = {
            "group_by": json.dumps(dims, separators=(",", ":")),
            "aggregate": json.dumps(aggregates, separators=(",", ":")) if aggregates else None,
            "filter": render_filter(filter),
            "order_by": _order_by(order_by),
        }
        path = f"/rest/{_check_name(plural)}/groupBy"
        body = await self._rest("GET", path, params=params, safe=True)
        if not isinstance(body, list):
            raise TwentyError(f"Twenty's groupBy answer is not a list: {str(body)[:300]}")
        return body

    async def search(
        self, query: str, limit: int = 20, included_objects: Sequence[str] | None = None
    ) -> list[dict[str, Any]]:
        """Cross-object full-text search (``search`` on /graphql). Each result has ``recordId``,
        ``objectNameSingular``, ``objectLabelSingular``, ``label``, ``imageUrl``, ``tsRank``…"""
        if not isinstance(query, str) or not query.strip():
            raise ValueError("search needs a non-empty query")
        if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= 100:
            raise ValueError(f"search limit must be 1..100, got {limit!r}")
        included = ""
        if included_objects:
            names = [str(n) for n in included_objects]
            for name in names:
                _check_name(name)
            included = f", includedObjectNameSingulars:{json.dumps(names)}"
        document = (
            f"query($q:String!){{ search(searchInput:$q, limit:{limit}{included}){{ edges {{ cursor node {{ "
            "recordId objectNameSingular objectLabelSingular label imageUrl tsRankCD tsRank } } "
            "pageInfo { endCursor hasNextPage } } }"
        )
        data = await self.graphql(document, {"q": query})
        edges = ((data.get("search") or {}).get("edges")) or []
        return [edge.get("node", {}) for edge in edges]

    async def aggregate(
        self,
        plural: str,
        operation: str,
        field: str | None = None,
        group_by: Sequence[str | dict[str, Any]] | None = None,
        filter: Filter | str | dict[str, Any] | None = None,
    ) -> Any:
        """One aggregate: ``aggregate("opportunities", "sum", "amount")`` → sumAmountAmountMicros.

        Operations: count/totalCount, sum, avg, min, max, countEmpty, countNotEmpty,
        countUniqueValues, percentageEmpty, percentageNotEmpty, countTrue, countFalse.
        Without ``group_by`` it runs on /graphql and returns the number; with ``group_by`` it
        uses REST groupBy and returns its rows. ``filter``: a Filter, a REST filter string (typed
        by the fields' metadata for GraphQL) or a GraphQL filter dict (without group_by).
        """
        obj = await self.get_object(plural)
        key = self._aggregate_key(obj, operation, field)
        if group_by:
            if isinstance(filter, dict):
                raise ValueError("with group_by, filter must be a Filter (REST), not a GraphQL dict")
            return await self.group_by(obj.name_plural, group_by, aggregate=[key], filter=filter)
        if isinstance(filter, Filter):
            gql_filter: Any = filter.to_graphql()
        elif isinstance(filter, str) and filter.strip():
            gql_filter = rest_filter_to_graphql(filter, lambda name: (f := obj.field(name)) and f.type)
        else:
            gql_filter = filter or None
        type_name = obj.name_singular[:1].upper() + obj.name_singular[1:] + "FilterInput"
        document = f"query($filter: {type_name}) {{ {obj.name_plural}(filter: $filter) {{ {key} }} }}"
        data = await self.graphql(document, {"filter": gql_filter})
        return (data.get(obj.name_plural) or {}).get(key)

    @staticmethod
    def _aggregate_key(obj: ObjectInfo, operation: str, field: str | None) -> str:
        if operation in ("count", "totalCount"):
            return "totalCount"
        allowed = (
            "sum",
            "avg",
            "min",
            "max",
            "countEmpty",
            "countNotEmpty",
            "countUniqueValues",
            "percentageEmpty",
            "percentageNotEmpty",
            "countTrue",
            "countFalse",
        )
        if operation not in allowed:
            raise ValueError(
                f"aggregate operation {operation!r} must be count or one of {', '.join(allowed)}"
            )
        if not field:
            raise ValueError(f"aggregate {operation!r} needs a field")
        info = obj.field(field)
        if info is None:
            names = ", ".join(sorted(f.name for f in obj.fields if not f.is_system))
            raise ValueError(f"{obj.name_singular} has no field {field!r}; fields: {names}")
        key = operation + field[:1].upper() + field[1:]
        if info.type == "CURRENCY" and operation in ("sum", "avg", "min", "max"):
            key += "AmountMicros"
        return key
