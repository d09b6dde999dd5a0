"""Start-up settings of the project's own processes, in one place.

jsonschema imports ``rfc3987_syntax`` when it is installed (jupyter-events, which
JupyterLab needs, pulls it in), and that module compiles 38 lark grammars at
import: 0.75 to 2 s in every process that imports nbformat. No notebook schema
checks an IRI format, so the build's processes and the test runner go without it.
:func:`skip_rfc3987_syntax` is called by the command line (:mod:`helpers.cli`)
and by pytest, which loads this module as a plugin (``-p helpers.startup`` in
``pyproject.toml``) before nbval imports nbformat. Report kernels undo it
(:mod:`helpers.render.zygote`): a notebook gets the stack as installed.
"""

from __future__ import annotations

import sys

BLOCKED = "rfc3987_syntax"


def skip_rfc3987_syntax() -> None:
    sys.modules.setdefault(BLOCKED, None)


def allow_rfc3987_syntax() -> None:
    """Undo :func:`skip_rfc3987_syntax` (a kernel's process imports what it likes)."""
    if BLOCKED in sys.modules and sys.modules[BLOCKED] is None:
        del sys.modules[BLOCKED]


# pytest imports a -p plugin before the plugins of installed packages (nbval imports nbformat at once),
# so the switch must be made as pytest imports this module, not in a hook that runs later
if "pytest" in sys.modules:
    skip_rfc3987_syntax()
