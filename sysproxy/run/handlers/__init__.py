"""The translations, one module per family; importing them fills ``call.HANDLERS``."""
from . import fds, io, paths, process  # noqa: F401
