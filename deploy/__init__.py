"""Reconciles what apps/ declares with a live Twenty workspace, and the ops runbook."""
