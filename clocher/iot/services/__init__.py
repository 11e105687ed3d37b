"""Writes of Cité IoT: integrations, device profiles and devices, ingestion of uplinks."""
