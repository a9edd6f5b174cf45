"""台账: the project's households (model, workspace, dialogs)."""
