"""Pulumi Automation API wrapper: preview, up, destroy, outputs and remove for a named stack.

The Automation API drives the Pulumi CLI, so every entry point first runs `preflight()`, which
checks (without network) that the CLI is installed, that Google Cloud credentials are present
and that the state backend and secrets provider are usable, and raises one `PreconditionError`
listing every problem with the exact command that fixes it.

Settings (environment):
- `PULUMI_BACKEND_URL`: `file://<dir>` or `gs://<bucket>[/prefix]`. Default: `file://<repo>/.pulumi-local`.
- `PULUMI_SECRETS_PROVIDER`: `passphrase` (default; needs `PULUMI_CONFIG_PASSPHRASE` or
  `PULUMI_CONFIG_PASSPHRASE_FILE`) or `gcpkms://projects/P/locations/L/keyRings/R/cryptoKeys/K`.
- `TWENTY_GCP_SECRET_<KEY>`: the value of a `secure:` stack setting that the stack file cannot
  supply (a placeholder, or a stack derived from an example), e.g. `twenty-gcp:googleClientSecret`
  → `TWENTY_GCP_SECRET_GOOGLE_CLIENT_SECRET`. See `secret_env_var()`.

Stacks: `staging` and `prod` use `Pulumi.<stack>.yaml`. Any other name derives from the example
its name starts with (`staging-42` → `Pulumi.staging.yaml`): its plain settings are copied and its
`secure:` settings are read from `TWENTY_GCP_SECRET_*` (ciphertext is bound to one stack's key).
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from infra.problems import REPO_ROOT, PreconditionError

if TYPE_CHECKING:
    from pulumi import automation as auto

DEFAULT_BACKEND_URL = f"file://{REPO_ROOT / '.pulumi-local'}"  # /.pulumi-local/ is git-ignored
EXAMPLE_STACKS = ("staging", "prod")
SECRET_ENV_PREFIX = "TWENTY_GCP_SECRET_"  # noqa: S105  (an env var name prefix, not a secret)
_STACK_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")
_KMS_URL = re.compile(r"^gcpkms://projects/[^/]+/locations/[^/]+/keyRings/[^/]+/cryptoKeys/[^/]+$")
_GS_URL = re.compile(r"^gs://[a-z0-9][a-z0-9._-]{1,220}[a-z0-9](/.*)?$")

PULUMI_INSTALL_HELP = (
    "The Pulumi CLI is not installed (no `pulumi` on PATH, none in ~/.pulumi/bin); the Automation "
    "API runs it. Install it, then check with `pulumi version`:\n"
    "    curl -fsSL https://get.pulumi.com | sh     # Linux/macOS; then add ~/.pulumi/bin to PATH\n"
    "    brew install pulumi/tap/pulumi             # macOS with Homebrew\n"
    "    GitHub Actions: a step `uses: pulumi/actions@v6` (no `command:`) installs it"
)
GCP_CREDENTIALS_HELP = (
    "No Google Cloud credentials found. Provide Application Default Credentials, one of:\n"
    "    gcloud auth application-default login                        # a person, locally\n"
    "    export GOOGLE_APPLICATION_CREDENTIALS=/path/to/credentials.json  # a key or WIF config file\n"
    "    GitHub Actions: google-github-actions/auth@v2 with workload_identity_provider + "
    "service_account (docs/staging.md)"
)


class AutomationError(RuntimeError):
    """A stack operation failed; the message says what and how to fix it."""


@dataclass(frozen=True)
class Backend:
    url: str
    secrets_provider: str  # "passphrase" or a gcpkms:// key URL


@dataclass(frozen=True)
class Preflight:
    cli: Path
    credentials: str  # where the credentials come from (never their content)
    backend: Backend


@dataclass(frozen=True)
class ConfigEntry:
    value: str
    secret: bool


# ---------------------------------------------------------------- preconditions


def find_pulumi_cli(env: Mapping[str, str] | None = None, home: Path | None = None) -> Path | None:
    env = os.environ if env is None else env
    on_path = shutil.which("pulumi", path=env.get("PATH", ""))
    if on_path:
        return Path(on_path)
    home = Path(env.get("HOME", "~")).expanduser() if home is None else home
    installed = home / ".pulumi" / "bin" / "pulumi"  # where get.pulumi.com installs it
    return installed if installed.is_file() and os.access(installed, os.X_OK) else None


def find_gcp_credentials(env: Mapping[str, str] | None = None, home: Path | None = None) -> str | None:
    """Where Application Default Credentials would come from, or None. No network is used."""
    env = os.environ if env is None else env
    for var in ("GOOGLE_APPLICATION_CREDENTIALS", "CLOUDSDK_AUTH_CREDENTIAL_FILE_OVERRIDE"):
        if env.get(var) and Path(env[var]).is_file():
            return f"${var}"
    for var in ("GOOGLE_CREDENTIALS", "GOOGLE_OAUTH_ACCESS_TOKEN", "CLOUDSDK_AUTH_ACCESS_TOKEN"):
        if env.get(var):
            return f"${var}"
    home = Path(env.get("HOME", "~")).expanduser() if home is None else home
    config_dir = Path(env["CLOUDSDK_CONFIG"]) if env.get("CLOUDSDK_CONFIG") else home / ".config" / "gcloud"
    adc = config_dir / "application_default_credentials.json"
    if adc.is_file():
        return str(adc)
    product = Path("/sys/class/dmi/id/product_name")  # GCE VMs answer from the metadata server
    if product.is_file() and "Google" in product.read_text(errors="ignore"):
        return "the Compute Engine metadata server"
    return None


def _credentials_problem(env: Mapping[str, str]) -> str:
    for var in ("GOOGLE_APPLICATION_CREDENTIALS", "CLOUDSDK_AUTH_CREDENTIAL_FILE_OVERRIDE"):
        if env.get(var) and not Path(env[var]).is_file():
            return f"{var} is set to {env[var]!r}, which is not a file.\n{GCP_CREDENTIALS_HELP}"
    return GCP_CREDENTIALS_HELP


def backend_from_env(env: Mapping[str, str] | None = None) -> tuple[Backend, list[str]]:
    env = os.environ if env is None else env
    problems: list[str] = []
    url = env.get("PULUMI_BACKEND_URL") or DEFAULT_BACKEND_URL
    if not (url.startswith("file://") or _GS_URL.match(url)):
        problems.append(
            f"PULUMI_BACKEND_URL={url!r} is not a supported state backend. Use a local directory "
            "(`file:///abs/path` or `file://~/.pulumi-state`) or a GCS bucket (`gs://my-pulumi-state`)."
        )
    provider = env.get("PULUMI_SECRETS_PROVIDER") or "passphrase"
    if provider == "passphrase":
        passfile = env.get("PULUMI_CONFIG_PASSPHRASE_FILE")
        if passfile and not Path(passfile).is_file():
            problems.append(f"PULUMI_CONFIG_PASSPHRASE_FILE={passfile!r} is not a file.")
        elif "PULUMI_CONFIG_PASSPHRASE" not in env and not passfile:
            problems.append(
                "The passphrase secrets provider needs its passphrase: `export PULUMI_CONFIG_PASSPHRASE=...` "
                "(or PULUMI_CONFIG_PASSPHRASE_FILE=/path), or use Cloud KMS: `export "
                "PULUMI_SECRETS_PROVIDER=gcpkms://projects/P/locations/L/keyRings/R/cryptoKeys/K`."
            )
    elif not _KMS_URL.match(provider):
        problems.append(
            f"PULUMI_SECRETS_PROVIDER={provider!r} is not supported. Use `passphrase` or "
            "`gcpkms://projects/P/locations/L/keyRings/R/cryptoKeys/K`."
        )
    return Backend(url=url, secrets_provider=provider), problems


def preflight(env: Mapping[str, str] | None = None, home: Path | None = None) -> Preflight:
    """Check everything the Automation API needs; raise one error listing every problem."""
    env = os.environ if env is None else env
    problems: list[str] = []
    cli = find_pulumi_cli(env, home)
    if cli is None:
        problems.append(PULUMI_INSTALL_HELP)
    credentials = find_gcp_credentials(env, home)
    if credentials is None:
        problems.append(_credentials_problem(env))
    backend, backend_problems = backend_from_env(env)
    problems += backend_problems
    if problems:
        raise PreconditionError("pulumi", problems)
    assert cli is not None and credentials is not None
    return Preflight(cli=cli, credentials=credentials, backend=backend)


# ---------------------------------------------------------------- stack config


def project_name(root: Path = REPO_ROOT) -> str:
    return str(yaml.safe_load((root / "Pulumi.yaml").read_text())["name"])


def validate_stack_name(stack: str) -> None:
    if not _STACK_NAME.match(stack):
        raise AutomationError(
            f"stack name {stack!r} is not valid: use letters, digits, '.', '_' or '-' (e.g. staging-42)."
        )


def example_for(stack: str, root: Path = REPO_ROOT) -> Path:
    """The stack file a stack is configured from: its own, else the example its name starts with."""
    validate_stack_name(stack)
    own = root / f"Pulumi.{stack}.yaml"
    if own.is_file():
        return own
    for base in EXAMPLE_STACKS:
        if stack.startswith(f"{base}-") or stack == base:
            example = root / f"Pulumi.{base}.yaml"
            if example.is_file():
                return example
            raise AutomationError(f"stack {stack!r} derives from {example.name}, which does not exist.")
    raise AutomationError(
        f"no configuration for stack {stack!r}: write Pulumi.{stack}.yaml or name the stack "
        f"after an example ({', '.join(f'{b}-<name>' for b in EXAMPLE_STACKS)})."
    )


def secret_env_var(key: str, project: str) -> str:
    """`twenty-gcp:googleClientSecret` → `TWENTY_GCP_SECRET_GOOGLE_CLIENT_SECRET`."""
    namespace, _, name = key.rpartition(":")
    snake = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name)
    if namespace and namespace != project:
        snake = f"{namespace}_{snake}"
    return SECRET_ENV_PREFIX + re.sub(r"[^A-Za-z0-9]+", "_", snake).upper()


def _is_placeholder(ciphertext: str) -> bool:
    return "REPLACE" in ciphertext.upper() or "<" in ciphertext


def _plain(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list):
        import json

        return json.dumps(value)
    return str(value)


def config_to_set(
    stack: str, env: Mapping[str, str] | None = None, root: Path = REPO_ROOT, *, new_stack: bool = True
) -> dict[str, ConfigEntry]:
    """Settings the stack still needs written (values never logged).

    A stack with its own file keeps it; only placeholder `secure:` values are filled from env.
    A derived stack, when new, gets every plain setting of its example plus every `secure:` one
    from env; once it exists its own (generated) file holds them.
    """
    env = os.environ if env is None else env
    source = example_for(stack, root)
    derived = source.name != f"Pulumi.{stack}.yaml"
    if derived and not new_stack:
        return {}
    project = project_name(root)
    raw = yaml.safe_load(source.read_text()) or {}
    entries: dict[str, ConfigEntry] = {}
    missing: dict[str, str] = {}
    for key, value in (raw.get("config") or {}).items():
        full_key = key if ":" in key else f"{project}:{key}"
        if isinstance(value, dict) and set(value) == {"secure"}:
            if not derived and not _is_placeholder(str(value["secure"])):
                continue
            var = secret_env_var(full_key, project)
            if env.get(var):
                entries[full_key] = ConfigEntry(env[var], secret=True)
            else:
                missing[full_key] = (
                    f"`{full_key}` (secure) has no value for stack {stack!r}: `export {var}=...` "
                    f"or `pulumi config set --secret {full_key} --stack {stack}`"
                )
        elif derived:
            entries[full_key] = ConfigEntry(_plain(value), secret=False)
    present = {k if ":" in k else f"{project}:{k}" for k in (raw.get("config") or {})}
    for full_key, required in _user_secrets(raw.get("config") or {}, stack):
        if full_key in entries or full_key in missing or (full_key in present and not derived):
            continue
        var = secret_env_var(full_key, project)
        if env.get(var):
            entries[full_key] = ConfigEntry(env[var], secret=True)
        elif required:
            missing[full_key] = (
                f"`{full_key}` (secret) is required by stack {stack!r}'s settings: `export {var}=...` "
                f"or `pulumi config set --secret {full_key} --stack {stack}`"
            )
    if missing:
        raise PreconditionError(f"stack {stack}", list(missing.values()))
    if derived:
        # A throwaway stage.test stack signs its own first user up over the public URL within minutes
        # of `up` (twenty_api/workspace_setup.py), so it is public from the start; named stacks stay private
        # until the operator has created the first workspace (docs/infra.md, "First workspace").
        entries[f"{project}:workspaceBootstrapped"] = ConfigEntry("true", secret=False)
    return entries


def _user_secrets(config: Mapping[str, Any], stack: str) -> list[tuple[str, bool]]:
    """(key, required) for the secrets the user supplies, as the infra program's config declares them."""
    try:
        from infra.config import (
            PROJECT_NAMESPACE,
            USER_SECRET_KEYS,
            parse_stack_config,
            required_user_secrets,
        )
    except ImportError:  # the program's config module is the source of truth; without it, ask for none
        return []
    try:
        required = set(required_user_secrets(parse_stack_config(dict(config), stack)))
    except Exception as err:  # a bad stack file: say so now rather than half-way through `up`
        raise AutomationError(f"the settings of stack {stack!r} are invalid: {err}") from err
    return [(f"{PROJECT_NAMESPACE}:{key}", key in required) for key in USER_SECRET_KEYS]


