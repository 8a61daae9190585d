"""docs/gallery.md shows every figure the program draws, and stays in step with its script.

Nothing is redrawn here (``python scripts/write_gallery.py`` takes a minute): the
test checks that every figure function of :mod:`crisis_sim.present.plots` is in
the script's figure list, that the committed page is the one the script writes,
and that the PNGs the page names are exactly the files in docs/img/gallery/.
"""

from __future__ import annotations

import inspect
import re

from conftest import PROJECT, load_script
from crisis_sim.present import plots

PAGE = PROJECT / "docs" / "gallery.md"
IMAGES = PROJECT / "docs" / "img" / "gallery"




def _figure_functions() -> set[str]:
    """Public functions of the plots module that draw or save figures (``plot_*``, ``save_*``)."""
    return {
        name
        for name, obj in inspect.getmembers(plots, inspect.isfunction)
        if obj.__module__ == plots.__name__ and name.startswith(("plot_", "save_"))
    }


def test_every_figure_function_is_in_the_gallery() -> None:
    functions = _figure_functions()
    assert {"plot_escalation", "plot_fan_chart", "save_group_plots"} <= functions
    listed = {name for figure in load_script("write_gallery").FIGURES for name in figure.functions}
    assert listed == functions
    page = PAGE.read_text(encoding="utf-8")
    for name in functions:
        assert f"`{name}`" in page, name


def test_the_page_is_the_one_the_script_writes() -> None:
    assert PAGE.read_text(encoding="utf-8") == load_script("write_gallery").markdown()


def test_the_pngs_named_on_the_page_are_the_script_list_and_the_files() -> None:
    named = re.findall(r"\]\(img/gallery/([^)]+\.png)\)", PAGE.read_text(encoding="utf-8"))
    script = [figure.png for figure in load_script("write_gallery").FIGURES]
    assert named == script
    assert sorted(p.name for p in IMAGES.glob("*.png")) == sorted(script)
    assert len(set(script)) == len(script)
    total = 0
    for path in IMAGES.glob("*.png"):
        assert path.read_bytes().startswith(b"\x89PNG")
        total += path.stat().st_size
    assert total < 600_000  # small PNGs: the gallery stays light in the repository
