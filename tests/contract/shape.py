"""Compare an answer with a captured one by status and SHAPE, not by value.

Shape = the same keys in every object, the same JSON type for every value, lists compared by
their first item. Ids, dates, cursors and other random values are therefore normalised away
(only their type counts). ``null`` on either side matches any type: whether a nullable field is
set depends on data the fake cannot reproduce exactly (timestamps, worker output) — except in
the envelope (the first three levels, e.g. ``$.data.createCompany.name``), where null must stay null —
and a field the capture sets must not be null in *every* record of an answer's record list.
A list in the envelope that is non-empty in the capture must be non-empty in the answer.

Error answers are held closer: their ``error``/``code``/``message(s)`` and GraphQL error messages
with ``extensions.code``/``subCode`` must match word for word (see ``compare_error_texts``).

Values of free-form JSON fields (RAW_JSON in Twenty's metadata, e.g. ``properties``, ``state``)
are compared by type only: their inner keys are data, not contract.
"""

from __future__ import annotations

from typing import Any


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return "null"


def compare_shapes(
    expected: Any,
    actual: Any,
    path: str = "$",
    free_form: frozenset[str] = frozenset(),
    uniform_items: bool = False,
) -> list[str]:
    """Every place where ``actual`` does not have the shape of ``expected`` (empty = match)."""
    if (expected is None or actual is None) and (expected is actual or _depth(path) > 3):
        return []
    kind_e, kind_a = _kind(expected), _kind(actual)
    if kind_e != kind_a:
        return [f"{path}: expected {kind_e}, got {kind_a} ({_preview(actual)})"]
    if isinstance(expected, dict):
        if path.rsplit(".", 1)[-1] in free_form:
            return []
        problems = []
        missing = [k for k in expected if k not in actual]
        extra = [k for k in actual if k not in expected]
        if missing:
            problems.append(f"{path}: missing keys {missing}")
        if extra:
            problems.append(f"{path}: unexpected keys {extra}")
        for key in expected:
            if key in actual:
                problems.extend(
                    compare_shapes(expected[key], actual[key], f"{path}.{key}", free_form, uniform_items)
                )
        return problems
    if isinstance(expected, list):
        if expected and not actual and _depth(path) <= 3:
            # Envelope lists (records, duplicates, actions) must not come back empty; lists inside
            # records (additionalEmails, related records) are data.
            return [f"{path}: expected a non-empty list, got []"]
        if expected and actual and _kinds_of(expected):
            return _compare_by_kind(expected, actual, path, free_form, uniform_items)
        if expected and actual and not uniform_items and all(isinstance(i, dict) for i in expected):
            # Metadata items: a key the capture itself leaves out of some items is optional (2.21
            # answers these lists in random id order, so first items are different things).
            optional = {k for item in expected for k in item if not all(k in other for other in expected)}
            if optional and isinstance(actual[0], dict):
                first = {k: v for k, v in expected[0].items() if k not in optional}
                got = {k: v for k, v in actual[0].items() if k not in optional}
                return compare_shapes(first, got, f"{path}[0]", free_form, uniform_items)
        if expected and actual:
            problems = compare_shapes(expected[0], actual[0], f"{path}[0]", free_form, uniform_items)
            if uniform_items and isinstance(expected[0], dict) and path.rsplit(".", 1)[-1] not in free_form:
                keys = set(expected[0])
                dicts = [item for item in actual if isinstance(item, dict)]
                for key, value in expected[0].items():
                    if (
                        _depth(path) <= 3
                        and value is not None
                        and dicts
                        and all(item.get(key) is None for item in dicts)
                    ):
                        problems.append(f"{path}[*].{key}: null in every item, the capture has a value")
                for i, item in enumerate(actual[1:], start=1):
                    if isinstance(item, dict) and set(item) != keys:
                        problems.append(
                            f"{path}[{i}]: keys differ from the captured items' "
                            f"(missing {sorted(keys - set(item))}, extra {sorted(set(item) - keys)})"
                        )
                        break
            return problems
    return []


# Lists whose items are of several kinds, told apart by these keys (syncApplication's `actions`:
# a create of a logicFunction, a role, an applicationVariable...). Each kind is held to its own
# captured item, not all of them to the first one.
KIND_KEYS = ("metadataName", "type")


def _kinds_of(items: list[Any]) -> bool:
    return all(isinstance(i, dict) and all(k in i for k in KIND_KEYS) for i in items)


def _compare_by_kind(
    expected: list[Any], actual: list[Any], path: str, free_form: frozenset[str], uniform_items: bool
) -> list[str]:
    problems: list[str] = []
    seen: set[tuple[Any, ...]] = set()
    for item in expected:
        kind = tuple(item[k] for k in KIND_KEYS)
        if kind in seen:
            continue
        seen.add(kind)
        match = next(
            (a for a in actual if isinstance(a, dict) and tuple(a.get(k) for k in KIND_KEYS) == kind), None
        )
        label = "/".join(str(k) for k in kind)
        if match is None:
            problems.append(f"{path}: no item of kind {label} (the capture has one)")
            continue
        problems.extend(compare_shapes(item, match, f"{path}[{label}]", free_form, uniform_items))
    return problems


def compare_response(
    expected_status: int,
    expected_body: Any,
    actual_status: int,
    actual_body: Any,
    free_form: frozenset[str] = frozenset(),
    uniform_items: bool = False,
) -> list[str]:
    """``uniform_items``: every item of a list must have the keys of the captured first item
    (true for records of one object; metadata items legitimately omit optional keys)."""
    problems = []
    if expected_status != actual_status:
        problems.append(f"status: expected {expected_status}, got {actual_status} ({_preview(actual_body)})")
    problems.extend(
        compare_shapes(expected_body, actual_body, free_form=free_form, uniform_items=uniform_items)
    )
    return problems


def _depth(path: str) -> int:
    return path.count(".") + path.count("[")


def _preview(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 300 else text[:300] + "…"


def compare_error_texts(expected: Any, actual: Any, substitute: Any = lambda text: text) -> list[str]:
    """Error answers are contract word for word: REST ``error``/``code``/``message(s)`` and GraphQL
    ``errors[].message`` with ``extensions.code``/``subCode`` (ids mapped by ``substitute``)."""
    if not isinstance(expected, dict) or not isinstance(actual, dict):
        return []
    problems = []
    for key in ("error", "code", "message", "messages"):
        if key in expected and key in actual:
            want = _map_text(expected[key], substitute)
            if want != actual[key]:
                problems.append(f"$.{key}: expected {want!r}, got {actual[key]!r}")
    for i, (want, got) in enumerate(
        zip(expected.get("errors") or [], actual.get("errors") or [], strict=False)
    ):
        if not isinstance(want, dict) or not isinstance(got, dict):
            continue
        if substitute(want.get("message")) != got.get("message"):
            problems.append(
                f"$.errors[{i}].message: expected {want.get('message')!r}, got {got.get('message')!r}"
            )
        for key in ("code", "subCode"):
            w, g = (want.get("extensions") or {}).get(key), (got.get("extensions") or {}).get(key)
            if w != g:
                problems.append(f"$.errors[{i}].extensions.{key}: expected {w!r}, got {g!r}")
    return problems


def _map_text(value: Any, substitute: Any) -> Any:
    if isinstance(value, list):
        return [_map_text(v, substitute) for v in value]
    return substitute(value) if isinstance(value, str) else value
