"""Live pushes, one home: committed events in, each audience's messages out over Socket.IO.

The rules (which audience gets what, the coalescing of counts) are the domain's, in
``hall/live.py``; here they are fed with this process's committed events and sent:
``publisher`` (floor, cases, ratings), ``dashboards`` (managers' snapshots, gathered),
``tickets`` (visitors' phones following their own ticket), ``rooms`` (namespaces and
rooms). The namespaces that clients join live with their screens
(display/sockets.py, hall/web/staff_sockets.py) and take their room names from here.
"""
from .publisher import FloorPublisher
from .tickets import TicketWatch

__all__ = ["FloorPublisher", "TicketWatch"]
