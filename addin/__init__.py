"""The Excel side of ofsted-tracker: xlwings macros behind the "Improvement Plan" ribbon tab, and its add-in builder."""
