"""Render layer: execute the parameterized notebooks into published HTML reports (``python -m helpers build``).

One module per concern: :mod:`.options` (the build's options, checked where they enter),
:mod:`.jobs` (what a build is made of), :mod:`.plan`
(what is stale), :mod:`.zygote` and :mod:`.kernels` (forked kernels),
:mod:`.execute` (one report), :mod:`.export` (HTML), :mod:`.loop` (many
reports at once, signals), :mod:`.publish` (the lock and the atomic swap),
:mod:`.outputs_cache` (executed outputs kept by their code) and :mod:`.build`
(the command).
"""
