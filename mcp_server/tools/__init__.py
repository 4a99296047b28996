"""Tool modules; importing them fills registry.TOOLS."""

from . import crm, records, schema  # noqa: F401
