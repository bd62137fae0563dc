"""gunicorn.conf.py is read by gunicorn itself; these check what it hands over (the hook names must be
gunicorn's, or gunicorn silently ignores them)."""

import gc
import runpy
from pathlib import Path

from gunicorn.config import Config

CONF = Path(__file__).resolve().parent.parent / "gunicorn.conf.py"


def test_every_setting_and_hook_is_one_gunicorn_knows():
    known = set(Config().settings)
    names = {name for name in runpy.run_path(str(CONF)) if not name.startswith("_") and name.islower()}
    assert names - {"os"} <= known


def test_a_worker_freezes_the_loaded_app_and_collects_young_garbage_less_often():
    settings = runpy.run_path(str(CONF))
    before = gc.get_threshold()
    try:
        settings["post_fork"](None, None)
        assert gc.get_threshold() == settings["GC_THRESHOLDS"]
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)
