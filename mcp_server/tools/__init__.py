"""Tool modules; importing them fills registry.TOOLS."""

from . import activities, crm, records, schema, workflows  # noqa: F401
