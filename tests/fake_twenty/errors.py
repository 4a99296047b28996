"""Twenty-shaped errors, exactly as the captured 2.21 answers show them."""

from __future__ import annotations

from typing import Any


class TwentyHttpError(Exception):
    """An error the fake answers with ``status`` and a JSON ``body`` (REST shape by default)."""

    def __init__(self, status: int, body: Any) -> None:
        super().__init__(f"{status}: {body}")
        self.status = status
        self.body = body

    @classmethod
    def rest(cls, status: int, error: str, message: str, code: str | None = None) -> TwentyHttpError:
        body: dict[str, Any] = {"statusCode": status, "error": error, "messages": [message]}
        if code is not None:
            body["code"] = code
        return cls(status, body)

    @classmethod
    def bad_request(cls, message: str) -> TwentyHttpError:
        return cls.rest(400, "BadRequestException", message)

    @classmethod
    def not_found(cls, message: str = "Record not found") -> TwentyHttpError:
        return cls.rest(404, "NotFoundException", message)

    @classmethod
    def missing_token(cls) -> TwentyHttpError:
        # 2.21 answers 403 (not 401) with this key order (example 007c).
        return cls(
            403,
            {"statusCode": 403, "messages": ["Missing authentication token"], "error": "FORBIDDEN_EXCEPTION"},
        )

    @classmethod
    def forbidden_method(cls, message: str = "Method not allowed.") -> TwentyHttpError:
        return cls.rest(400, "Error", message, code="FORBIDDEN")


class GraphQLError(Exception):
    """A GraphQL error: answered with HTTP 200 (or ``status``) and ``errors[]``."""

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        sub_code: str | None = None,
        friendly: str | None = None,
        extra: dict[str, Any] | None = None,
        locations: list[dict[str, int]] | None = None,
        status: int = 200,
        null_data: bool | str = True,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.sub_code = sub_code
        self.friendly = friendly
        self.extra = extra or {}
        self.locations = locations
        self.status = status
        self.null_data = null_data

    def error_entry(self) -> dict[str, Any]:
        entry: dict[str, Any] = {"message": self.message}
        if self.locations is not None:
            entry["locations"] = self.locations
        if self.code is not None:
            ext: dict[str, Any] = {}
            if self.sub_code is not None:
                ext["subCode"] = self.sub_code
            ext.update(self.extra)
            ext["userFriendlyMessage"] = self.friendly or "An error occurred."
            ext["code"] = self.code
            entry["extensions"] = ext
        return entry

    @classmethod
    def forbidden_resource(cls) -> GraphQLError:
        return cls(
            "Forbidden resource",
            code="FORBIDDEN",
            extra={"response": {"message": "Forbidden resource", "error": "Forbidden", "statusCode": 403}},
        )

    @classmethod
    def bad_input(cls, message: str, sub_code: str, friendly: str) -> GraphQLError:
        return cls(message, code="BAD_USER_INPUT", sub_code=sub_code, friendly=friendly)


DEFAULT_LIMIT_MESSAGE = "Limit reached (100 tokens per 60000 ms)"


def rate_limit_rest(message: str = DEFAULT_LIMIT_MESSAGE) -> TwentyHttpError:
    """429 with no Retry-After header (example 200)."""
    return TwentyHttpError(429, {"statusCode": 429, "error": "HttpException", "messages": [message]})


def rate_limit_graphql(message: str = DEFAULT_LIMIT_MESSAGE) -> GraphQLError:
    """HTTP 200 with errors[].extensions.subCode LIMIT_REACHED (example 201)."""
    return GraphQLError.bad_input(message, "LIMIT_REACHED", "Rate limit reached. Please try again later.")
