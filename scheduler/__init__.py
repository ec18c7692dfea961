"""Timer and job polling, and the worker process."""
