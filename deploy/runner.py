"""The command-runner seam: every external command (gcloud, pg_dump, cloud-sql-proxy …) goes
through a `Runner`, so `--dry-run` can print the exact commands and tests can assert them."""

from __future__ import annotations

import os
import shlex
import socket
import subprocess
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol


@dataclass(frozen=True)
class CommandResult:
    returncode: int
    stdout: str = ""
    stderr: str = ""


class CommandFailed(RuntimeError):
    """A command exited non-zero; the message carries the command and its stderr."""

    def __init__(self, cmd: Sequence[str], result: CommandResult) -> None:
        self.cmd = list(cmd)
        self.result = result
        tail = (result.stderr or result.stdout).strip().splitlines()[-5:]
        super().__init__(
            f"command failed (exit {result.returncode}): {shlex.join(cmd)}"
            + (("\n  " + "\n  ".join(tail)) if tail else "")
        )


class Runner(Protocol):
    dry_run: bool

    def run(self, cmd: Sequence[str], *, check: bool = True, capture: bool = True,
            interactive: bool = False, env: Mapping[str, str] | None = None,
            stdin: str | None = None) -> CommandResult:
        """`stdin` is fed to the command and never echoed (a secret value for gcloud)."""

    def background(self, cmd: Sequence[str], *, wait_port: int | None = None,
                   timeout: float = 60.0) -> Background: ...

    def note(self, message: str) -> None:
        """Say what an API call (not a command) would do / is doing."""


class Background(Protocol):
    def stop(self) -> None: ...


class _NoProcess:
    def stop(self) -> None:
        return None


class _Process:
    def __init__(self, proc: subprocess.Popen[bytes]) -> None:
        self.proc = proc

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port nobody listens on now, for a local proxy (`wait_for_port` then waits for it)."""
    with socket.socket() as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


def wait_for_port(port: int, timeout: float, host: str = "127.0.0.1") -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as s:
            s.settimeout(0.5)
            if s.connect_ex((host, port)) == 0:
                return True
        time.sleep(0.25)
    return False


class SubprocessRunner:
    """Runs commands for real."""

    dry_run = False

    def __init__(self, echo: Callable[[str], None] | None = None) -> None:
        self._echo = echo

    def run(self, cmd: Sequence[str], *, check: bool = True, capture: bool = True,
            interactive: bool = False, env: Mapping[str, str] | None = None,
            stdin: str | None = None) -> CommandResult:
        if self._echo:
            self._echo(f"$ {shlex.join(cmd)}" + (" < (value not shown)" if stdin is not None else ""))
        full_env = {**os.environ, **env} if env else None
        if interactive:
            proc = subprocess.run(list(cmd), check=False, env=full_env)
            result = CommandResult(proc.returncode)
        else:
            proc = subprocess.run(list(cmd), check=False, capture_output=capture, text=True, env=full_env,
                                  input=stdin)
            result = CommandResult(proc.returncode, proc.stdout or "", proc.stderr or "")
        if check and result.returncode != 0:
            raise CommandFailed(cmd, result)
        return result

    def background(self, cmd: Sequence[str], *, wait_port: int | None = None,
                   timeout: float = 60.0) -> Background:
        if self._echo:
            self._echo(f"$ {shlex.join(cmd)} &")
        proc = subprocess.Popen(list(cmd), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        handle = _Process(proc)
        if wait_port is not None and not wait_for_port(wait_port, timeout):
            handle.stop()
            err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
            raise CommandFailed(cmd, CommandResult(proc.returncode or 1, "",
                                                   err or f"port {wait_port} did not open in {timeout:.0f}s"))
        return handle

    def note(self, message: str) -> None:
        if self._echo:
            self._echo(message)


@dataclass
class RecordingRunner:
    """Records commands instead of running them. Used for `--dry-run` (with `echo=print`) and
    in tests. `responses` maps a command prefix (tuple) to canned output, so code that reads a
    command's output (e.g. the latest backup id) still has something to work with."""

    dry_run: bool = True
    echo: Callable[[str], None] | None = None
    responses: dict[tuple[str, ...], CommandResult] = field(default_factory=dict)
    commands: list[list[str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def run(self, cmd: Sequence[str], *, check: bool = True, capture: bool = True,
            interactive: bool = False, env: Mapping[str, str] | None = None,
            stdin: str | None = None) -> CommandResult:
        cmd = list(cmd)
        self.commands.append(cmd)
        if self.echo:
            self.echo(f"$ {shlex.join(cmd)}" + (" < (value not shown)" if stdin is not None else ""))
        best: CommandResult | None = None
        best_len = -1
        for prefix, res in self.responses.items():
            if tuple(cmd[: len(prefix)]) == prefix and len(prefix) > best_len:
                best, best_len = res, len(prefix)
        return best or CommandResult(0, "", "")

    def background(self, cmd: Sequence[str], *, wait_port: int | None = None,
                   timeout: float = 60.0) -> Background:
        self.commands.append([*cmd, "&"])
        if self.echo:
            self.echo(f"$ {shlex.join(cmd)} &")
        return _NoProcess()

    def note(self, message: str) -> None:
        self.notes.append(message)
        if self.echo:
            self.echo(message)

    @property
    def lines(self) -> list[str]:
        return [shlex.join(c) for c in self.commands]
