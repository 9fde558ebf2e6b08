"""The ofsted-tracker command: the tracker's jobs run headless from a terminal or a scheduled task."""
