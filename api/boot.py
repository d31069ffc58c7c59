"""How an ``isa`` process starts: the garbage collector's thresholds while it imports.

Importing the web, database and reader stacks allocates a few hundred thousand objects
that live as long as the process; with CPython's default thresholds (700, 10, 10) the
collector walks them all in three full passes and finds next to nothing (about 60
objects), which costs a tenth to a fifth of a start. ``starting`` raises the thresholds
so no full pass runs while the process starts; ``started`` moves everything alive by
then into the permanent generation (``gc.freeze``: later passes never walk it again, and
forked children share those pages) and puts the defaults back. Most cycles made while
starting are collected by the young generations' passes; what reached the oldest one is
frozen with the rest. ``isa serve`` and ``isa worker`` call ``started``; a short command
keeps the raised thresholds to its end.
"""

from __future__ import annotations

import gc

_DEFAULT = gc.get_threshold()
_STARTING = (20_000, 50, 1_000)


def starting() -> None:
    """Before the heavy imports: young passes rarely, no full pass."""
    gc.set_threshold(*_STARTING)


def started() -> None:
    """Once ready to serve: freeze what start-up built and collect as usual from here.

    Only in a process that ``starting`` set up: an app built inside another program (a
    test run) leaves that program's collector alone.
    """
    if gc.get_threshold() == _STARTING:
        gc.freeze()
        gc.set_threshold(*_DEFAULT)
