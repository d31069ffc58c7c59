"""``python -m api`` runs the ``isa`` command."""

from api.isa import main

main()
