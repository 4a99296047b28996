"""Throwaway staging stacks as the end-to-end test."""
