"""Test utilities every module uses: factories for tenants and staff, signed-in clients."""
