"""The basics every layer uses: money and its rounding, the error hierarchy, input limits, labels, the one JSON reader and the all-or-nothing file writer, rates and a priced line's record."""
