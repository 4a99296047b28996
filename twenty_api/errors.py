"""Typed errors carrying Twenty's own words.

Twenty 2.21 answers REST errors as ``{"statusCode", "error", "messages": [...]}`` (metadata
validation uses ``{"statusCode", "error", "message", "errors": {...}}``) and GraphQL errors as
``{"errors": [{"message", "extensions": {"code", "subCode", ...}}]}``, often with HTTP 200.
Every exception keeps ``status`` (HTTP status or None), ``messages`` (Twenty's text) and
``code`` (Twenty's ``error`` or GraphQL ``subCode``/``code``); ``str(err)`` says what to do.
"""

from __future__ import annotations

from typing import Any

USER_SESSION_HINT = (
    "Twenty 2.21 refuses API keys for this call (workflow activation and runs, blocklist writes, "
    "API-key management): use a user session (`await TwentyClient.login(base_url, email, password)`) "
    "or, for a workflow, call its webhook trigger instead."
)


class TwentyError(Exception):
    """Base class: anything Twenty (or the way to it) refused or failed."""

    hint = ""

    def __init__(
        self,
        summary: str,
        *,
        status: int | None = None,
        messages: list[str] | None = None,
        code: str | None = None,
        method: str | None = None,
        path: str | None = None,
        body: Any = None,
        hint: str | None = None,
    ) -> None:
        if hint is not None:
            self.hint = hint
        self.summary = summary
        self.status = status
        self.messages = list(messages or [])
        self.code = code
        self.method = method
        self.path = path
        self.body = body
        super().__init__(self._sentence())

    def _sentence(self) -> str:
        text = self.summary
        if self.messages:
            text += ": " + "; ".join(self.messages)
        if not text.endswith((".", "?", "!")):
            text += "."
        if self.hint:
            text += " " + self.hint
        return text


class TwentyAuthError(TwentyError):
    hint = (
        "Check the credentials: TWENTY_API_KEY must be a live key from Settings → APIs & Webhooks "
        "(revoked, expired, or signed with a rotated APP_SECRET keys are refused)."
    )


class TwentyForbiddenError(TwentyError):
    hint = "The API key's role (or the user's) does not allow this; change the role or use another key."


class TwentyUserSessionRequired(TwentyForbiddenError):
    hint = USER_SESSION_HINT


class TwentyNotFoundError(TwentyError):
    hint = "Check the object name and id (soft-deleted records are not found until restored)."


class TwentyValidationError(TwentyError):
    hint = "Fix the request as Twenty describes; the data was not changed."


class TwentyRateLimitError(TwentyError):
    hint = (
        "Twenty's per-workspace limit (100 requests per 60 s by default) was reached and retries ran "
        "out; lower the request rate (rate_limit/rate_window) or wait a minute."
    )


class TwentyServerError(TwentyError):
    hint = "Twenty failed on its side; retry later and check the Twenty server logs."


class TwentyGraphQLError(TwentyError):
    """GraphQL ``errors[]`` (usually with HTTP 200). ``errors`` keeps the raw list."""

    hint = ""

    def __init__(self, summary: str, *, errors: list[dict[str, Any]] | None = None, **kw: Any) -> None:
        self.errors = list(errors or [])
        super().__init__(summary, **kw)


class TwentyConnectionError(TwentyError):
    """The request did not get an answer (connect/read failure, timeout).

    ``outcome_unknown`` is True when the request may have reached Twenty and been processed;
    such a write is never retried automatically.
    """

    def __init__(self, summary: str, *, outcome_unknown: bool = False, **kw: Any) -> None:
        self.outcome_unknown = outcome_unknown
        super().__init__(summary, **kw)


# GraphQL flavours: catchable both as TwentyGraphQLError and as the HTTP-like category.
class TwentyGraphQLAuthError(TwentyGraphQLError, TwentyAuthError):
    hint = TwentyAuthError.hint


class TwentyGraphQLForbiddenError(TwentyGraphQLError, TwentyForbiddenError):
    hint = TwentyForbiddenError.hint


class TwentyGraphQLUserSessionRequired(TwentyGraphQLError, TwentyUserSessionRequired):
    hint = USER_SESSION_HINT


class TwentyGraphQLNotFoundError(TwentyGraphQLError, TwentyNotFoundError):
    hint = ""


class TwentyGraphQLValidationError(TwentyGraphQLError, TwentyValidationError):
    hint = ""


class TwentyGraphQLRateLimitError(TwentyGraphQLError, TwentyRateLimitError):
    hint = TwentyRateLimitError.hint


class TwentyGraphQLServerError(TwentyGraphQLError, TwentyServerError):
    hint = ""


