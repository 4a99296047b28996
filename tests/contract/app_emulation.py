"""Python stand-ins for the captured app's JavaScript (app-sync/app-source), for the fake only.

The fake cannot run uploaded JS; the contract replay installs these as route handlers so the
route answers (examples 199, 199d, 199m, 199r) can be compared. Routing, auth, variables and the
404 after uninstall are the fake's own behaviour; only the function body is emulated here.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from tests.fake_twenty import contract_data


@cache
def _v1_checksum() -> str | None:
    manifest = contract_data.load_json("app-sync/manifest.json")
    for fn in manifest["manifest"]["logicFunctions"]:
        if fn["name"] == "hello-sync":
            return fn["builtHandlerChecksum"]
    return None


def hello_sync(call: dict[str, Any]) -> dict[str, Any]:
    """app-source/src/logic-functions/hello-sync.ts (v2 adds ``changed: true``)."""
    env = call.get("env") or {}
    first_version = (call.get("function") or {}).get("checksum") == _v1_checksum()
    out: dict[str, Any] = {"version": "v1" if first_version else "v2"}
    if not first_version:
        out["changed"] = True
    secret = env.get("SECRET_TOKEN") or ""
    out.update(
        {
            "greeting": env.get("GREETING"),
            "secretIsSet": bool(secret),
            "secretLength": len(secret),
            "query": call.get("query") or {},
            "body": None,
            "hasApiUrl": True,
        }
    )
    return out


ROUTE_HANDLERS = {"/hello-sync": hello_sync}
