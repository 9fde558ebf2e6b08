"""Helpers for the add-in tests: Excel's JSON payload from a real .xlsx, and Excel's actions applied back to it."""