# ---------------------------------------------------------------- stack operations


def open_stack(
    stack: str,
    env: Mapping[str, str] | None = None,
    *,
    configure: bool = True,
    overrides: Mapping[str, str] | None = None,
) -> auto.Stack:
    """Select `stack` on the configured backend, or create it with its config written.

    The config is resolved before anything is created, so a missing secret stops at once.
    `overrides` are plain settings written over the example's (e.g. a stage stack's namePrefix).
    `configure=False` (outputs, destroy, remove) leaves an existing stack's config alone.
    """
    from pulumi import automation as auto

    env = os.environ if env is None else env
    pre = preflight(env)
    validate_stack_name(stack)
    command = None
    if shutil.which("pulumi", path=env.get("PATH", "")) is None:
        command = auto.PulumiCommand(root=str(pre.cli.parent.parent))
    provider = pre.backend.secrets_provider
    if pre.backend.url.startswith("file://"):  # the CLI wants the state directory to exist
        Path(pre.backend.url.removeprefix("file://")).expanduser().mkdir(parents=True, exist_ok=True)
    opts = auto.LocalWorkspaceOptions(
        work_dir=str(REPO_ROOT),
        env_vars={"PULUMI_BACKEND_URL": pre.backend.url, "PULUMI_SKIP_UPDATE_CHECK": "true"},
        secrets_provider=None if provider == "passphrase" else provider,
        pulumi_command=command,
    )
    try:
        try:
            handle = auto.select_stack(stack_name=stack, work_dir=str(REPO_ROOT), opts=opts)
            entries = config_to_set(stack, env, new_stack=False) if configure else {}
        except auto.StackNotFoundError:
            if not configure:
                raise AutomationError(
                    f"stack {stack!r} does not exist on {pre.backend.url}: create it with "
                    f"`inv infra.up --stack {stack}` (or check PULUMI_BACKEND_URL)"
                ) from None
            entries = config_to_set(stack, env, new_stack=True)
            handle = auto.create_stack(stack_name=stack, work_dir=str(REPO_ROOT), opts=opts)
        for key, value in (overrides or {}).items() if configure else ():
            entries[key] = ConfigEntry(value, secret=False)
        if entries:
            handle.set_all_config({k: auto.ConfigValue(e.value, secret=e.secret) for k, e in entries.items()})
    except auto.CommandError as err:
        raise AutomationError(f"could not open stack {stack!r} on {pre.backend.url}: {err}") from err
    return handle


