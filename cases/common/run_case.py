"""run_case — starts one Python case: the one place that sets up what every Python case needs.

    python3 cases/common/run_case.py cases/<scenario>/<model>.py ARGS...

The case runs as __main__ (runpy), with this folder (conkit_facts, cpu_burn, ...) first on its
import path, so the cases carry no sys.path preamble. No bytecode is written (the flag, and
PYTHONDONTWRITEBYTECODE for spawned and forkserver children), so the source tree stays free of
__pycache__. Before the case starts, the interpreter is recorded as facts, so the claims layer and
the expected files can follow the build the case really ran on:

    gil             1 if the GIL is enabled (sys._is_gil_enabled(), Python >= 3.13), else 0;
                    1 on interpreters that predate the free-threaded build
    python_build    "free-threading" (built with Py_GIL_DISABLED) or "default"
    python_version  "3.11.2"
    python_impl     "cpython", "pypy", ...

A free-threaded build may still run with the GIL (PYTHON_GIL=1): `gil` says what this run had.
"""
import os
import runpy
import sys
import sysconfig

sys.dont_write_bytecode = True
os.environ["PYTHONDONTWRITEBYTECODE"] = "1"

import conkit_facts as ck  # noqa: E402  (this file's folder is sys.path[0])


def record_interpreter():
    gil_enabled = getattr(sys, "_is_gil_enabled", lambda: True)()
    ck.fact("gil", 1 if gil_enabled else 0)
    ck.fact("python_build", "free-threading" if sysconfig.get_config_var("Py_GIL_DISABLED") else "default")
    ck.fact("python_version", ".".join(str(p) for p in sys.version_info[:3]))
    ck.fact("python_impl", sys.implementation.name)


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit("usage: run_case.py CASE.py [ARGS...]")
    record_interpreter()
    sys.argv = sys.argv[1:]  # the case sees its own path as argv[0], as when run directly
    runpy.run_path(sys.argv[0], run_name="__main__")
