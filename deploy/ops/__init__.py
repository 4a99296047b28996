"""The ops runbook: `inv ops.*` (tasks.py) over runbook.py, flags.py (Twenty feature flags) and
restore.py (backup + restore drill)."""
