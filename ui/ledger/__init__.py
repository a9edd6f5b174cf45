"""台账: the project's households (model, workspace with its layout and file actions, dialogs)."""
