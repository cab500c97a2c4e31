"""The cyclic garbage collector paused while the graph is loaded, built and searched.

Building the graph of a large account allocates a million long-lived objects (compiled
statements, grants, edges) and almost no cyclic garbage. With the collector on, its
collections walk them again and again; switched back on at the end of the block, it would still
walk them once as young objects, once more as middle-aged ones, and again in a full collection
(a quarter of the CPU time of `graph escalations` on 5,000 roles). So at the end of the block
the survivors go straight to the oldest generation (`gc.freeze()` then `gc.unfreeze()`: a list
move, no walk) and are walked only when a full collection comes due. Reference counting frees
everything as usual; cycles are still collected, later.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def cyclic_gc_paused() -> Iterator[None]:
    """No cyclic collection inside the block (nested blocks and a collector already off are
    left as they are; objects someone else froze stay frozen)."""
    if not gc.isenabled():
        yield
        return
    promote = gc.get_freeze_count() == 0
    gc.disable()
    try:
        yield
    finally:
        if promote:
            gc.freeze()
            gc.unfreeze()
        gc.enable()
