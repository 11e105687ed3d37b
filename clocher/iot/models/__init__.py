from clocher.iot.models.adoption import AdoptionChannel, ProfileAdoption
from clocher.iot.models.alerts import (
    Alert,
    AlertEvent,
    AlertRecipient,
    AlertRule,
    AlertRuleState,
    AlertSettings,
)
from clocher.iot.models.control import (
    Command,
    CommandEvent,
    CommandState,
    ControlSettings,
    Schedule,
    ScheduleRun,
    SchoolHolidayPeriod,
)
from clocher.iot.models.devices import Device, DeviceProfile, PendingDevice
from clocher.iot.models.health import HealthCounter, HealthOutcome, RejectedMessage
from clocher.iot.models.ingestion import Integration, IntegrationKind, Uplink, UplinkStatus
from clocher.iot.models.measurements import Measurement, Rollup, RollupPeriod
from clocher.iot.models.opendata import PublishedDatastream

__all__ = [
    "AdoptionChannel",
    "Alert",
    "AlertEvent",
    "AlertRecipient",
    "AlertRule",
    "AlertRuleState",
    "AlertSettings",
    "Command",
    "CommandEvent",
    "CommandState",
    "ControlSettings",
    "Device",
    "DeviceProfile",
    "HealthCounter",
    "HealthOutcome",
    "Integration",
    "IntegrationKind",
    "Measurement",
    "PendingDevice",
    "ProfileAdoption",
    "PublishedDatastream",
    "RejectedMessage",
    "Rollup",
    "RollupPeriod",
    "Schedule",
    "ScheduleRun",
    "SchoolHolidayPeriod",
    "Uplink",
    "UplinkStatus",
]
