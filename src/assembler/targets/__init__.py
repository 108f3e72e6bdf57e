"""The output formats: one module per format, listed in :mod:`.registry`.

Nothing is imported here, so the light modules (:mod:`.base`, used by the
banner reader and the drift scan) load without the formats themselves.
"""
