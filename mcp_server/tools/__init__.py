"""Tool modules; importing them fills registry.TOOLS."""

from . import activities, crm, dashboards, predictions, records, schema, views, workflows  # noqa: F401
