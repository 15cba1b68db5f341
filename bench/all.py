"""Every figure of the public paths side by side with its baseline, in one run:
``make bench-all`` (``--json PATH`` also writes them; ``--quick`` for a short smoke run).

Runs, one after the other (never two loads at once on a small machine):
bench/tickets.py, bench/track.py, bench/sockets.py with 1,000 displays, and bench/sockets.py
with 10,000 mixed sockets on one and two processes, each
against the bare endpoint or broadcast on the same stack, and prints one table: the hall's
figure, the baseline's, their ratio and the aim. Each benchmark's own table, with its
integrity checks, is printed as it runs.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--json", type=Path, help="write every figure to this file")
    p.add_argument("--quick", action="store_true", help="short runs, fewer sockets")
    return p.parse_args(argv)


def run(script: str, args: list[str], out: Path) -> tuple[int, dict]:
    print(f"\n=== {script} {' '.join(args)}", flush=True)
    command = [sys.executable, str(HERE / script), *args, "--json", str(out)]
    code = subprocess.run(command).returncode
    return code, json.loads(out.read_text()) if out.exists() else {}


def rows(results: dict) -> list[tuple[str, float, float, str, str]]:
    """(figure, hall, baseline, unit, aim)."""
    table = []
    tickets = results.get("tickets", {}).get("levels", [])
    for level in tickets:
        n = level["tickets"]["clients"]
        table.append((f"POST /api/v1/tickets, {n} clients", level["tickets"]["rps"],
                      level["bare"]["rps"], "req/s", ">= 40% of bare, >= 400/s"))
        if "bare_write" in level:  # the bare POST that also commits a row (informative)
            table.append(("  the same, beside the bare write", level["tickets"]["rps"],
                          level["bare_write"]["rps"], "req/s", ""))
        if "bare_ticket_sql" in level:  # the ticket's own SQL by hand on the bare stack
            table.append(("  the same, beside the ticket's SQL", level["tickets"]["rps"],
                          level["bare_ticket_sql"]["rps"], "req/s", ""))
    for level in results.get("track", {}).get("levels", []):
        n = level["clients"]
        for name, label in (("page", "GET /track/<no>"), ("api", "GET /api/v1/track/<no>"),
                            ("queue", "GET /api/v1/halls/HQ/queue"),
                            ("poll", "queue poll (If-None-Match)")):
            if name in level:
                table.append((f"{label}, {n} clients", level[name]["rps"], level["bare"]["rps"],
                              "req/s", ">= 70% of bare"))
    displays = results.get("displays", {}).get("runs", [])
    if len(displays) == 2:  # the bare broadcast, then the hall
        bare, hall = displays[0]["kinds"]["display"], displays[1]["kinds"]["display"]
        table.append((f"call -> {hall['sockets']} displays, p99", hall["p99_ms"],
                      bare["p99_ms"], "ms", "<= 100 ms, <= 1.5x bare"))
    runs = results.get("sockets", {}).get("runs", [])
    # Each hall run beside the first bare broadcast on as many processes (displays' p99).
    bare_p99 = {}
    for r in runs:
        if r.get("bare"):
            bare_p99.setdefault(r.get("procs", 1), r["kinds"]["display"]["p99_ms"])
    for r in runs:
        base = float("nan") if r.get("bare") else bare_p99.get(r.get("procs", 1), float("nan"))
        for name, kind in r["kinds"].items():
            table.append((f"{r['label']}: {kind['sockets']} {name}, p99", kind["p99_ms"],
                          base, "ms", "<= 250 ms, 0 missed"))
        table.append((f"{r['label']}: RSS per 1,000 sockets", r["rss_kb_per_1000"] / 1024,
                      float("nan"), "MB", ""))
    return table


def main(argv=None) -> int:
    args = parse_args(argv)
    tmp = Path(tempfile.mkdtemp(prefix="hall-bench-all-"))
    quick = args.quick
    plan = {
        "tickets": ("tickets.py", ["--seconds", "3" if quick else "8"]),
        "track": ("track.py", ["--seconds", "3" if quick else "8"]),
        "displays": ("sockets.py", ["--sockets", "1000", "--mix", "display=1", "--procs", "1",
                                    "--calls", "5" if quick else "20"]),
        "sockets": ("sockets.py", ["--sockets", "2000" if quick else "10000", "--calls",
                                   "5" if quick else "20"]),
    }
    results, failed = {}, []
    for name, (script, extra) in plan.items():
        code, results[name] = run(script, extra, tmp / f"{name}.json")
        if code:
            failed.append(name)
    print(f"\n{'figure':<52} {'hall':>9} {'baseline':>9} {'ratio':>6}  {'unit':<5} aim")
    print("-" * 110)
    for label, hall, base, unit, aim in rows(results):
        ratio = hall / base if base == base and base else float("nan")
        print(f"{label:<52} {hall:>9.1f} {base:>9.1f} {ratio:>6.2f}  {unit:<5} {aim}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    if failed:
        print(f"\nFAILED (integrity or delivery): {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
