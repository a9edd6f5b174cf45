"""Outside formats: the text report, the printed sheets and workbooks, the ledger's workbook."""
