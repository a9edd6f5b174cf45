"""Printed sheets (PDF, reportlab) and workbooks (Excel, openpyxl), written atomically.

Imported only when an export is asked for, so that start-up does not pay for reportlab,
openpyxl or pandas.
"""
