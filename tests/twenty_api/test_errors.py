"""Every captured Twenty error body maps to the right typed error, with Twenty's own words."""

import pytest

from tests.fake_twenty import contract_data
from twenty_api import (
    TwentyAuthError,
    TwentyError,
    TwentyForbiddenError,
    TwentyGraphQLError,
    TwentyNotFoundError,
    TwentyRateLimitError,
    TwentyServerError,
    TwentyUserSessionRequired,
    TwentyValidationError,
)
from twenty_api.errors import error_from_graphql, error_from_response


def _example(prefix: str) -> dict:
    return contract_data.example_by_prefix(f"{prefix}-")


def _used_api_key(ex: dict) -> bool:
    return ex["request_headers"].get("Authorization", "").endswith("<API_KEY>")


@pytest.mark.parametrize(
    ("prefix", "cls", "fragment"),
    [
        ("005b", TwentyNotFoundError, "Record not found"),
        ("007", TwentyValidationError, 'doesn\'t have any "notAField" field'),
        ("007b", TwentyValidationError, "'filter' invalid"),
        ("007c", TwentyAuthError, "Missing authentication token"),
        ("023b", TwentyValidationError, "Allowed values are 0, 1"),
        ("039", TwentyForbiddenError, "Method not allowed."),
        ("041", TwentyValidationError, "object 'notAnObjects' not found"),
        ("044c", TwentyValidationError, 'both "data" and "ids"'),
        ("057b", TwentyValidationError, "Valid values are: TODO, IN_PROGRESS, DONE"),
        ("065", TwentyUserSessionRequired, "User id is required"),
        ("126b", TwentyValidationError, "UPPER_CASE"),
        ("126c", TwentyValidationError, 'Name "source" is not available'),
        ("133b", TwentyValidationError, "Multiple validation errors occurred while creating webhook"),
        ("200", TwentyRateLimitError, "Limit reached (100 tokens per 60000 ms)"),
    ],
)
def test_rest_error_bodies(prefix: str, cls: type[TwentyError], fragment: str) -> None:
    ex = _example(prefix)
    method, path = ex["method"], ex["path"].split("?")[0]
    err = error_from_response(
        ex["status"], ex["response_body"], method=method, path=path, used_api_key=_used_api_key(ex)
    )
    assert type(err) is cls
    assert err.status == ex["status"]
    assert any(fragment in m for m in err.messages), err.messages
    assert fragment in str(err) and method in str(err) and path in str(err)
    assert str(err).endswith(".") or str(err).endswith(")")


def test_user_session_message_says_what_to_do() -> None:
    ex = _example("065")
    err = error_from_response(
        401, ex["response_body"], method="POST", path="/rest/blocklists", used_api_key=True
    )
    assert isinstance(err, TwentyForbiddenError)
    assert "TwentyClient.login" in str(err) and "webhook trigger" in str(err)
    # The same 401 for a user session is a plain credential problem.
    plain = error_from_response(
        401, ex["response_body"], method="POST", path="/rest/blocklists", used_api_key=False
    )
    assert type(plain) is TwentyAuthError


@pytest.mark.parametrize(
    ("prefix", "categories", "code"),
    [
        ("011", (TwentyValidationError,), "INVALID_ARGS_FILTER"),
        ("106b", (TwentyValidationError,), "INVALID_ARGS_FILTER"),
        ("106c", (TwentyValidationError,), None),
        ("106d", (TwentyValidationError,), None),
        ("123b", (TwentyValidationError,), None),
        ("141", (TwentyServerError,), "AGENT_EXECUTION_FAILED"),
        ("143", (TwentyValidationError,), "BAD_USER_INPUT"),
        ("145b", (TwentyUserSessionRequired, TwentyForbiddenError), "FORBIDDEN_EXCEPTION"),
        ("156", (TwentyUserSessionRequired,), "FORBIDDEN"),
        ("159", (TwentyUserSessionRequired,), "FORBIDDEN"),
        ("161", (TwentyUserSessionRequired,), "FORBIDDEN"),
        ("201", (TwentyRateLimitError,), "LIMIT_REACHED"),
    ],
)
def test_graphql_errors_arrive_with_200_and_are_typed(
    prefix: str, categories: tuple, code: str | None
) -> None:
    ex = _example(prefix)
    body = ex["response_body"]
    err = error_from_graphql(
        body["errors"],
        status=ex["status"],
        endpoint=ex["path"].strip("/"),
        used_api_key=_used_api_key(ex),
        body=body,
    )
    assert isinstance(err, TwentyGraphQLError)
    for category in categories:
        assert isinstance(err, category)
    assert err.code == code
    assert err.messages == [e["message"] for e in body["errors"]]
    assert err.messages[0] in str(err)
    assert err.errors == body["errors"]


def test_graphql_forbidden_for_a_user_is_plain_forbidden() -> None:
    body = _example("159")["response_body"]
    err = error_from_graphql(body["errors"], status=200, endpoint="graphql", used_api_key=False)
    assert isinstance(err, TwentyForbiddenError) and not isinstance(err, TwentyUserSessionRequired)


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (400, TwentyValidationError),
        (401, TwentyAuthError),
        (403, TwentyForbiddenError),
        (404, TwentyNotFoundError),
        (409, TwentyValidationError),
        (422, TwentyValidationError),
        (429, TwentyRateLimitError),
        (500, TwentyServerError),
        (502, TwentyServerError),
        (503, TwentyServerError),
        (504, TwentyServerError),
    ],
)
def test_status_mapping(status: int, cls: type) -> None:
    err = error_from_response(
        status,
        {"statusCode": status, "error": "X", "messages": ["m"]},
        method="GET",
        path="/rest/people",
        used_api_key=True,
    )
    assert type(err) is cls and err.status == status and err.code == "X" and err.messages == ["m"]


def test_non_json_error_body_is_kept() -> None:
    err = error_from_response(
        502, "<html>Bad Gateway</html>", method="GET", path="/rest/people", used_api_key=True
    )
    assert isinstance(err, TwentyServerError) and "Bad Gateway" in str(err)
