"""The package's architecture as a checkable contract: layers, cycles, private names, unit sizes.

Every ``import`` statement of every module counts, wherever it stands (inside a
function too): an import moved into a function still ties the two modules.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

#: from the bottom up; a module may import its own layer and the layers below it, never one above
LAYERS = (
    ("paths", "errors", "startup", "digest", "files"),
    ("data",),
    ("stats",),
    ("findings",),
    ("report",),
    ("site",),
    ("render",),
    # python -m helpers search: reads and writes the data tables only (below it: data and what it stands on)
    ("search",),
    ("cli", "__main__", "__init__"),
)
MAX_LINES = 400
MAX_PUBLIC_METHODS = 15


@dataclass(frozen=True)
class Import:
    importer: str  # dotted module name inside the package, e.g. "data.loader"
    target: str  # dotted module name imported (a module of the package)
    names: tuple[str, ...]  # names taken from it ("from x import a, b")
    line: int


def module_name(path: Path, root: Path) -> str:
    rel = path.relative_to(root).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__" and len(parts) > 1:
        parts = parts[:-1]
    return ".".join(parts)


def parse(path: Path) -> ast.Module:
    """A module's syntax tree, parsed once per text: a copy of the package (the planted-fault tests) reuses the
    trees of every file it did not change. The trees are only read, never changed."""
    return _parse(path.read_text(encoding="utf-8"))


@lru_cache(maxsize=2048)
def _parse(text: str) -> ast.Module:
    return ast.parse(text)


def walk(path: Path) -> tuple[ast.AST, ...]:
    """Every node of a module's tree in ast.walk's order, listed once per text (each check walks every module)."""
    return _walk(path.read_text(encoding="utf-8"))


@lru_cache(maxsize=2048)
def _walk(text: str) -> tuple[ast.AST, ...]:
    return tuple(ast.walk(_parse(text)))


def modules(root: Path) -> dict[str, Path]:
    return {module_name(p, root): p for p in sorted(root.rglob("*.py")) if "__pycache__" not in p.parts}


def _resolve(importer: str, is_package: bool, level: int, module: str | None) -> str:
    base = importer.split(".") if is_package else importer.split(".")[:-1]
    if level > 1:
        base = base[: len(base) - (level - 1)]
    return ".".join([*base, *([module] if module else [])]).strip(".")


def imports(root: Path, package: str = "helpers") -> list[Import]:
    """Every import of a package module by another, including those inside functions."""
    mods = modules(root)
    out = []
    for name, path in mods.items():
        is_package = path.name == "__init__.py"
        for node in walk(path):
            if isinstance(node, ast.ImportFrom):
                if node.level:
                    target = _resolve(name, is_package, node.level, node.module)
                elif node.module and (node.module == package or node.module.startswith(package + ".")):
                    target = node.module[len(package) + 1 :]
                else:
                    continue
                names = tuple(a.name for a in node.names)
                # "from . import plots" imports a module, not a name
                for a in names:
                    sub = f"{target}.{a}" if target else a
                    if sub in mods:
                        out.append(Import(name, sub, (), node.lineno))
                        names = tuple(n for n in names if n != a)
                if target in mods and (names or not node.names):
                    out.append(Import(name, target, names, node.lineno))
            elif isinstance(node, ast.Import):
                for a in node.names:
                    if a.name == package or a.name.startswith(package + "."):
                        target = a.name[len(package) + 1 :]
                        if target in mods:
                            out.append(Import(name, target, (), node.lineno))
    return [i for i in out if i.target != i.importer and i.target]


def layer_of(module: str) -> int:
    top = module.split(".")[0]
    for i, names in enumerate(LAYERS):
        if top in names:
            return i
    raise KeyError(f"module {module} belongs to no layer: add its top-level name to LAYERS")


def upward_imports(root: Path) -> list[str]:
    return [
        f"{i.importer} (line {i.line}) imports {i.target}, a layer above it"
        for i in imports(root)
        if layer_of(i.target) > layer_of(i.importer)
    ]


def cycles(root: Path) -> list[list[str]]:
    """Strongly connected groups of modules that import each other (Tarjan), package __init__ files aside."""
    graph: dict[str, set[str]] = {m: set() for m in modules(root)}
    packages = _packages(root)
    for i in imports(root):
        # a package's __init__ re-exporting its modules is not a cycle with them
        if i.target.split(".")[-1] == "__init__" or i.target in packages:
            continue
        graph[i.importer].add(i.target)
    index, low, stack, on, out = {}, {}, [], set(), []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                out.append(sorted(group))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return sorted(out)


def _packages(root: Path) -> set[str]:
    return {module_name(p, root) for p in root.rglob("__init__.py") if p.parent != root}


def private_uses(root: Path) -> list[str]:
    """Names starting with one underscore taken from another module: imported, or reached as module._name."""
    mods = modules(root)
    found = [
        f"{i.importer} (line {i.line}) imports {n} from {i.target}"
        for i in imports(root)
        for n in i.names
        if n.startswith("_") and not n.startswith("__")
    ]
    for name, path in mods.items():
        nodes = walk(path)
        aliases = {}  # local name -> module of the package
        for node in nodes:
            if isinstance(node, ast.ImportFrom) and (node.level or (node.module or "").startswith("helpers")):
                base = (
                    _resolve(name, path.name == "__init__.py", node.level, node.module)
                    if node.level
                    else (node.module or "")[len("helpers.") :]
                )
                for a in node.names:
                    sub = f"{base}.{a.name}" if base else a.name
                    if sub in mods:
                        aliases[a.asname or a.name] = sub
            elif isinstance(node, ast.Import):
                for a in node.names:
                    if a.name.startswith("helpers.") and a.asname:
                        aliases[a.asname] = a.name[len("helpers.") :]
        for node in nodes:
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id in aliases
                and node.attr.startswith("_")
                and not node.attr.startswith("__")
            ):
                found.append(f"{name} (line {node.lineno}) reaches {aliases[node.value.id]}.{node.attr}")
    return sorted(set(found))


def long_modules(root: Path, limit: int = MAX_LINES) -> list[str]:
    out = []
    for name, path in modules(root).items():
        n = len(path.read_text(encoding="utf-8").splitlines())
        if n > limit:
            out.append(f"{name}: {n} lines (at most {limit})")
    return out


def big_classes(root: Path, limit: int = MAX_PUBLIC_METHODS) -> list[str]:
    """Classes with more than ``limit`` public methods (properties included, dunder methods not)."""
    out = []
    for name, path in modules(root).items():
        for node in walk(path):
            if isinstance(node, ast.ClassDef):
                public = [
                    f.name
                    for f in node.body
                    if isinstance(f, (ast.FunctionDef, ast.AsyncFunctionDef)) and not f.name.startswith("_")
                ]
                if len(public) > limit:
                    out.append(f"{name}.{node.name}: {len(public)} public methods (at most {limit})")
    return out


def long_comments(root: Path, limit: int = 2) -> list[str]:
    """Runs of more than ``limit`` comment lines: a comment says why, briefly (docstrings explain at length)."""
    out = []
    for name, path in modules(root).items():
        run = 0
        for i, line in enumerate([*path.read_text(encoding="utf-8").splitlines(), ""], start=1):
            if line.strip().startswith("#"):
                run += 1
                continue
            if run > limit:
                out.append(f"{name}: {run} comment lines ending at line {i - 1}")
            run = 0
    return out


#: the one module that chooses which of a study's rows stands for it
SELECTION = "stats.selection"
#: pandas calls that keep one row of each group of duplicates
_DEDUPLICATE = ("drop_duplicates", "duplicated")
#: what taken from a groupby chooses one row of each group (first and head read the first, as a bare
#: drop_duplicates does; GroupBy.first even skips missing cells column by column)
_ONE_PER_GROUP = ("last", "tail", "nth", "idxmax", "idxmin")


def _names_study_id(node: ast.AST | None) -> bool:
    return node is not None and any(isinstance(n, ast.Constant) and n.value == "study_id" for n in ast.walk(node))


def _subset(call: ast.Call) -> ast.AST | None:
    """The subset a drop_duplicates/duplicated call names: its first argument, ``subset=``, or the columns it is
    called on (``d["study_id"].duplicated(...)``)."""
    if call.args:
        return call.args[0]
    kw = next((k.value for k in call.keywords if k.arg == "subset"), None)
    if kw is not None:
        return kw
    receiver = call.func.value
    return receiver.slice if isinstance(receiver, ast.Subscript) else None


def _groupby_on_study(node: ast.AST) -> bool:
    """``x.groupby(<study_id>)`` or ``x.groupby(<study_id>)[column]``."""
    if isinstance(node, ast.Subscript):
        node = node.value
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "groupby"
        and _names_study_id(
            node.args[0] if node.args else next((k.value for k in node.keywords if k.arg == "by"), None)
        )
    )


def row_picks(root: Path) -> list[str]:
    """Code outside stats.selection that chooses which of a study's rows stands for it: drop_duplicates or
    duplicated on a subset naming study_id with ``keep=`` (keep says which row wins), or last/tail/nth/
    idxmax/idxmin of a groupby on study_id. A bare ``drop_duplicates("study_id")`` or a groupby's first reads a
    study's own fields (the same on all its rows: the schema's study_consistent rule) and chooses nothing."""
    out = []
    for name, path in modules(root).items():
        if name == SELECTION:
            continue
        for node in walk(path):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
                continue
            attr = node.func.attr
            if attr in _DEDUPLICATE and any(k.arg == "keep" for k in node.keywords):
                if _names_study_id(_subset(node)):
                    out.append(f"{name} (line {node.lineno}): {attr} on study_id picks a row per study")
            elif attr in _ONE_PER_GROUP and _groupby_on_study(node.func.value):
                out.append(f"{name} (line {node.lineno}): groupby(study_id).{attr} picks a row per study")
    return sorted(out)


#: the only code of the site and the build that may read what a notebook's cells displayed: the execution cache
#: (stores and restores outputs whole), the HTML exporter (renders them) and mark_error (finds the failed cell)
OUTPUT_READERS = {"render.outputs_cache": "*", "render.export": "*", "render.execute": ("mark_error",)}
#: a cell's outputs, and the keys of an output and of its display data
OUTPUT_KEYS = {"outputs", "output_type", "text/html", "text/markdown", "text/plain", "text/latex", "image/png"}


def rendered_output_reads(root: Path, layers: tuple[str, ...] = ("site", "render")) -> list[str]:
    """Places in the site and the build that read a notebook cell's outputs: a fact a page shows is computed
    from the findings, never parsed back out of what a notebook displayed. A read is ``x.outputs`` (not an
    assignment to it), ``x["outputs"]`` or ``x.get("outputs")`` (``setdefault``, ``pop``), and the same for an
    output's keys and its display data's MIME types."""
    found = []
    for name, path in modules(root).items():
        allowed = OUTPUT_READERS.get(name, ())
        if name.split(".")[0] not in layers or allowed == "*":
            continue
        for functions, node in _with_functions(parse(path)):
            key = _output_read(node)
            if key and not set(functions) & set(allowed):
                found.append(f"{name} (line {node.lineno}) reads {key} of a notebook's outputs")
    return found


def _with_functions(tree: ast.AST, functions: tuple[str, ...] = ()):
    """Every node with the names of the functions it stands in."""
    for child in ast.iter_child_nodes(tree):
        inner = (*functions, child.name) if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)) else functions
        yield inner, child
        yield from _with_functions(child, inner)


def _output_read(node: ast.AST) -> str | None:
    if isinstance(node, ast.Attribute) and node.attr == "outputs" and isinstance(node.ctx, ast.Load):
        return ".outputs"
    if (
        isinstance(node, ast.Subscript)
        and isinstance(node.ctx, ast.Load)
        and isinstance(node.slice, ast.Constant)
        and node.slice.value in OUTPUT_KEYS
    ):
        return f"[{node.slice.value!r}]"
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in ("get", "setdefault", "pop")
        and node.args
        and isinstance(node.args[0], ast.Constant)
        and node.args[0].value in OUTPUT_KEYS
    ):
        return f".{node.func.attr}({node.args[0].value!r})"
    return None


#: the one module that knows the schema's classes of codes (it reads them from the schemas, data.vocabulary)
VOCABULARY = "data.vocabulary"


def design_lists(root: Path, codes: set[str] | frozenset[str]) -> list[str]:
    """Literal lists, tuples and sets, and dict literals keyed by codes, naming two or more design codes, outside
    the vocabulary module: which designs are randomized, crossover, single-arm or reviews, and the words for them,
    are the schema's (data.vocabulary.designs, design_noun), never listed again in code. A literal with one design
    code (a pooling exclusion code named like one) lists nothing."""
    out = []
    for name, path in modules(root).items():
        if name == VOCABULARY:
            continue
        for node in walk(path):
            if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
                items = node.elts
            elif isinstance(node, ast.Dict):
                items = [k for k in node.keys if k is not None]
            else:
                continue
            named = {i.value for i in items if isinstance(i, ast.Constant) and i.value in codes}
            if len(named) >= 2:
                out.append(f"{name} (line {node.lineno}) lists the design codes {', '.join(sorted(named))}")
    return sorted(out)
