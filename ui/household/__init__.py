"""The 补偿测算 workspace: one household's case, edited line by line and priced live."""
