"""Developer tooling: test set-up and the test/lint tasks."""
