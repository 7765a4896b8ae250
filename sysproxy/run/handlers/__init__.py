"""The translations, one module per family; importing them fills ``call.HANDLERS``."""
from . import epoll, fds, io, net, paths, poll, process  # noqa: F401
