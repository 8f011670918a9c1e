"""The README's commands are the ones CI runs, and the docs' examples run."""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def readme_commands() -> list[str]:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    return re.findall(r"```sh\n(.*?)\n```", text, flags=re.S)


def test_first_command_runs_main_job() -> None:
    assert readme_commands()[0].endswith("tracksync sync examples/shipments.csv --emulate")


def test_ci_runs_readme_test_command() -> None:
    ci_script = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert readme_commands()[1] in ci_script.splitlines()


def test_example_file_exists() -> None:
    assert (REPO / "examples" / "shipments.csv").is_file()


def test_emulator_guide_example_runs() -> None:
    text = (REPO / "docs" / "emulators.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", text, flags=re.S)
    example = next(block for block in blocks if "def test_" in block)
    namespace: dict[str, object] = {}
    exec(compile(example, "docs/emulators.md", "exec"), namespace)
    test = namespace["test_tracker_added"]
    assert callable(test)
    test()
