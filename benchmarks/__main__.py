"""Run a benchmark: ``python -m benchmarks [sync] [OPTIONS]``, or ``... carriers``."""

from __future__ import annotations

import importlib
import sys

BENCHMARKS = ("sync", "carriers")


def main(argv: list[str]) -> int:
    """Run the benchmark named first (``sync`` when none is named) with the other arguments."""
    name = argv[0] if argv and argv[0] in BENCHMARKS else "sync"
    rest = argv[1:] if argv and argv[0] in BENCHMARKS else argv
    module = importlib.import_module(f"benchmarks.{name}")
    if name == "sync":
        module.main(rest)
    elif rest in (["-h"], ["--help"]):
        print(f"usage: python -m benchmarks {name}\n\n{(module.__doc__ or '').strip()}")
    elif rest:
        print(f"usage: python -m benchmarks {name} (it takes no options)", file=sys.stderr)
        return 2
    else:
        module.main()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
