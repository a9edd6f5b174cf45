"""landcomp's domain: the 堡子 compensation engine and the 五台 land price engine.

Pure Python (no Qt). Money is `decimal.Decimal` end to end and is rounded in exactly one
place, `calculator.core.money.round_money`.
"""
