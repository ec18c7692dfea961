"""Service-task handlers, one module per topic."""
