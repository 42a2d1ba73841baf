"""The layers point one way (ARCHITECTURE.md), with no import cycles: read from the source with `ast`, every
import counts, also one inside a function body. And the headless commands load neither plotly nor streamlit."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# Each module's layer: the longest matching prefix wins. A new module must be placed here (the test says so).
LAYER_OF = {
    "gan_core": "core",  # the package itself: Config, Trainer
    "gan_core.config": "core", "gan_core.data": "core", "gan_core.models": "core", "gan_core.losses": "core",
    "gan_core.optim": "core", "gan_core.trainer": "core", "gan_core.history": "core", "gan_core.display": "core",
    "gan_core.presets": "core", "gan_core.dirac": "core", "gan_core.resources": "core", "gan_core.ensemble": "core",
    "gan_core.loop": "core", "gan_core.ensemble_optim": "core",
    "gan_core.metrics": "evaluation", "gan_core.digits": "evaluation", "gan_core.diagnosis": "evaluation",
    "gan_core.evaluate": "evaluation", "gan_core.views": "evaluation", "gan_core.schedule": "evaluation",
    "gan_core.optimal_d": "evaluation", "gan_core.frames": "evaluation",
    "gan_core.store": "runs", "gan_core.tables": "runs", "gan_core.replay": "runs", "gan_core.gif": "runs",
    "gan_core.headless": "runs", "gan_core.verify": "runs", "gan_core.sweep": "runs",
    "gan_core.sweep_ray": "runs", "gan_core.classroom": "runs",
    "gan_core.figures": "figures",
    "gan_core.ui": "ui", "gan_core.host": "host",
    "gan_core.cli": "entry", "gan_core.compare_cli": "entry", "gan_core.sweep_cli": "entry", "gan_core.__main__": "entry", "gan_core.bench": "entry", "pages": "entry", "app": "entry",
}
# What each layer may import (DESIGN.md: core <- evaluation <- runs <- figures <- ui <- pages).
MAY_IMPORT = {
    "core": {"core"},
    "evaluation": {"core", "evaluation"},
    "runs": {"core", "evaluation", "runs"},
    "figures": {"core", "evaluation", "runs", "figures"},
    "host": {"core", "evaluation", "runs", "host"},  # beside figures and ui: trains, never draws
    "ui": {"core", "evaluation", "runs", "figures", "host", "ui"},
    "entry": {"core", "evaluation", "runs", "figures", "host", "ui", "entry"},
}
ENGINE_LAYERS = ("core", "evaluation", "runs", "host")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def sources() -> dict[str, Path]:
    files = [*ROOT.joinpath("gan_core").rglob("*.py"), *ROOT.joinpath("pages").glob("*.py"), ROOT / "app.py"]
    return {module_name(f): f for f in files}


def resolve(name: str, known: dict[str, Path]) -> str | None:
    """The project module `name` refers to (a module, or a package for `from package import name`)."""
    while name:
        if name in known:
            return name
        name = name.rpartition(".")[0]
    return None


def imports_of(module: str, path: Path, known: dict[str, Path]) -> set[str]:
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            names = [f"{base}.{a.name}" for a in node.names] + [base]
        else:
            continue
        for n in names:
            target = resolve(n, known)
            if target and target != module:
                found.add(target)
    return found


def layer(module: str) -> str | None:
    """The layer of the longest LAYER_OF prefix (a package covers its sub-modules; `gan_core` is only itself)."""
    best = max((p for p in LAYER_OF if module == p or (p != "gan_core" and module.startswith(p + "."))), key=len,
               default=None)
    return LAYER_OF[best] if best else None


GRAPH = {m: imports_of(m, p, sources()) for m, p in sources().items()}


def test_every_module_has_a_layer():
    missing = sorted(m for m in GRAPH if layer(m) is None)
    assert not missing, f"place these modules in a layer (tests/test_layers.py LAYER_OF): {missing}"


def test_imports_point_down_the_layers():
    wrong = [f"{m} ({layer(m)}) imports {t} ({layer(t)})" for m, targets in GRAPH.items() for t in sorted(targets)
             if layer(m) and layer(t) and layer(t) not in MAY_IMPORT[layer(m)]]
    assert not wrong, "upward imports:\n" + "\n".join(wrong)


def test_no_import_cycles():
    # `gan_core` (the package's __init__) is imported by every `from gan_core import x`; its own imports
    # are Config and Trainer, which import nothing above the core, so the package node is left out here.
    graph = {m: {t for t in ts if t != "gan_core"} for m, ts in GRAPH.items() if m != "gan_core"}
    state, stack, cycles = {}, [], []

    def visit(m):
        state[m] = "open"
        stack.append(m)
        for t in sorted(graph.get(m, ())):
            if state.get(t) == "open":
                cycles.append(" -> ".join(stack[stack.index(t):] + [t]))
            elif t not in state:
                visit(t)
        stack.pop()
        state[m] = "done"

    for m in sorted(graph):
        if m not in state:
            visit(m)
    assert not cycles, "import cycles:\n" + "\n".join(cycles)


def test_the_layer_test_catches_an_upward_import(tmp_path):
    """The checker itself: an engine module that imports the UI is reported (guards against a test that
    cannot fail, e.g. if `resolve` stopped finding modules)."""
    fake = tmp_path / "gan_core" / "trainer.py"
    fake.parent.mkdir()
    fake.write_text("def f():\n    from .ui import panels\n")
    found = imports_of("gan_core.trainer", fake, {"gan_core.trainer": fake, "gan_core.ui.panels": fake,
                                                   "gan_core.ui": fake})
    assert found == {"gan_core.ui.panels", "gan_core.ui"}
    assert "gan_core.ui.panels" in GRAPH and layer("gan_core.ui.panels") not in MAY_IMPORT["core"]


def test_engine_layers_import_neither_streamlit_nor_plotly():
    bad = []
    for m, p in sources().items():
        if layer(m) in ENGINE_LAYERS:
            for node in ast.walk(ast.parse(p.read_text(encoding="utf-8"))):
                names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                         else [node.module or ""] if isinstance(node, ast.ImportFrom) and not node.level else [])
                bad += [f"{m}: {n}" for n in names if n.split(".")[0] in ("streamlit", "plotly")]
    assert not bad, bad


@pytest.mark.parametrize("argv", [
    ["train", "--preset", "ring-stable", "--steps", "30", "--json", "--out", "{tmp}/run"],
    ["compare", "{tmp}/run", "--out", "{tmp}/curves.csv"],
])
def test_headless_commands_load_neither_plotly_nor_streamlit(tmp_path, argv):
    if argv[0] == "compare":
        subprocess.run([sys.executable, "-m", "gan_core", "train", "--steps", "30", "--out", str(tmp_path / "run")],
                       check=True, capture_output=True, timeout=120, cwd=ROOT)
    args = [a.format(tmp=tmp_path) for a in argv]
    code = ("import sys; from gan_core.cli import main; rc = main(sys.argv[1:]); "
            "bad = sorted({m.split('.')[0] for m in sys.modules} & {'plotly', 'streamlit'}); "
            "print('LOADED', bad, file=sys.stderr); sys.exit(rc or (3 if bad else 0))")
    proc = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "LOADED []" in proc.stderr
