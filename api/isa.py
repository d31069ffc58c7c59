"""The ``isa`` command's entry point: the collector set for start-up, then the CLI."""

from __future__ import annotations

from api import boot


def main() -> None:
    """Entry point of the ``isa`` command (and ``python -m api``)."""
    boot.starting()  # before the CLI's imports: they are most of a start
    from api.cli import main as cli

    cli()
