"""The apps build with the twenty-sdk tooling into what Twenty 2.21 accepted (app-sync capture), and
the apps index agrees with what each app declares."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from deploy.manifests import load_manifests, validate_cron
from tests.fake_twenty import contract_data

REPO = Path(__file__).resolve().parents[2]
APPS = REPO / "apps"
TWENTY_CLI = APPS / "node_modules" / ".bin" / "twenty"

needs_sdk = pytest.mark.skipif(
    shutil.which("node") is None or not TWENTY_CLI.exists(),
    reason="needs Node ^24.5 and the apps' node modules (run `npm ci` in apps/; `inv test` does it)",
)


def _node_env() -> dict[str, str]:
    """twenty-sdk 2.23 needs Node ^24.5: the cached one (tooling/node.py) when the machine's is older."""
    from tooling.node import NodeMissing, node_env

    try:
        return node_env(install=False)
    except NodeMissing as err:
        pytest.skip(str(err))


def _captured_manifest() -> dict:
    return contract_data.load_json("app-sync/manifest.json")["manifest"]


@pytest.fixture(scope="module")
def built_ai_automations(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if shutil.which("node") is None or not TWENTY_CLI.exists():
        pytest.skip("needs Node ^24.5 and the apps' node modules (run `npm ci` in apps/; `inv test` does it)")
    app = APPS / "ai-automations"
    home = tmp_path_factory.mktemp("home")  # the CLI reads remotes from $HOME/.twenty: keep it empty
    result = subprocess.run(
        [str(TWENTY_CLI), "dev:build", "."],
        cwd=app,
        env={**os.environ, **_node_env(), "HOME": str(home)},
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert result.returncode == 0 and "Build succeeded" in result.stdout, result.stdout + result.stderr
    return app / ".twenty" / "output"


@needs_sdk
def test_built_manifest_has_the_accepted_shape(built_ai_automations: Path) -> None:
    captured = _captured_manifest()
    built = json.loads((built_ai_automations / "manifest.json").read_text())
    assert list(built) == list(captured)
    # aboutDescription comes from the app's README.md; 2.21 reads manifest.application.aboutDescription
    # (2-19 upgrade command backfilling applicationRegistration.aboutDescription, 6f3c158).
    assert set(built["application"]) - set(captured["application"]) <= {"aboutDescription"}
    assert set(captured["application"]) <= set(built["application"])
    fn_keys = set(captured["logicFunctions"][0]) - {"httpRouteTriggerSettings"}
    for fn in built["logicFunctions"]:
        assert fn_keys <= set(fn), fn["name"]
        assert fn["handlerName"] == "default.config.handler"
        triggers = [k for k in fn if k.endswith("TriggerSettings")]
        assert len(triggers) == 1, fn["name"]
        bundle = built_ai_automations / fn["builtHandlerPath"]
        # Twenty checks the md5 of every uploaded bundle against the manifest (app-sync NOTES).
        assert hashlib.md5(bundle.read_bytes()).hexdigest() == fn["builtHandlerChecksum"]
        assert "@twenty-gcp/apps-shared" not in bundle.read_text(), "shared code must be bundled in"
    package_json = (built_ai_automations / "package.json").read_bytes()
    assert hashlib.md5(package_json).hexdigest() == built["application"]["packageJsonChecksum"]
    assert captured["roles"][0].keys() == built["roles"][0].keys()
    [role] = built["roles"]
    assert role["canUpdateAllObjectRecords"] is False and role["canDestroyAllObjectRecords"] is False
    assert {p["canDestroyObjectRecords"] for p in role["objectPermissions"]} == {False}
    keys = {"universalIdentifier", "objectUniversalIdentifier"}
    assert all(set(p) >= keys for p in role["objectPermissions"])


@needs_sdk
def test_built_crons_and_variables(built_ai_automations: Path) -> None:
    built = json.loads((built_ai_automations / "manifest.json").read_text())
    crons = {
        fn["name"]: fn["cronTriggerSettings"]["pattern"]
        for fn in built["logicFunctions"]
        if "cronTriggerSettings" in fn
    }
    assert crons == {
        "daily-activity-summary": "0 8 * * *",
        "calendar-sync-refresh": "*/30 9-18 * * 1-5",
        "messaging-sync-refresh": "*/15 8-19 * * 1-5",
    }
    for pattern in crons.values():
        validate_cron(pattern)
    variables = built["application"]["applicationVariables"]
    secrets = {k for k, v in variables.items() if v.get("isSecret")}
    assert secrets == {"AI_API_KEY", "ENRICHMENT_API_KEY"}
    assert all("value" not in variables[k] for k in secrets), "secret values never live in the repo"


VAR_RE = re.compile(r"^    ([A-Z][A-Z0-9_]*): \{\n(?P<body>(?:      .*\n)+?)    \},", re.MULTILINE)


def _declared_variables(app_dir: Path) -> dict[str, bool]:
    text = (app_dir / "src" / "application-config.ts").read_text()
    return {m.group(1): "isSecret: true" in m.group("body") for m in VAR_RE.finditer(text)}


def test_apps_index_matches_each_apps_secret_variables() -> None:
    manifests = load_manifests(APPS)
    workspace = json.loads((APPS / "package.json").read_text())["workspaces"]
    # the apps' own library is a workspace too (the one every app imports), not an app
    name = {w: json.loads((APPS / w / "package.json").read_text())["name"] for w in workspace}
    (library,) = [w for w, n in name.items() if n == "@twenty-gcp/apps-shared"]
    apps = [w for w in workspace if w != library]
    assert sorted(a.path for a in manifests.apps) == sorted(apps)
    for app in manifests.apps:
        declared = _declared_variables(APPS / app.path)
        assert declared, f"{app.name}: no applicationVariables found"
        secrets = {k for k, is_secret in declared.items() if is_secret}
        assert set(app.secrets) == secrets, f"{app.name}: index {sorted(app.secrets)} != {sorted(secrets)}"


def test_cron_schedules_declared_in_the_apps_are_valid() -> None:
    pattern_re = re.compile(r"cronTriggerSettings: \{ pattern: ([A-Z_]+|'[^']+') \}")
    found = {}
    for source in APPS.glob("*/src/logic-functions/*.ts"):
        text = source.read_text()
        match = pattern_re.search(text)
        if not match:
            continue
        value = match.group(1)
        if not value.startswith("'"):
            value = re.search(rf"{value} = ('[^']+')", text).group(1)
        found[f"{source.parts[-4]}/{source.stem}"] = validate_cron(value.strip("'"))
    assert found == {
        "activity-summary/summarise-activity": "0 7 * * *",
        "ai-automations/calendar-sync-refresh": "*/30 9-18 * * 1-5",
        "ai-automations/daily-activity-summary": "0 8 * * *",
        "ai-automations/messaging-sync-refresh": "*/15 8-19 * * 1-5",
        "deal-intelligence/churn-risk-nightly": "45 3 * * *",
        "deal-intelligence/win-probability-nightly": "15 3 * * *",
        "deal-intelligence/next-best-action-nightly": "15 4 * * *",
        "last-email-interaction/daily-interaction-refresh": "0 5 * * *",
        "rollup-engine/rollup-nightly": "0 2 * * *",
        "webmetic/webmetic-hourly-sync": "0 * * * *",
    }


def test_no_secret_values_in_apps_tree() -> None:
    # Secret variables are declared without a value; nothing that looks like a provider key is committed.
    suspicious = re.compile(r"(sk_live_|sk-[A-Za-z0-9]{20,}|whsec_[A-Za-z0-9]{20,}|[0-9a-f]{32}-us\d+)")
    for path in APPS.rglob("*"):
        if "node_modules" in path.parts or ".twenty" in path.parts or not path.is_file():
            continue
        if path.suffix in {".ts", ".json", ".yaml", ".md"} and path.name != "package-lock.json":
            assert not suspicious.search(path.read_text()), path
    data = yaml.safe_load((APPS / "apps.yaml").read_text())
    names = [s for a in data["apps"] for s in a.get("secrets", {}).values()]
    assert all(re.fullmatch(r"[A-Za-z0-9_-]+", s) for s in names)


@needs_sdk
def test_routes_of_a_built_app(built_ai_automations: Path) -> None:
    manifests = load_manifests(APPS)
    app = next(a for a in manifests.apps if a.name == "ai-automations")
    assert manifests.built_manifest(app) is not None
    assert manifests.routes(app) == []  # cron + database-event functions only
    stripe = next(a for a in manifests.apps if a.name == "stripe-synchronizer")
    if manifests.built_manifest(stripe) is not None:
        assert manifests.routes(stripe) == [("POST", "/s/stripe-webhook")]


@needs_sdk
def test_built_bundle_runs_on_its_own(built_ai_automations: Path, tmp_path: Path) -> None:
    """Twenty's LOCAL driver imports the bundle and calls default.config.handler: the bundle must
    need nothing outside itself (the shared package is inlined, twenty-sdk/define is stubbed)."""
    bundle = built_ai_automations / "src" / "logic-functions" / "messaging-sync-refresh.mjs"
    copy = tmp_path / "fn.mjs"  # outside the workspace: no node_modules to fall back on
    copy.write_bytes(bundle.read_bytes())
    script = (
        f"const m = await import({json.dumps(str(copy))});"
        "try { await m.default.config.handler({}); console.log('no error'); }"
        "catch (e) { console.log(e.name + ': ' + e.message); }"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("TWENTY_")}
    result = subprocess.run(
        ["node", "--input-type=module", "-e", script],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        cwd=tmp_path,
        env=env,
    )
    assert result.returncode == 0, result.stderr
    assert "ConfigError: TWENTY_API_URL and TWENTY_APP_ACCESS_TOKEN are not set" in result.stdout


@needs_sdk
def test_apps_build_from_the_repository_root_into_their_own_output(tmp_path: Path) -> None:
    """`npm run build --prefix apps` from the repository root (as `inv deploy` runs it): twenty-sdk
    2.23 resolved `dev:build .` against npm's INIT_CWD and built the repository root instead."""
    app = APPS / "rollup-engine"
    manifest = app / ".twenty" / "output" / "manifest.json"
    strays = [REPO / ".twenty", APPS / ".twenty"]
    before = {p: p.stat().st_mtime if p.exists() else None for p in [manifest, *strays]}
    result = subprocess.run(
        ["npm", "run", "build", "--prefix", "apps", "--", "rollup-engine"],
        cwd=REPO,
        env={**os.environ, "HOME": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "ok   rollup-engine" in result.stdout
    assert manifest.is_file() and manifest.stat().st_mtime != before[manifest]
    built = json.loads(manifest.read_text())
    assert built["application"]["displayName"] == "Rollup engine"  # this app's manifest, not the root's
    for stray in strays:  # nothing was built outside the app
        assert (stray.stat().st_mtime if stray.exists() else None) == before[stray], stray
