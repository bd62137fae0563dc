"""How fast this machine's core is right now: the CPU time of a fixed loop of 10 million additions.

    python scripts/machine_speed.py [--runs 3]

The project's virtual machines change speed between sessions and within one (docs/benchmarks.md, issue 14:
0.66-1.27 s on one machine in one session, 0.37-0.45 s on the next). Print this beside a benchmark, so its
figures can be compared with figures measured elsewhere; old and new code are only compared alternated.
Use the same Python as the benchmark: pyenv's build and Debian's differ by ~30% on the same loop.
"""

import argparse
import time

ADDITIONS = 10_000_000


# Run at module level (global names), as the loop the figures of issue 14 were measured with: inside a
# function (local names) the same loop takes about a third less time, and the figures would not compare.
LOOP = f"total = 0\nfor i in range({ADDITIONS}):\n    total += i\n"


def loop_seconds() -> float:
    start = time.process_time()
    exec(LOOP, {})
    return time.process_time() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    runs = parser.parse_args().runs
    seconds = sorted(loop_seconds() for _ in range(runs))
    print(
        f"machine speed: {seconds[len(seconds) // 2]:.2f} s CPU for {ADDITIONS:,} additions (median of {runs}: "
        + ", ".join(f"{s:.2f}" for s in seconds)
        + ")"
    )


if __name__ == "__main__":
    main()
