"""The README documents every command and option a user can type."""

from __future__ import annotations

from pathlib import Path

from heard.cli import main

README = (Path(__file__).resolve().parents[1] / "README.md").read_text()


def test_every_command_is_in_the_readme():
    for name in main.commands:
        assert f"heard {name}" in README, name


def test_every_analyse_option_is_in_the_readme():
    command = main.commands["analyse"]
    for param in command.params:
        if param.name in {"debug"} or not getattr(param, "opts", None):
            continue
        if param.param_type_name == "argument":
            continue
        assert any(opt in README for opt in param.opts), param.opts


def test_the_quickstart_has_the_two_commands():
    assert "make demo" in README and "make test" in README
