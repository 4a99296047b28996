"""The SecretSource seam: Secret Manager through gcloud in real use, env or a dict in tests.

Secret values never go to the screen or a log: dry-run prints the gcloud command only and hands
back a placeholder.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Protocol

from deploy.gcloud import secret_access
from deploy.runner import Runner
from deploy.stack import StackOutputs


class SecretMissing(LookupError):
    pass


class SecretSource(Protocol):
    def get(self, name: str) -> str:
        """The latest value of secret `name`; raises SecretMissing naming it and the fix."""


class GcloudSecretSource:
    def __init__(self, runner: Runner, out: StackOutputs) -> None:
        self.runner = runner
        self.out = out

    def get(self, name: str) -> str:
        res = self.runner.run(secret_access(self.out, name), check=False)
        if self.runner.dry_run:
            return f"<secret:{name}>"
        if res.returncode != 0 or not res.stdout:
            raise SecretMissing(
                f"cannot read secret `{name}` in project {self.out.project}: {res.stderr.strip()[-300:]}\n"
                f"  fix: create it (`printf %s VALUE | gcloud secrets versions add {name} --data-file=-`) "
                "and grant your account roles/secretmanager.secretAccessor on it")
        return res.stdout.rstrip("\n")


def put_secret(runner: Runner, project: str | None, name: str, value: str) -> bool:
    """Add `value` as the newest version of secret `name`, creating the secret when missing; True
    when it had to be created. The value goes to gcloud on stdin, never on the command line (argv
    is visible to every process on the host) or the screen. The one writer of Secret Manager:
    `inv bootstrap` (GcloudSecretStore) and the staging run (staging/cloud.py) both use it."""
    scope = [f"--project={project}"] if project else []
    exists = runner.run(["gcloud", "secrets", "describe", name, *scope, "--format=value(name)"],
                        check=False).returncode == 0
    if exists:
        cmd = ["gcloud", "secrets", "versions", "add", name, *scope, "--data-file=-"]
    else:
        cmd = ["gcloud", "secrets", "create", name, *scope, "--replication-policy=automatic", "--data-file=-"]
    runner.run(cmd, stdin=value)
    return not exists


class GcloudSecretStore(GcloudSecretSource):
    """Secret Manager with writes: a new version of `name` (the secret is created when missing).
    The value goes to gcloud on stdin, never on the command line or the screen."""

    def put(self, name: str, value: str) -> None:
        put_secret(self.runner, self.out.project, name, value)

    def forget(self, name: str) -> None:
        """Disable the latest version (a value that turned out unusable); the secret stays."""
        scope = [f"--project={self.out.project}"] if self.out.project else []
        self.runner.run(["gcloud", "secrets", "versions", "disable", "latest", f"--secret={name}", *scope],
                        check=False)


class DirSecretStore:
    """Secrets as files (mode 0600) in a folder: for a Twenty that is not on GCP (a local or
    development server), where there is no Secret Manager to keep them."""

    def __init__(self, folder: str | os.PathLike[str]) -> None:
        from pathlib import Path

        self.folder = Path(folder)

    def get(self, name: str) -> str:
        path = self.folder / name
        if not path.is_file():
            raise SecretMissing(f"secret `{name}` not in {self.folder}")
        return path.read_text().rstrip("\n")

    def put(self, name: str, value: str) -> None:
        self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        path = self.folder / name
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(value)

    def forget(self, name: str) -> None:
        (self.folder / name).unlink(missing_ok=True)


class EnvSecretSource:
    """`twenty-twenty-api-key` → env `TWENTY_TWENTY_API_KEY`."""

    def __init__(self, env: Mapping[str, str] | None = None) -> None:
        self.env = os.environ if env is None else env

    @staticmethod
    def var(name: str) -> str:
        return name.upper().replace("-", "_").replace(".", "_")

    def get(self, name: str) -> str:
        value = self.env.get(self.var(name))
        if not value:
            raise SecretMissing(f"secret `{name}` not set: export {self.var(name)}=...")
        return value


class DictSecretSource:
    def __init__(self, values: Mapping[str, str]) -> None:
        self.values = dict(values)

    def get(self, name: str) -> str:
        if name not in self.values:
            known = ", ".join(sorted(self.values)) or "none"
            raise SecretMissing(f"secret `{name}` not set (known: {known})")
        return self.values[name]


class ChainSecretSource:
    """First source that has the secret wins (e.g. env overrides, then Secret Manager)."""

    def __init__(self, *sources: SecretSource) -> None:
        self.sources = sources

    def get(self, name: str) -> str:
        errors: list[str] = []
        for s in self.sources:
            try:
                return s.get(name)
            except SecretMissing as e:
                errors.append(str(e))
        raise SecretMissing("; ".join(errors))
