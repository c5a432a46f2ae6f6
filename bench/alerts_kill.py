"""Duplicates per SIGKILL of ``tracker alerts run`` against a real SMTP server (aiosmtpd).

Each round copies a database with one relevant item and N recipients (one digest each),
starts the installed ``tracker alerts run``, kills it with SIGKILL after a random number of
accepted messages plus a random part of one message's sending time (measured first, on an
unkilled run), then runs ``tracker alerts run`` again to recover. Counted over all rounds:
messages accepted twice (same Message-ID) and recipients who never got theirs.

Usage: .venv/bin/python bench/alerts_kill.py [--kills 20] [--recipients 12] [--seed 15]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.alerts.kill_harness import kill_series  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kills", type=int, default=20)
    parser.add_argument("--recipients", type=int, default=12)
    parser.add_argument("--seed", type=int, default=15)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        report = kill_series(Path(tmp), kills=args.kills, recipients=args.recipients, seed_value=args.seed)
    print(f"{args.recipients} recipients, one message each; {report.cycle_seconds * 1000:.1f} ms per message")
    print("round  killed after  offset ms  exit  accepted  duplicates  lost  same id+body")
    for n, r in enumerate(report.results):
        print(f"{n:5d}  {r.killed_after:12d}  {r.offset * 1000:9.1f}  {r.exit_code!s:>4}  {r.received:8d}  "
              f"{r.duplicates:10d}  {r.lost:4d}  {r.same_id_and_body}")
    kills = report.kills
    print(f"kills that landed: {kills} of {len(report.results)}; duplicates: {report.duplicates} "
          f"({report.duplicates / max(1, kills):.2f} per kill); lost: {report.lost}")
    if report.lost or not all(r.same_id_and_body for r in report.results):
        sys.exit(1)


if __name__ == "__main__":
    main()
