import subprocess
import sys


def test_engine_does_not_import_streamlit_or_plotly():
    code = ("import sys, gan_core, gan_core.cli, gan_core.trainer, gan_core.metrics, gan_core.diagnosis, "
            "gan_core.runs, gan_core.dirac, gan_core.presets, gan_core.evaluate, gan_core.snapshot; "
            "bad = [m for m in ('streamlit', 'plotly') if m in sys.modules]; print(bad); sys.exit(bool(bad))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
