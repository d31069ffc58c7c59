"""``python -m api`` runs the ``isa`` command."""

from api.boot import main

main()
