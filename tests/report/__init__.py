"""Helpers for the report tests: reading the produced .docx back, and plans made to stress the report."""
