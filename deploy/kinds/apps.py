"""Twenty apps (apps/apps.yaml → each built twenty-sdk app), deployed with the 2.21 app-sync
protocol (shared/twenty-api/app-sync/NOTES.md):

plan  = `syncApplication(manifest, dryRun: true)`: `actions: []` means Twenty's metadata — built
        handler and package.json checksums included — already matches, so uploads and the sync
        are skipped (the CLI re-uploads everything every time);
apply = registration (find, else create) → `createDevelopmentApplication` (idempotent) → one
        `uploadApplicationFile` per built file, in parallel → `syncApplication`.

Application variables: a secret variable listed in apps.yaml is seeded from Secret Manager only
while it has no value in the workspace. Once set, the workspace value wins (an admin may have
rotated it in Settings → Apps); `--rotate-secrets` pushes Secret Manager's value over it. Plain
variables keep the manifest's initial value and whatever an admin sets later (Twenty keeps it
across syncs). The diff shows each of these cases.
"""

from __future__ import annotations

from functools import partial
from typing import Any

import anyio

from deploy.appbuild import BuildMissing, BuiltApp, load_built_app
from deploy.engine import DeployContext, Item, gather, secrets_missing
from deploy.manifests import AppEntry
from twenty_api import applications as api
from twenty_api.applications import ALREADY_CLAIMED

KIND = "apps"


def object_name_conflicts(manifest: dict[str, Any], live: list[dict[str, Any]]) -> list[str]:
    """Objects the app creates whose name the workspace already uses for another object. 2.21 would
    fail the whole sync with a database error (`type "_websiteLead_status_enum" already exists`,
    seen on a live 2.21.0 after someone had created a custom `websiteLead`); say it up front."""
    problems = []
    for obj in manifest.get("objects") or []:
        uid = obj.get("universalIdentifier")
        for other in live:
            same = {obj.get("nameSingular"), obj.get("namePlural")} & {other.get("nameSingular"),
                                                                      other.get("namePlural")}
            if same - {None} and other.get("universalIdentifier") != uid:
                problems.append(f"object `{obj.get('nameSingular')}`: the workspace already has an object "
                                f"named `{other.get('nameSingular')}` that is not this app's "
                                f"(id {other.get('id')}); rename or remove that object, then deploy again")
    return problems


def _claimed(err: Exception) -> bool:
    text = " ".join([str(getattr(err, "code", "") or ""), *getattr(err, "messages", []), str(err)])
    return ALREADY_CLAIMED in text or "already claimed" in text


def _action_line(a: dict[str, Any]) -> str:
    ent = a.get("flatEntity") or {}
    what = ent.get("name") or a.get("universalIdentifier") or ent.get("universalIdentifier") or "?"
    extra = f" {sorted((a.get('update') or {}).keys())}" if a.get("update") else ""
    return f"{a.get('type')} {a.get('metadataName')} {what}{extra}"


