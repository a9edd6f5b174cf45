"""The command line: `landcomp` and `landcomp ledger`."""
