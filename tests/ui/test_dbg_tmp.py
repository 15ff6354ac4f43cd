from tests.ui.test_docks import *
def test_dbg(small_window, qtbot):
    w=small_window
    print(w.tabifiedDockWidgets(w.metrics_dock), w.metrics.isVisible(), w.problems.isVisible(), w.metrics_dock.isVisible(), w.problems_dock.isVisible())
    w.problems_dock.raise_()
    qtbot.wait(100)
    print(w.metrics.isVisible(), w.problems.isVisible(), w.metrics_dock.isVisible(), w.problems_dock.isVisible(), w.metrics_dock.visibleRegion().isEmpty())