class Apps:
    name = KIND

    async def plan(self, ctx: DeployContext) -> list[Item]:
        edges = (await ctx.gw.read(api.OBJECT_NAMES) or {}).get("edges") or []
        live_objects = [e["node"] for e in edges if isinstance(e, dict) and e.get("node")]
        return await gather(ctx.concurrency,
                            [partial(self._plan_one, ctx, e, live_objects) for e in ctx.manifests.apps])

    async def _plan_one(self, ctx: DeployContext, entry: AppEntry,
                        live_objects: list[dict[str, Any]] | None = None) -> Item:
        try:
            built = load_built_app(entry.name, ctx.app_output(ctx.manifests.app_path(entry)))
        except BuildMissing as e:
            return Item(KIND, entry.name, "blocked", [str(e)])
        problems = built.checksum_problems()
        if problems:
            return Item(KIND, entry.name, "blocked", problems)
        taken = object_name_conflicts(built.manifest, live_objects or [])
        if taken:
            return Item(KIND, entry.name, "conflict", taken)
        return await self._item(ctx, entry, built)

    async def _live_app(self, ctx: DeployContext, built: BuiltApp) -> dict[str, Any] | None:
        try:
            return await ctx.gw.read(api.FIND_APPLICATION,
                                     {"universalIdentifier": built.universal_identifier})
        except Exception as e:  # 2.21 answers a GraphQL NOT_FOUND error for an unknown app
            if "NOT_FOUND" in str(getattr(e, "code", "")) or "not found" in str(e).lower():
                return None
            raise

    async def _item(self, ctx: DeployContext, entry: AppEntry, built: BuiltApp) -> Item:
        plan = await ctx.gw.plan(api.PLAN_APPLICATION_SYNC, {"manifest": built.manifest, "dryRun": True})
        actions = list((plan or {}).get("actions") or [])
        live = await self._live_app(ctx, built)
        var_lines, to_set = self._variables(ctx, entry, built, live)
        setting_lines, plain_set = self._settings(ctx, entry, built, live)
        var_lines += setting_lines
        missing = secrets_missing(ctx, [secret for _, secret in to_set])
        if missing:
            return Item(KIND, entry.name, "blocked", [*var_lines, *missing])
        routes = [f"route {m} {ctx.server_url.rstrip('/')}/s{p}  ({fn})" for fn, m, p in built.routes()]
        needs_sync = bool(actions) or live is None
        if not needs_sync and not to_set and not plain_set:
            item = Item(KIND, entry.name, "unchanged", var_lines)
            item.notes += routes
            return item
        lines = ([f"files: upload {len(built.files)}"] + [_action_line(a) for a in actions]
                 if needs_sync else []) + var_lines

        values = {secret: ctx.secrets.get(secret) for _, secret in to_set}  # checked above

        async def apply() -> list[str]:
            app_id = live.get("id") if live else None
            if needs_sync:
                app_id = await self._sync(ctx, built)
            for key, secret in to_set:
                value = values[secret]
                await ctx.gw.write(api.SET_APPLICATION_VARIABLE,
                                   {"key": key, "value": value, "applicationId": app_id})
            for key, value in plain_set:
                await ctx.gw.write(api.SET_APPLICATION_VARIABLE,
                                   {"key": key, "value": value, "applicationId": app_id})
            return []

        calls = (["createApplicationRegistration (if none)", "createDevelopmentApplication",
                  f"uploadApplicationFile ×{len(built.files)}", "syncApplication"] if needs_sync else [])
        calls += [f"updateOneApplicationVariable {key}" for key, _ in [*to_set, *plain_set]]
        item = Item(KIND, entry.name, "create" if live is None else "update", lines, apply, calls=calls)
        item.notes += routes
        return item

    def _variables(self, ctx: DeployContext, entry: AppEntry, built: BuiltApp,
                   live: dict[str, Any] | None) -> tuple[list[str], list[tuple[str, str]]]:
        live_vars = {v.get("key"): v for v in (live or {}).get("applicationVariables") or []}
        lines: list[str] = []
        to_set: list[tuple[str, str]] = []
        for key, secret in sorted(entry.secrets.items()):
            if key not in built.variables:
                lines.append(f"variable {key}: apps.yaml maps it to {secret} but the app does not declare it")
                continue
            current = (live_vars.get(key) or {}).get("value")
            if not current:
                lines.append(f"variable {key}: set from Secret Manager `{secret}`")
                to_set.append((key, secret))
            elif ctx.rotate_secrets:
                lines.append(f"variable {key}: overwrite the workspace value with `{secret}` "
                             "(--rotate-secrets)")
                to_set.append((key, secret))
            else:
                lines.append(f"variable {key}: keeps the workspace value (set; --rotate-secrets "
                             f"pushes `{secret}`)")
        for key, spec in sorted(built.variables.items()):
            if key in entry.settings:  # the stack sets it every deploy (_settings), not an admin
                continue
            if key in entry.secrets or spec.get("isSecret"):
                if spec.get("isSecret") and key not in entry.secrets:
                    lines.append(f"variable {key}: secret with no Secret Manager mapping in apps.yaml; "
                                 "set it in Settings → Apps")
                continue
            current = (live_vars.get(key) or {}).get("value")
            default = spec.get("value")
            if live is not None and current is not None and default is not None and current != default:
                lines.append(f"variable {key}: admin value {current!r} kept (manifest default {default!r})")
        return lines, to_set

    def _settings(self, ctx: DeployContext, entry: AppEntry, built: BuiltApp,
                  live: dict[str, Any] | None) -> tuple[list[str], list[tuple[str, str]]]:
        """Plain variables deploy keeps set from the stack (apps.yaml `settings`), e.g. the AI apps'
        AI_BASE_URL / AI_MODEL from the same settings that configure Twenty's own AI provider."""
        from deploy.manifests import resolve_stack_refs

        live_vars = {v.get("key"): v for v in (live or {}).get("applicationVariables") or []}
        lines: list[str] = []
        to_set: list[tuple[str, str]] = []
        for key, template in sorted(entry.settings.items()):
            if key not in built.variables:
                lines.append(f"variable {key}: apps.yaml sets it but the app does not declare it")
                continue
            try:
                value = resolve_stack_refs(template, ctx.stack)
            except KeyError as e:
                lines.append(f"variable {key}: left as it is ({e.args[0]})")
                continue
            current = (live_vars.get(key) or {}).get("value")
            if current is None:
                current = built.variables[key].get("value")  # what the sync will create
            if current != value or live is None:
                lines.append(f"variable {key}: {current!r} → {value!r} (stack)")
                to_set.append((key, value))
        return lines, to_set

    async def _sync(self, ctx: DeployContext, built: BuiltApp) -> str:
        gw, uid = ctx.gw, built.universal_identifier
        found = None
        try:
            found = await gw.read(api.FIND_REGISTRATION, {"universalIdentifier": uid})
        except Exception as e:
            if "NOT_FOUND" not in str(getattr(e, "code", "")) and "not found" not in str(e).lower():
                raise
        if not found:
            try:
                await gw.write(api.CREATE_REGISTRATION,
                               {"input": {"name": built.display_name, "universalIdentifier": uid}})
            except Exception as e:  # a run killed after this call: the registration is ours already
                if not _claimed(e):
                    raise
        app = await gw.write(api.CREATE_DEVELOPMENT_APPLICATION,
                             {"universalIdentifier": uid, "name": built.display_name})
        app_id = str(app["id"])
        limiter = anyio.CapacityLimiter(4)

        async def upload(f: Any) -> None:
            async with limiter:
                await gw.upload({"file": None, "applicationUniversalIdentifier": uid, "filePath": f.path,
                                 "fileFolder": f.folder}, f.local.name, f.local.read_bytes(), f.content_type)

        async with anyio.create_task_group() as tg:
            for f in built.files:
                tg.start_soon(upload, f)
        await gw.write(api.SYNC_APPLICATION, {"manifest": built.manifest})
        return app_id
