"""No custom functions: the add-in has ribbon scripts only (xlwings-server requires this package to exist)."""
