"""Files in and out: exports, restores, and (later) reports and Jira imports."""
