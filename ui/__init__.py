"""landcomp's desktop app (PySide6).

The domain lives in `calculator/` and `tables/` and has no Qt; this package only shows what
they return. `ui.app.run` is the entry point (`python main.py`); `ui.main_window` holds the
workspaces (补偿测算 now; 地价测算, 标准查阅 and 台账 are meant to join it as further
`ui.workspace.Workspace` tabs).
"""

from ui._pyside_none import keep_singletons_alive

keep_singletons_alive()