def _run(
    stack: str,
    what: str,
    fn: Callable[[auto.Stack], Any],
    *,
    configure: bool = False,
    overrides: Mapping[str, str] | None = None,
) -> Any:
    from pulumi import automation as auto

    handle = open_stack(stack, configure=configure, overrides=overrides)
    try:
        return fn(handle)
    except auto.ConcurrentUpdateError as err:
        raise AutomationError(
            f"{what} of {stack!r}: another update holds the lock. Wait for it, or if it died, "
            f"`pulumi cancel --stack {stack}`. ({err})"
        ) from err
    except auto.CommandError as err:
        raise AutomationError(f"{what} of stack {stack!r} failed: {err}") from err


def _values(raw: Mapping[str, Any]) -> dict[str, Any]:
    return {k: getattr(v, "value", v) for k, v in raw.items()}


def preview(
    stack: str, on_output: Callable[[str], Any] = print, config: Mapping[str, str] | None = None
) -> dict[str, int]:
    """`pulumi preview`: the planned changes, counted by operation."""
    result = _run(
        stack,
        "preview",
        lambda s: s.preview(on_output=on_output, diff=False),
        configure=True,
        overrides=config,
    )
    return {str(getattr(op, "value", op)): int(n) for op, n in (result.change_summary or {}).items()}


