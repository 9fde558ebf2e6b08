"""The Word committee report: ``build_report(summary, output, template=None)`` fills the policy team's template.

Only this name is public. docx and docxtpl are imported when a report is built, not here, so the
command line starts fast.
"""

from ofsted_tracker.report_builder.build import build_report

__all__ = ["build_report"]
