"""A fake Twenty 2.21 server for tests: real HTTP on loopback, in-memory state, held to the contract."""

from .server import FakeTwenty

__all__ = ["FakeTwenty"]