# Messages by which 2.21 says "this needs a logged-in user" (contract examples 065, 145b, 159, 161).
_USER_SESSION_MESSAGES = (
    "user id is required",
    "this endpoint requires a session access token",
    "forbidden resource",
)


def _needs_user_session(messages: list[str], used_api_key: bool) -> bool:
    if not used_api_key:
        return False
    lowered = [m.lower() for m in messages]
    return any(m.startswith(prefix) for m in lowered for prefix in _USER_SESSION_MESSAGES)


def _collect_nested_messages(node: Any, out: list[str]) -> None:
    """Metadata validation errors nest their details: {"errors": {"fieldMetadata": [{"errors": [...]}]}}."""
    if isinstance(node, dict):
        message = node.get("message")
        if isinstance(message, str) and message not in out:
            out.append(message)
        for key in ("errors", *[k for k in node if k not in ("errors", "message")]):
            if isinstance(node.get(key), dict | list):
                _collect_nested_messages(node[key], out)
    elif isinstance(node, list):
        for item in node:
            _collect_nested_messages(item, out)


def rest_messages(body: Any) -> list[str]:
    if not isinstance(body, dict):
        return [str(body)[:500]] if body not in (None, "") else []
    messages = body.get("messages")
    if isinstance(messages, list) and messages:
        return [str(m) for m in messages]
    out: list[str] = []
    _collect_nested_messages(body, out)
    return out


def error_from_response(status: int, body: Any, *, method: str, path: str, used_api_key: bool) -> TwentyError:
    """Map a non-2xx REST answer to the matching typed error."""
    messages = rest_messages(body)
    code = body.get("code") or body.get("error") if isinstance(body, dict) else None
    where = f"{method} {path}"
    kw: dict[str, Any] = {
        "status": status,
        "messages": messages,
        "code": code,
        "method": method,
        "path": path,
        "body": body,
    }
    if _needs_user_session(messages, used_api_key) and status in (401, 403):
        return TwentyUserSessionRequired(f"Twenty refused {where} with an API key ({status})", **kw)
    if status == 401 or (status == 403 and any("authentication token" in m.lower() for m in messages)):
        return TwentyAuthError(f"Twenty did not accept the credentials for {where} ({status})", **kw)
    if status == 403 or (isinstance(body, dict) and body.get("code") == "FORBIDDEN"):
        return TwentyForbiddenError(f"Twenty forbade {where} ({status})", **kw)
    if status == 404:
        return TwentyNotFoundError(f"Twenty found nothing for {where} (404)", **kw)
    if status == 429:
        return TwentyRateLimitError(f"Twenty rate-limited {where} (429)", **kw)
    if status >= 500:
        return TwentyServerError(f"Twenty failed on {where} ({status})", **kw)
    return TwentyValidationError(f"Twenty rejected {where} ({status})", **kw)


def _graphql_code(error: dict[str, Any]) -> str | None:
    ext = error.get("extensions") or {}
    return ext.get("subCode") or ext.get("code")


def error_from_graphql(
    errors: list[dict[str, Any]], *, status: int, endpoint: str, used_api_key: bool, body: Any = None
) -> TwentyGraphQLError:
    """Map GraphQL ``errors[]`` to the matching typed error (the first error decides the type)."""
    messages = [str(e.get("message", "")) for e in errors]
    first = errors[0] if errors else {}
    ext = first.get("extensions") or {}
    sub_code, code = ext.get("subCode"), ext.get("code")
    path = f"/{endpoint}"
    kw: dict[str, Any] = {
        "errors": errors,
        "status": status,
        "messages": messages,
        "code": sub_code or code,
        "method": "POST",
        "path": path,
        "body": body,
    }
    where = f"GraphQL on {path}"
    if sub_code == "LIMIT_REACHED" or any("limit reached" in m.lower() for m in messages):
        return TwentyGraphQLRateLimitError(f"Twenty rate-limited {where}", **kw)
    if code in ("FORBIDDEN", "UNAUTHENTICATED") and _needs_user_session(messages, used_api_key):
        return TwentyGraphQLUserSessionRequired(f"Twenty refused {where} with an API key", **kw)
    if code == "UNAUTHENTICATED":
        return TwentyGraphQLAuthError(f"Twenty did not accept the credentials for {where}", **kw)
    if code == "FORBIDDEN":
        return TwentyGraphQLForbiddenError(f"Twenty forbade {where}", **kw)
    if code == "NOT_FOUND":
        return TwentyGraphQLNotFoundError(f"Twenty found nothing for {where}", **kw)
    if code == "INTERNAL_SERVER_ERROR" or status >= 500:
        return TwentyGraphQLServerError(f"Twenty failed on {where}", **kw)
    return TwentyGraphQLValidationError(f"Twenty rejected {where}", **kw)
