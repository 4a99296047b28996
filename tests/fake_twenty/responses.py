"""JSON answers with the content types 2.21 sends (REST: charset=utf-8; /graphql: bare)."""

from __future__ import annotations

import json
from typing import Any

from starlette.responses import Response

REST_CONTENT_TYPE = "application/json; charset=utf-8"
GRAPHQL_CONTENT_TYPE = "application/json"


def json_response(body: Any, status: int = 200, content_type: str = REST_CONTENT_TYPE) -> Response:
    payload = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
    return Response(content=payload, status_code=status, headers={"content-type": content_type})
