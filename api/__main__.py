"""``python -m api`` runs the ``isa`` command."""

from api.cli import main

main()
