"""Architecture counts of the package: inline time-map formulas, private imports, import cycles.

Run:  python benchmarks/architecture_counts.py [--verbose] [--json FILE]

Counts, over the packages ``derivations``, ``theory``, ``validation`` and ``regimes``:

(a) inline time-map computations outside ``theory/timemap.py`` in ``theory/``, ``validation/`` and
    ``regimes/`` (``derivations/`` is sympy and states the formulas symbolically): the noise variance
    Delta_t = 1 - e^{-2t} (``1 - exp(-2 t)``, ``-expm1(-2 t)``), the VE variance s = e^{2t} - 1
    (``expm1(2 t)``, ``exp(2 t) - 1``), its inverse t = log(1 + s)/2 (``0.5 * log1p(s)``), the signal
    variance factor e^{-2t} (``exp(-2 t)``) and the forward noising ``exp(-t) a + sqrt(...) z``.
    Strings and comments are ignored;
(b) imports of another package's private module (``from theory._x import ...`` in ``validation``)
    or of another package's private name (``from theory.figures import _pyplot``);
(c) import cycles: strongly connected components of size > 1 of the module import graph, with
    every import (module level and function level, not ``if TYPE_CHECKING:``) as an edge; and the
    same between packages;
(e) upward imports against the layer order derivations <- theory <- validation <- regimes;
(d) function-level imports of the project's own modules, and among them the ones that only dodge a
    cycle (the imported module reaches the importing one through module-level imports).
"""

from __future__ import annotations

import argparse
import ast
import io
import json
import re
import sys
import tokenize
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("derivations", "theory", "validation", "regimes")
FORMULA_PACKAGES = ("theory", "validation", "regimes")
TIMEMAP = "theory/timemap.py"

_NUM = r"2(?:\.0*)?"
FORMULA_PATTERNS = {
    "delta": [rf"-(?:\w+\.)?expm1\(-{_NUM}\*", rf"\b1(?:\.0*)?-(?:\w+\.)?exp\(-{_NUM}\*"],
    "ve_variance": [rf"(?<!-)(?:\w+\.)?expm1\({_NUM}\*",
                    rf"(?:\w+\.)?exp\({_NUM}\*[^()]*(?:\([^()]*\))?\)-1\b"],
    "forward_noising": [r"exp\(-\w+\)\*[^#]*\+[^#]*sqrt\("],
    "signal_variance": [rf"exp\(-{_NUM}\*t\w*\)"],
    "ou_from_ve": [r"(?<![\w.])0\.5\*(?:\w+\.)?log1p\(", r"(?:\w+\.)?log1p\([^()]*\)/2\b"],
}


def _modules() -> dict[str, Path]:
    out = {}
    for pkg in PACKAGES:
        base = ROOT / pkg
        if not base.is_dir():
            continue
        for path in sorted(base.rglob("*.py")):
            rel = path.relative_to(ROOT).with_suffix("")
            parts = list(rel.parts)
            if parts[-1] == "__init__":
                parts = parts[:-1]
            out[".".join(parts)] = path
    return out


def _code_only(source: str) -> str:
    """The source with strings and comments removed (one line per physical line)."""
    lines = source.splitlines()
    drop: dict[int, list[tuple[int, int]]] = {}
    for tok in tokenize.generate_tokens(io.StringIO(source).readline):
        if tok.type in (tokenize.STRING, tokenize.COMMENT):
            (r0, c0), (r1, c1) = tok.start, tok.end
            for r in range(r0, r1 + 1):
                a = c0 if r == r0 else 0
                b = c1 if r == r1 else len(lines[r - 1])
                drop.setdefault(r, []).append((a, b))
    out = []
    for i, line in enumerate(lines, start=1):
        chars = list(line)
        for a, b in drop.get(i, []):
            for j in range(a, min(b, len(chars))):
                chars[j] = " "
        out.append("".join(chars))
    return "\n".join(out)


def inline_formulas(modules: dict[str, Path]) -> list[tuple[str, int, str, str]]:
    hits = []
    for path in modules.values():
        rel = path.relative_to(ROOT).as_posix()
        if rel.split("/")[0] not in FORMULA_PACKAGES or rel == TIMEMAP:
            continue
        code = _code_only(path.read_text())
        for lineno, line in enumerate(code.splitlines(), start=1):
            flat = re.sub(r"\s*([-+*/(),=<>:\[\]])\s*", r"\1", line.strip())
            for kind, patterns in FORMULA_PATTERNS.items():
                n = sum(len(re.findall(p, flat)) for p in patterns)
                for _ in range(n):
                    hits.append((rel, lineno, kind, path.read_text().splitlines()[lineno - 1].strip()))
    return hits


