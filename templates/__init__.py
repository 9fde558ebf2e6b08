"""The Word template the policy team edits, shipped inside the package as ofsted_tracker.templates."""
