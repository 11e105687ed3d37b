from clocher.iot.models.devices import Device, DeviceProfile, PendingDevice
from clocher.iot.models.ingestion import Integration, IntegrationKind, Uplink, UplinkStatus
from clocher.iot.models.measurements import Measurement, Rollup, RollupPeriod

__all__ = [
    "Device",
    "DeviceProfile",
    "Integration",
    "IntegrationKind",
    "Measurement",
    "PendingDevice",
    "Rollup",
    "RollupPeriod",
    "Uplink",
    "UplinkStatus",
]
