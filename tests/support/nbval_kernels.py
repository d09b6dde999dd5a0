"""nbval's kernels forked from the zygote, as the build's reports are (a pytest plugin: ``-p support.nbval_kernels``).

nbval starts a fresh kernel for each committed notebook: a new interpreter
that imports ipykernel, then pandas, matplotlib, SciPy and ``helpers`` in the
first cell (about 2.5 s of CPU each on this machine's cores). Here each test
process starts one zygote (:mod:`helpers.render.zygote`) and nbval's kernels
are forked from it: the same ipykernel kernel, with the modules of
``WARM_MODULES`` already imported, exactly what ``make notebooks`` and every
build execute the notebooks on. tests/render/test_zygote.py proves that a
forked kernel gives the page a fresh one gives. Everything else (which cells
are compared, the sanitizers, timeouts) stays nbval's.
"""

from __future__ import annotations

import os


def _fork_manager_class():
    from jupyter_client import KernelManager

    from helpers.render.kernels import ForkProvisioning

    class ForkedKernelManager(ForkProvisioning, KernelManager):
        """jupyter_client's blocking manager (the one nbval drives) with the zygote's provisioner."""

    return ForkedKernelManager


def pytest_configure(config):
    if not (config.getoption("nbval", default=False) or config.getoption("nbval_lax", default=False)):
        return
    if os.environ.get("HELPERS_NBVAL_FRESH_KERNELS"):  # nbval's own fresh kernels, to compare
        return
    from nbval import kernel

    manager_class = _fork_manager_class()

    def start_new_kernel(startup_timeout=60, kernel_name="python", **kwargs):
        """nbval.kernel.start_new_kernel, with the manager above."""
        km = manager_class(kernel_name=kernel_name, kernel_spec_manager=kernel.NbvalKernelspecManager())
        km.start_kernel(**kwargs)
        kc = km.client()
        kc.start_channels()
        try:
            kc.wait_for_ready(timeout=startup_timeout)
        except RuntimeError:
            kc.stop_channels()
            km.shutdown_kernel()
            raise
        return km, kc

    kernel.start_new_kernel = start_new_kernel
