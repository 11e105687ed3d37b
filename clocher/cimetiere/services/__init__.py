"""Writes of the cemetery module, one module per aggregate (concessions, operations, imports,
documents)."""
