"""The 地价测算 workspace: one parcel priced from the 五台 benchmark tables, with corrections, undo and files."""
