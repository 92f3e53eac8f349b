#!/usr/bin/env python3
"""Concurrency Arena peer for CPython: `arena_peer.py IMPL [--work-scale N] [--race-scale N] list|run ...`, where
IMPL is seq, threading, asyncio or multiprocessing. Standard library only (Python 3.10+).

It speaks the runtime contract of the Rust binaries (see contract.py) so that the arena can compare the real
CPython with its Rust emulation (rt-gil) and with the Rust runtimes on the same machine. It is not a benchmark of
Python in general: it runs exactly the arena's kernels, in pure Python.
"""

import os
import platform
import sys

sys.dont_write_bytecode = True  # keep the repository clean of __pycache__
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
# What scripts/setup installs for this interpreter (uvloop, for py-asyncio's uvloop variant): one folder per cache
# tag (cpython-311), since a compiled module loads only into the CPython it was built for. Why right after the peer's
# own folder, before site-packages: the version setup pins is the one measured, not one the user happens to have.
if sys.implementation.cache_tag:
    TOOLS_PY = os.path.normpath(os.path.join(HERE, "..", "..", ".tools", "py", sys.implementation.cache_tag))
    if os.path.isdir(TOOLS_PY):
        sys.path.insert(1, TOOLS_PY)

import contract  # noqa: E402
import models  # noqa: E402


def main():
    if len(sys.argv) < 2 or sys.argv[1] not in models.IMPLS:
        sys.stderr.write("arena_peer.py: the first argument must be one of: %s\n" % ", ".join(models.IMPLS))
        return contract.USAGE
    impl = models.IMPLS[sys.argv[1]]
    argv = sys.argv[2:]
    info = models.describe(impl, listing=argv[-1:] == ["list"])
    info["versions"].update(python=platform.python_version(), implementation=platform.python_implementation())
    return contract.main(impl, info, argv)


if __name__ == "__main__":
    sys.exit(main())
