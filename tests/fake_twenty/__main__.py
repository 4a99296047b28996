"""``python -m tests.fake_twenty --port N [--empty]``: serve the fake until killed."""

from __future__ import annotations

import argparse
import signal
import threading

from .server import FakeTwenty


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.fake_twenty", description=__doc__)
    parser.add_argument("--port", type=int, default=0, help="TCP port on 127.0.0.1 (0 = any free port)")
    parser.add_argument("--empty", action="store_true", help="start with no records instead of the seed")
    parser.add_argument(
        "--rate-limit", action="store_true", help="enforce Twenty's per-workspace limit (100 per 60 s)"
    )
    args = parser.parse_args(argv)
    fake = FakeTwenty(port=args.port, seeded=not args.empty).start()
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
