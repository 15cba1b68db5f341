"""What the rate limiter's in-process storage costs a server, by how many addresses it counts.

Every public read and every ticket counts one hit in the limiter's storage. Without Redis that
storage is in the process; the ``limits`` library's own (``memory://``) starts a new 10 ms
timer thread after each one has run and walks every key in it, while the hall's
(``hall-memory://``, hall/web/memory_limits.py) sweeps once a second on the request that
counts. Phones polling from many addresses make many keys.

Under gevent, as the server runs: a loop counting one hit every ~2 ms (500 requests a second)
for ``--seconds``, after ``keys`` other addresses were counted, and the process's CPU time
over it, as a share of one core. Baseline: the same loop counting nothing (its sleeps and
clock reads), in the same run.

Run: ``.venv/bin/python bench/rate_limits.py`` (about 20 s); ``--json PATH`` saves the figures.
"""
from gevent import monkey

monkey.patch_all()

import argparse  # noqa: E402  (after the patch, as in the server)
import json  # noqa: E402
import resource  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from limits import parse  # noqa: E402
from limits.storage import storage_from_string  # noqa: E402
from limits.strategies import FixedWindowRateLimiter  # noqa: E402

import hall.web.memory_limits  # noqa: E402,F401  (registers hall-memory://)

ITEM = parse("100000 per minute")


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def share_of_a_core(uri: str | None, keys: int, seconds: float) -> float:
    """CPU of the counting loop as a share of one core; ``uri`` None: the bare loop."""
    limiter = FixedWindowRateLimiter(storage_from_string(uri)) if uri else None
    for n in range(keys if limiter else 0):
        limiter.hit(ITEM, "203.0.113.7", f"phone-{n}")  # type: ignore[union-attr]
    cpu, start = _cpu(), time.perf_counter()
    while time.perf_counter() < start + seconds:
        if limiter is not None:
            limiter.hit(ITEM, "198.51.100.1", "queue")
        time.sleep(0.002)
    return (_cpu() - cpu) / (time.perf_counter() - start)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--keys", default="0,2000,20000", help="other addresses counted first")
    p.add_argument("--seconds", type=float, default=3.0)
    p.add_argument("--json", type=Path)
    args = p.parse_args(argv)
    rows = []
    bare = share_of_a_core(None, 0, args.seconds)
    print(f"{'keys':>7} | {'memory://':>10} {'hall-memory://':>15} | {'bare loop':>9}  "
          "(share of one core)")
    for keys in (int(k) for k in args.keys.split(",")):
        library = share_of_a_core("memory://", keys, args.seconds)
        hall = share_of_a_core("hall-memory://", keys, args.seconds)
        rows.append({"keys": keys, "memory": library, "hall_memory": hall, "bare": bare})
        print(f"{keys:>7} | {library:>10.1%} {hall:>15.1%} | {bare:>9.1%}")
    if args.json:
        args.json.write_text(json.dumps({"rows": rows}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
