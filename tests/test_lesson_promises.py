"""CI: every lesson's Look-for, Explain and Fix claims, as its preset's `expect` and `fix_changes`, hold at
the lesson's seed (0, the seed the Lab runs), through `python -m gan_core presets --verify --seeds 0`.

Each group is a lesson preset and its fix, trained together so that the fix's changes are compared on the
same seed (ring-stable, the stable recipe's preset, is the mode-collapse lesson's fix). Training time, one
torch thread each (seconds from the rows of assets/verify/lessons.json): 802 s + 753 s + 506 s + 34 s, measured
on 2026-12-02 on a 2-core machine shared with a dozen other jobs (load average 13-25); a quiet machine takes
a fraction of that, but this is still the slowest test file by far."""

import json

import pytest

from gan_core.cli import main
from gan_core.presets import PRESETS
from gan_core.ui import lab

GROUPS = [("ring-mode-collapse", "ring-stable"), ("vanishing-gradients", "vanishing-gradients-fixed"),
          ("oscillation", "oscillation-fixed"), ("divergence", "divergence-fixed")]


def test_groups_cover_every_lesson_preset_and_fix():
    wanted = {n for p in lab.LESSONS.values() for n in (p, PRESETS[p].fix) if n}
    assert wanted == {n for g in GROUPS for n in g}
    assert all(PRESETS[a].fix == b for a, b in GROUPS)
    for a, _ in GROUPS:  # every lesson claims something about its run and about what its fix changes
        assert PRESETS[a].expect and PRESETS[a].fix_changes, a


@pytest.mark.parametrize("group", GROUPS, ids=[g[0] for g in GROUPS])
def test_lesson_promises_hold_at_seed_0(group, capsys):
    code = main(["presets", "--verify", "--seeds", "0", "--json", "--only", *group])
    rows = json.loads(capsys.readouterr().out)
    missed = {r["preset"]: r["failed"] for r in rows if not r["passed"]}
    assert code == 0 and not missed, missed
