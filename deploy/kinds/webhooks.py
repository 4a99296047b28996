"""Outbound webhooks (apps/webhooks.yaml). Ours carry `[twenty-gcp:webhook:<name>]` in their
description; anything else is never touched. The signing secret comes from Secret Manager and
wins over the live one (Twenty shows webhook secrets in clear, so a difference is visible)."""

from __future__ import annotations

from typing import Any

from deploy.engine import (
    DeployContext,
    Item,
    describe_changes,
    field_changes,
    marker,
    secrets_missing,
    with_marker,
)
from deploy.manifests import WebhookManifest
from twenty_api.webhooks import UPDATE_WEBHOOK

KIND = "webhooks"
HIDDEN = frozenset({"secret"})
OWN_PREFIX = "[twenty-gcp:webhook:"


def _owner(live: dict[str, Any], names: set[str]) -> str | None:
    desc = live.get("description") or ""
    for name in names:
        if marker("webhook", name) in desc:
            return name
    if OWN_PREFIX in desc:
        return desc.split(OWN_PREFIX, 1)[1].split("]", 1)[0]
    return None


class Webhooks:
    name = KIND

    async def plan(self, ctx: DeployContext) -> list[Item]:
        live = await ctx.gw.list_webhooks()
        wanted = {h.name: h for h in ctx.manifests.webhooks}
        owned: dict[str, dict[str, Any]] = {}
        for hook in live:
            if hook.get("deletedAt"):
                continue
            name = _owner(hook, set(wanted))
            if name:
                owned.setdefault(name, hook)
        items = []
        for h in ctx.manifests.webhooks:
            missing = secrets_missing(ctx, [h.secret] if h.secret else [])
            items.append(Item(KIND, h.name, "blocked", missing) if missing
                         else self._item(ctx, h, owned.get(h.name)))
        items += [Item(KIND, name, "orphaned", [f"{hook.get('targetUrl')} is ours but no longer in "
                                                 "webhooks.yaml; left in place (delete it in Settings)"])
                  for name, hook in owned.items() if name not in wanted]
        return items

    def _desired(self, ctx: DeployContext, hook: WebhookManifest) -> dict[str, Any]:
        secret = ctx.secrets.get(hook.secret) if hook.secret else None
        body = hook.create_input(ctx.stack, secret)
        body["description"] = with_marker(body.get("description"), marker("webhook", hook.name))
        return body

    def _item(self, ctx: DeployContext, hook: WebhookManifest, live: dict[str, Any] | None) -> Item:
        desired = self._desired(ctx, hook)
        if live is None:
            async def create() -> list[str]:
                made = await ctx.gw.create_webhook(desired)
                return [f"id {made.get('id')}"]

            lines = [f"targetUrl: {desired['targetUrl']}", f"operations: {', '.join(desired['operations'])}"]
            return Item(KIND, hook.name, "create", lines, create, calls=["POST /rest/metadata/webhooks"])
        cmp_live = {**live, "operations": sorted(live.get("operations") or [])}
        cmp_desired = {**desired, "operations": sorted(desired["operations"])}
        changed = field_changes(cmp_live, cmp_desired)
        if not changed:
            return Item(KIND, hook.name, "unchanged")
        update = {k: desired[k] for k in changed}

        async def patch() -> list[str]:
            await ctx.gw.write(UPDATE_WEBHOOK, {"input": {"id": live["id"], "update": update}})
            return []

        return Item(KIND, hook.name, "update", describe_changes(cmp_live, changed, HIDDEN), patch,
                    calls=["updateWebhook"])
