"""The README's commands are the ones CI runs."""

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
