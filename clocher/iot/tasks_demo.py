"""The demo's live feed (run by the worker of ``clocher run`` / ``clocher worker``).

Imported by ``IotConfig.ready()`` so that its periodic job is registered. On an instance that is
not the demo (no commune ``vaux-la-cloche`` under the demo operator with the demo's devices), the
job does nothing.
"""

from __future__ import annotations

from datetime import timedelta

from django_tasks import task

from clocher.core.scheduling import periodic


@periodic(name="iot.demo_live_feed", every=timedelta(minutes=5))
@task()
def demo_live_feed() -> int:
    """One new reading per demo sensor for the current five-minute slot (a slot fed already is
    a duplicate and changes nothing); returns how many uplinks were stored."""
    from clocher.iot.demo import live_tick

    return live_tick()
