"""The tracker workbook: its schema, the plan model, the rules, and reading and writing the .xlsx."""
