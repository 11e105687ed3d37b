from clocher.iot.models.alerts import (
    Alert,
    AlertEvent,
    AlertRecipient,
    AlertRule,
    AlertRuleState,
    AlertSettings,
)
from clocher.iot.models.devices import Device, DeviceProfile, PendingDevice
from clocher.iot.models.ingestion import Integration, IntegrationKind, Uplink, UplinkStatus
from clocher.iot.models.measurements import Measurement, Rollup, RollupPeriod
from clocher.iot.models.opendata import PublishedDatastream

__all__ = [
    "Alert",
    "AlertEvent",
    "AlertRecipient",
    "AlertRule",
    "AlertRuleState",
    "AlertSettings",
    "Device",
    "DeviceProfile",
    "Integration",
    "IntegrationKind",
    "Measurement",
    "PendingDevice",
    "PublishedDatastream",
    "Rollup",
    "RollupPeriod",
    "Uplink",
    "UplinkStatus",
]
