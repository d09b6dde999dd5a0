"""What the zygote (:mod:`helpers.render.zygote`) does before it forks a kernel: the imports of every report, and
the computations every report of a data set would otherwise repeat.

Both are kept in the zygote's memory and shared by every kernel forked after them; nothing of a notebook runs.
"""

from __future__ import annotations

#: imported once per build, before any report runs (missing ones are skipped)
WARM_MODULES = (
    # the kernel's own stack (ipykernel.kernelapp itself is left to the kernel:
    # its class attributes read JPY_PARENT_PID when the module is imported)
    "zmq",
    "zmq.eventloop.zmqstream",
    "tornado.ioloop",
    "psutil",
    "jupyter_core.paths",
    "jupyter_client",
    "jupyter_client.connect",
    "jupyter_client.session",
    "comm",
    "IPython",
    "IPython.core.application",
    "IPython.core.completer",
    "IPython.core.history",
    "IPython.core.interactiveshell",
    "IPython.core.profiledir",
    "IPython.core.shellapp",
    "ipykernel.connect",
    "ipykernel.control",
    "ipykernel.debugger",
    "ipykernel.displayhook",
    "ipykernel.heartbeat",
    "ipykernel.iostream",
    "ipykernel.ipkernel",
    "ipykernel.parentpoller",
    "ipykernel.shellchannel",
    "ipykernel.zmqshell",
    # what the report notebooks import
    "numpy",
    "pandas",
    "pandas.core.reshape.reshape",
    "scipy.special",
    "scipy.stats",
    "matplotlib",
    "matplotlib.pyplot",
    "matplotlib.backends.backend_agg",
    "PIL.PngImagePlugin",
    "IPython.display",
    "helpers.report.context",
    "helpers.data.prisma",
    "helpers.stats.metareg",
    "PIL.features",
)
INLINE_BACKEND = "module://matplotlib_inline.backend_inline"


def warm_data(data_path: str) -> None:
    """Load the build's data set and compute the findings of every certainty line, once, for every kernel forked
    after it: each condition's bottom-line and effect-size reports computed them again (about a second of a
    build's CPU). The findings are kept by content (:func:`helpers.findings.lines.line_findings`): a kernel that
    loads other tables computes its own. A table that fails here fails in the kernel, with its message."""
    try:  # imported here: the zygote's parent (the build) forks it before it has the data layer's imports
        from ..data.dataset import load_dataset
        from ..findings.lines import line_findings

        ds = load_dataset(data_path)
        line_findings(ds.get("certainty"), ds.studies, ds.get("risk_of_bias"))
    except Exception:  # the kernel raises it where a fresh kernel would
        pass
