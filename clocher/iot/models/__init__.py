from clocher.iot.models.adoption import AdoptionChannel, ProfileAdoption
from clocher.iot.models.devices import Device, DeviceProfile, PendingDevice
from clocher.iot.models.ingestion import Integration, IntegrationKind, Uplink, UplinkStatus
from clocher.iot.models.measurements import Measurement, Rollup, RollupPeriod
from clocher.iot.models.opendata import PublishedDatastream

__all__ = [
    "AdoptionChannel",
    "Device",
    "DeviceProfile",
    "Integration",
    "IntegrationKind",
    "Measurement",
    "PendingDevice",
    "ProfileAdoption",
    "PublishedDatastream",
    "Rollup",
    "RollupPeriod",
    "Uplink",
    "UplinkStatus",
]
