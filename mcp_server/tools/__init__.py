"""Tool modules; importing them fills registry.TOOLS."""

from . import activities, crm, predictions, records, schema, workflows  # noqa: F401
