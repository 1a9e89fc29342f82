"""Ratio arithmetic: 优良天数比例, Ⅰ–Ⅲ类断面比例 and target budgets (filled in by the standards core)."""
