"""Background work of the core: the periodic maintenance jobs, and the worker runtime.

``clocher.core.tasks.maintenance`` holds the jobs (imported here so the scheduler's
autodiscovery of ``<app>.tasks`` registers them); ``clocher.core.tasks.worker`` holds what
``clocher worker`` runs besides the queue: the heartbeat and the scheduler thread.
"""

from clocher.core.tasks.maintenance import prune_scheduled_runs, prune_task_results, worker_watchdog

__all__ = ["prune_scheduled_runs", "prune_task_results", "worker_watchdog"]