def _resolve(module: str, is_pkg: bool, node: ast.ImportFrom) -> str:
    if node.level == 0:
        return node.module or ""
    base = module.split(".") if is_pkg else module.split(".")[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


class _Imports(ast.NodeVisitor):
    def __init__(self):
        self.depth = 0
        self.found: list[tuple[ast.AST, bool]] = []

    def _scope(self, node):
        self.depth += 1
        self.generic_visit(node)
        self.depth -= 1

    visit_FunctionDef = visit_AsyncFunctionDef = visit_Lambda = _scope

    def visit_If(self, node):
        test = ast.unparse(node.test)
        if test in ("TYPE_CHECKING", "typing.TYPE_CHECKING"):   # not imported at run time
            for child in node.orelse:
                self.visit(child)
            return
        self.generic_visit(node)

    def visit_Import(self, node):
        self.found.append((node, self.depth > 0))

    visit_ImportFrom = visit_Import


def import_edges(modules: dict[str, Path]):
    """Edges (src, dst, function_level, private_cross, text) between project modules."""
    edges = []
    for name, path in modules.items():
        is_pkg = path.name == "__init__.py"
        tree = ast.parse(path.read_text())
        visitor = _Imports()
        visitor.visit(tree)
        for node, local in visitor.found:
            targets = []
            if isinstance(node, ast.Import):
                targets = [(a.name, None) for a in node.names]
            else:
                base = _resolve(name, is_pkg, node)
                for a in node.names:
                    sub = f"{base}.{a.name}"
                    targets.append((sub, None) if sub in modules else (base, a.name))
            for mod, attr in targets:
                if mod.split(".")[0] not in PACKAGES:
                    continue
                while mod not in modules and "." in mod:
                    mod = mod.rsplit(".", 1)[0]
                if mod not in modules:
                    continue
                cross = mod.split(".")[0] != name.split(".")[0]
                private = cross and (any(p.startswith("_") for p in mod.split("."))
                                     or (attr is not None and attr.startswith("_")
                                         and not attr.startswith("__")))
                text = f"{path.relative_to(ROOT).as_posix()}:{node.lineno}: {ast.unparse(node)}"
                edges.append((name, mod, local, private, text))
    # one edge per (import statement, target module)
    seen, out = set(), []
    for e in edges:
        key = (e[0], e[1], e[4])
        if key not in seen:
            seen.add(key)
            out.append(e)
    return out


def strongly_connected(nodes, adj):
    index, low, stack, on, out = {}, {}, [], set(), []
    counter = [0]
    sys.setrecursionlimit(10000)

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in adj.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            out.append(sorted(comp))

    for v in nodes:
        if v not in index:
            visit(v)
    return out


def _reaches(adj, src, dst):
    seen, todo = {src}, [src]
    while todo:
        v = todo.pop()
        if v == dst:
            return True
        for w in adj.get(v, ()):
            if w not in seen:
                seen.add(w)
                todo.append(w)
    return False


def counts(verbose: bool = False) -> dict:
    modules = _modules()
    formulas = inline_formulas(modules)
    edges = import_edges(modules)
    adj_all, adj_top = {}, {}
    for src, dst, local, _, _ in edges:
        if src != dst:
            adj_all.setdefault(src, set()).add(dst)
            if not local:
                adj_top.setdefault(src, set()).add(dst)
    cycles = [c for c in strongly_connected(list(modules), adj_all) if len(c) > 1]
    pkg_adj = {}
    for src, dst, *_ in edges:
        a, b = src.split(".")[0], dst.split(".")[0]
        if a != b:
            pkg_adj.setdefault(a, set()).add(b)
    pkg_cycles = [c for c in strongly_connected(list(PACKAGES), pkg_adj) if len(c) > 1]
    private = [e for e in edges if e[3]]
    local = [e for e in edges if e[2] and e[0] != e[1]]
    dodging = [e for e in local if _reaches(adj_top, e[1], e[0])]
    layer = {p: i for i, p in enumerate(PACKAGES)}
    upward = [e for e in edges if layer[e[1].split(".")[0]] > layer[e[0].split(".")[0]]]
    result = {
        "inline_time_map": len(formulas),
        "inline_time_map_by_kind": {k: sum(1 for f in formulas if f[2] == k) for k in FORMULA_PATTERNS},
        "cross_package_private_imports": len(private),
        "import_cycles": len(cycles),
        "modules_in_cycles": sum(len(c) for c in cycles),
        "package_cycles": len(pkg_cycles),
        "upward_imports": len(upward),
        "function_level_project_imports": len(local),
        "cycle_dodging_function_imports": len(dodging),
    }
    if verbose:
        result["details"] = {
            "inline_time_map": [f"{r}:{n}: [{k}] {s}" for r, n, k, s in formulas],
            "cross_package_private_imports": [e[4] for e in private],
            "import_cycles": cycles,
            "package_cycles": pkg_cycles,
            "upward_imports": [e[4] for e in upward],
            "function_level_project_imports": [e[4] for e in local],
            "cycle_dodging_function_imports": [e[4] for e in dodging],
        }
    return result


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--verbose", "-v", action="store_true", help="list every hit")
    parser.add_argument("--json", help="write the counts to this JSON file")
    args = parser.parse_args(argv)
    res = counts(verbose=args.verbose)
    for key, val in res.items():
        if key == "details":
            continue
        print(f"{key:34s} {val}")
    if args.verbose:
        for key, items in res["details"].items():
            print(f"\n# {key}")
            for item in items:
                print("  ", item)
    if args.json:
        Path(args.json).write_text(json.dumps(res, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
