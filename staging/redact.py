"""Keep secrets out of everything the staging run prints.

Every secret the run creates or reads is registered with a `Redactor`; all output (rich console,
Pulumi's engine lines, subprocess output, error messages) passes through one `MaskingWriter`.
"""

from __future__ import annotations

import threading
from typing import IO

MASK = "****"
_MIN_LEN = 4  # shorter strings would mask ordinary words; no secret we make is that short


class Redactor:
    def __init__(self) -> None:
        self._secrets: set[str] = set()
        self._lock = threading.Lock()

    def add(self, secret: str | None) -> str | None:
        """Register a secret (returned unchanged, so it can wrap an assignment)."""
        if secret and len(secret) >= _MIN_LEN:
            with self._lock:
                self._secrets.add(secret)
        return secret

    def mask(self, text: str) -> str:
        with self._lock:
            secrets = sorted(self._secrets, key=len, reverse=True)  # longest first: no partial leaks
        for secret in secrets:
            text = text.replace(secret, MASK)
        return text


class MaskingWriter:
    """A text stream that masks registered secrets before they reach the wrapped stream."""

    def __init__(self, stream: IO[str], redactor: Redactor) -> None:
        self._stream = stream
        self._redactor = redactor

    def write(self, text: str) -> int:
        self._stream.write(self._redactor.mask(text))
        return len(text)

    def flush(self) -> None:
        self._stream.flush()

    def isatty(self) -> bool:
        return self._stream.isatty()

    @property
    def encoding(self) -> str:
        return getattr(self._stream, "encoding", "utf-8")

    def fileno(self) -> int:
        return self._stream.fileno()
