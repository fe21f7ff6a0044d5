"""Loads sidecar_hook with no change to the application: put this directory on PYTHONPATH.

Python imports only the first sitecustomize module on sys.path, so this one would hide one the
environment already has (Debian's /etc/python3.X/sitecustomize.py, a virtualenv's, the app's own).
After loading the hook it finds the next sitecustomize further along sys.path and runs it, as
Python would have done without this directory.
"""


def _load_hook():
    try:
        import sidecar_hook  # noqa: F401  (starts listening on import)
    except Exception as e:  # never stop the application from starting
        import sys

        sys.stderr.write(f"sidecar_hook: not loaded: {type(e).__name__}: {e}\n")


def _run_shadowed_sitecustomize():
    import importlib.machinery
    import importlib.util
    import os
    import sys

    here = os.path.dirname(os.path.abspath(__file__))
    later = []
    seen_here = False
    for entry in sys.path:
        if not seen_here:
            seen_here = os.path.abspath(entry or os.curdir) == here
            continue
        later.append(entry)
    spec = importlib.machinery.PathFinder.find_spec("sitecustomize", later)
    if spec is None or spec.loader is None or spec.origin == __file__:
        return
    module = importlib.util.module_from_spec(spec)
    sys.modules["sitecustomize"] = module
    spec.loader.exec_module(module)


_load_hook()
_run_shadowed_sitecustomize()
