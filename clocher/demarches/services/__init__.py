"""Writes of démarches: one module per part (submission, catalogue, instruction, retention…)."""
