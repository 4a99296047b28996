"""``python -m tests.fake_twenty --port N [--empty]``: serve the fake until killed."""

from __future__ import annotations

import argparse
import signal
import sys
import threading

from . import contract_data
from .server import FakeTwenty


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.fake_twenty", description=__doc__)
    parser.add_argument("--port", type=int, default=0, help="TCP port on 127.0.0.1 (0 = any free port)")
    parser.add_argument("--empty", action="store_true", help="start with no records instead of the seed")
    parser.add_argument(
        "--rate-limit", action="store_true", help="enforce Twenty's per-workspace limit (100 per 60 s)"
    )
    args = parser.parse_args(argv)
    try:
        contract_data.contract_dir()
    except contract_data.ContractDataMissing as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    try:
        fake = FakeTwenty(port=args.port, seeded=not args.empty).start()
    except OSError as exc:
        print(
            f"error: cannot listen on 127.0.0.1:{args.port} ({exc}); pick another --port or 0",
            file=sys.stderr,
        )
        return 2
    fake.rate_limit_enabled = args.rate_limit
    print(f"base_url={fake.base_url}", flush=True)
    print(f"api_key={fake.api_key}", flush=True)
    print(f"user_token={fake.user_token}", flush=True)
    print(f"user_email={fake.user_email} user_password={fake.user_password}", flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    stop.wait()
    fake.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
