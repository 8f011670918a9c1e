"""Run one benchmark by name: ``python -m benchmarks carriers``."""

from __future__ import annotations

import importlib
import sys

BENCHMARKS = ("carriers",)


def main(argv: list[str]) -> int:
    if len(argv) != 1 or argv[0] not in BENCHMARKS:
        print(f"usage: python -m benchmarks {{{','.join(BENCHMARKS)}}}", file=sys.stderr)
        return 2
    module = importlib.import_module(f"benchmarks.{argv[0]}")
    module.main()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
