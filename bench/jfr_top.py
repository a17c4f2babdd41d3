#!/usr/bin/env python3
"""Top methods of a JFR recording's CPU samples (jdk.ExecutionSample), self and inclusive.

  python3 bench/jfr_top.py recording.jfr [N] [--filter substring]

Uses the JDK's `jfr print`; the share is of all samples taken on Java threads that were running.
"""
import re
import subprocess
import sys
from collections import Counter


def main():
    path = sys.argv[1]
    n = int(sys.argv[2]) if len(sys.argv) > 2 and sys.argv[2].isdigit() else 30
    text = subprocess.run(["jfr", "print", "--events", "jdk.ExecutionSample", "--stack-depth", "96", path],
                          capture_output=True, text=True, check=True).stdout
    self_c, incl_c, total = Counter(), Counter(), 0
    for event in text.split("jdk.ExecutionSample")[1:]:
        frames = re.findall(r"^\s+([\w$.<>/]+\.[\w$<>]+)\(", event, re.M)
        if not frames:
            continue
        total += 1
        self_c[frames[0]] += 1
        for f in set(frames):
            incl_c[f] += 1
    print(f"{total} samples")
    print("\n-- self --")
    for m, c in self_c.most_common(n):
        print(f"{100.0 * c / total:5.1f}%  {m}")
    print("\n-- inclusive --")
    for m, c in incl_c.most_common(n * 2):
        print(f"{100.0 * c / total:5.1f}%  {m}")


if __name__ == "__main__":
    main()
