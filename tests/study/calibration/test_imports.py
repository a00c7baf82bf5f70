"""The calibration package loads ``scipy.stats`` only when a fit runs.

Why: the dashboard imports ``sim.study.calibration`` for its tenant panel on every page,
and ``scipy.stats`` is about 0.8 s of a cold start and 45 MB of the server's memory
(docs/performance-history.md, the dashboard's night section); the intervals of a fit use
``scipy.special.ndtri``, the same numbers as ``scipy.stats.norm.ppf``.
"""

from __future__ import annotations

import subprocess
import sys

from scipy import special, stats

from sim.study.calibration.arrivals import CONFIDENCE
from tests.paths import ROOT


def _stats_loaded(code: str) -> str:
    probe = f"import sys\n{code}\nprint('scipy.stats' in sys.modules)"
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.splitlines()[-1]


def test_importing_calibration_leaves_scipy_stats_until_a_duration_fit_runs() -> None:
    assert _stats_loaded("import sim.study.calibration") == "False"
    fit = (
        "import numpy as np\n"
        "import sim.study.calibration\n"
        "from sim.study.calibration.durations import fit_durations\n"
        "fit_durations(np.array([30.0, 60.0, 95.0, 240.0, 600.0]))"
    )
    assert _stats_loaded(fit) == "True"  # the probe does see it when a fit needs it


def test_the_normal_quantile_is_the_one_scipy_stats_gives() -> None:
    q = 0.5 + CONFIDENCE / 2
    assert special.ndtri(q) == stats.norm.ppf(q)
