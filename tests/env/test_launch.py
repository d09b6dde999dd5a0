"""Open the notebooks without installing anything by hand: Binder and the dev container install the same
lock as make install, and every way in names the project's kernel."""

from __future__ import annotations

import json

from helpers.paths import NOTEBOOKS, ROOT
from helpers.render.jobs import KERNEL_DISPLAY_NAME, KERNEL_NAME


def lines(path):
    return [x.strip() for x in path.read_text().splitlines() if x.strip() and not x.strip().startswith("#")]


def test_binder_installs_the_lock_the_package_and_the_kernel():
    assert lines(ROOT / "binder" / "requirements.txt") == ["-r ../requirements.lock"]
    assert lines(ROOT / "binder" / "runtime.txt") == ["python-3.11"]
    post = (ROOT / "binder" / "postBuild").read_text()
    assert "pip install --no-deps --no-build-isolation -e ." in post  # its dependencies are the lock's
    assert f"--name {KERNEL_NAME}" in post and KERNEL_DISPLAY_NAME in post
    assert "jupyter trust notebooks/*.ipynb" in post
    assert not (ROOT / "postBuild").exists()  # binder/ is the one configuration


def test_the_dev_container_runs_make_install_and_opens_jupyterlab():
    dev = json.loads((ROOT / ".devcontainer" / "devcontainer.json").read_text())
    assert "python:3.11" in dev["image"] and "bookworm" in dev["image"]
    assert "make install" in dev["postCreateCommand"] and "chromium" in dev["postCreateCommand"]
    assert dev["postAttachCommand"].startswith("make lab")


def test_make_install_registers_the_kernel_the_notebooks_name():
    make = (ROOT / "Makefile").read_text()
    assert "ipykernel install --sys-prefix" in make and f"--name {KERNEL_NAME}" in make and KERNEL_DISPLAY_NAME in make
    for path in sorted(NOTEBOOKS.glob("*.ipynb")):
        spec = json.loads(path.read_text())["metadata"]["kernelspec"]
        assert (spec["name"], spec["display_name"]) == (KERNEL_NAME, KERNEL_DISPLAY_NAME), path.name