def up(
    stack: str, on_output: Callable[[str], Any] = print, config: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """`pulumi up`: deploy the stack; returns its outputs (values; secret ones included).

    `config`: plain settings written over the stack's before the update.
    """
    result = _run(
        stack, "up", lambda s: s.up(on_output=on_output, show_secrets=False), configure=True, overrides=config
    )
    return _values(result.outputs)


MCP_IMAGE_KEY = "twenty-gcp:mcpImage"


def mcp_service_urn(stack: str, service: str, root: Path = REPO_ROOT) -> str:
    """The URN of the MCP service (`service` is its name, which is also its logical name)."""
    kind = "twenty:infra:McpService$gcp:cloudrunv2/service:Service"
    return f"urn:pulumi:{stack}::{project_name(root)}::{kind}::{service}"


def usage_job_urn(stack: str, job: str, root: Path = REPO_ROOT) -> str:
    """The URN of the usage-dashboard Cloud Run job (its name is also its logical name)."""
    kind = "twenty:infra:UsageDashboard$gcp:cloudrunv2/job:Job"
    return f"urn:pulumi:{stack}::{project_name(root)}::{kind}::{job}"


def roll_mcp_image(
    stack: str,
    service: str,
    image: str,
    on_output: Callable[[str], Any] = print,
    jobs: Sequence[str] = (),
) -> None:
    """`inv mcp.deploy`: the MCP image has one source of truth, the stack setting `mcpImage`.

    Write it into the stack's config and update only what runs that image: the MCP service and the
    usage-dashboard job (`jobs`, so it never refreshes with an older server), plus what depends on
    them (the job's schedule, paused until an image is set). Pulumi's state and the next full
    `pulumi up` then carry the same image (setting it with gcloud behind Pulumi's back made the next
    `up` roll it back).
    """
    targets = [mcp_service_urn(stack, service), *(usage_job_urn(stack, job) for job in jobs)]
    _run(
        stack,
        "mcp image",
        lambda s: s.up(on_output=on_output, show_secrets=False, target=targets, target_dependents=True),
        configure=True,
        overrides={MCP_IMAGE_KEY: image},
    )


def destroy(stack: str, on_output: Callable[[str], Any] = print) -> None:
    """`pulumi destroy`: delete every resource of the stack (the stack itself stays)."""
    _run(stack, "destroy", lambda s: s.destroy(on_output=on_output, show_secrets=False))


def outputs(stack: str) -> dict[str, Any]:
    """The stack's outputs as plain values."""
    return _values(_run(stack, "outputs", lambda s: s.outputs()))


def remove(stack: str) -> None:
    """Remove the (destroyed) stack and its config file."""
    _run(stack, "remove", lambda s: s.workspace.remove_stack(stack))
