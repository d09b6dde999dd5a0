"""Build layer: execute the parameterized notebooks into published HTML reports."""

import sys as _sys

# jsonschema imports rfc3987_syntax when it is installed (jupyter-events, which JupyterLab needs, pulls
# it in), and that module compiles 38 lark grammars at import: about 0.75 s in every process that imports
# nbformat, so in the build's main process and in each worker. Notebook validation checks no IRI format,
# so the build's own processes go without it. Kernels do not inherit this (executor._zygote_main).
_sys.modules.setdefault("rfc3987_syntax", None)

