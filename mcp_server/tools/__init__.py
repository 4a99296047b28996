"""Tool modules; importing them fills registry.TOOLS."""

from . import (  # noqa: F401
    activities,
    analytics,
    dashboards,
    messaging,
    pipeline,
    predictions,
    records,
    schema,
    usage_dashboard,
    views,
    workflows,
    workspace,
)
