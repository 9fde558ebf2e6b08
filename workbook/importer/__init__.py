"""Bringing a council's existing plan (a Word document, a spreadsheet or a CSV) into a tracker.

``readers`` turns the source into tables of cells (text, fill colour, place); ``mapping`` finds the action table and
its columns; ``build`` turns the rows into a tracker's officers' rows and the preview. The tracker itself is made by
``jobs.new_tracker``, exactly as ``new`` and the demo make theirs.
"""
