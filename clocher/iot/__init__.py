"""Cité IoT — connected objects of the territory (issue 4, in progress).

So far: the pure building blocks, without models yet (the app is not installed):
``codecs/`` (built-in decoders of common municipal sensors, sandboxed JavaScript codecs) and
``network/`` (ChirpStack v4, The Things Stack v3 and SenML messages read into one normalised
form). See docs/architecture.md.
"""
