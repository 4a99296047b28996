"""What every Invoke task of `deploy`, `ops` and `mcp` shares: help texts and the error guard."""

from __future__ import annotations

STACK = "the Pulumi stack whose outputs name the services (e.g. staging, prod)"
DRY = "print the exact commands and API calls, change nothing"


def guard(fn, *args, **kwargs):  # type: ignore[no-untyped-def]
    """Turn the errors a user can act on into one clear line instead of a traceback."""
    import httpx

    from deploy.bootstrap import BootstrapError
    from deploy.engine import DeployBlocked, first_error
    from deploy.manifests import ManifestError
    from deploy.ops.flags import FlagError
    from deploy.preconditions import PreconditionError
    from deploy.runner import CommandFailed
    from deploy.secrets import SecretMissing
    from infra.problems import UsageError
    from twenty_api import TwentyError

    # what a user can act on; anything else (a ValueError from a bug, say) keeps its traceback
    actionable = (PreconditionError, UsageError, FlagError, CommandFailed, SecretMissing, FileNotFoundError,
                  TimeoutError, ManifestError, PermissionError, TwentyError, DeployBlocked,
                  httpx.HTTPError, ConnectionError, BootstrapError)
    try:
        return fn(*args, **kwargs)
    except BaseExceptionGroup as group:  # concurrent work: report the first failure, in one line
        leaf = first_error(group)
        if isinstance(leaf, actionable):
            raise SystemExit(f"error: {_one_line(leaf)}") from None
        raise
    except actionable as e:
        raise SystemExit(f"error: {_one_line(e)}") from None


def _one_line(error: BaseException) -> str:
    text = " ".join(str(error).split()) or type(error).__name__
    return text if len(text) <= 600 else text[:599] + "…"
