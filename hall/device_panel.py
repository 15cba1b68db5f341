"""The devices panel of the manager's dashboard: the hall's devices in use, with today's
tickets of each, and today's alerts of a device asking for tickets unusually fast."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .models import Device, Event, Hall, Ticket


@dataclass(frozen=True)
class DeviceFigure:
    """A device as the manager's dashboard lists it."""

    id: int
    kind: str
    name: str
    window_no: int | None
    locked: bool
    last_seen_at: str | None
    tickets_today: int


@dataclass(frozen=True)
class DeviceAlert:
    at: str
    name: str
    tickets: int
    seconds: int


def panel(session: Session, hall: Hall, day: date,
          since: datetime) -> tuple[list[DeviceFigure], list[DeviceAlert]]:
    """The hall's devices in use (with today's tickets each) and today's alerts of devices
    issuing unusually fast, newest first: three small queries."""
    issued = dict(session.execute(
        select(Ticket.device_id, func.count()).where(
            Ticket.hall_id == hall.id, Ticket.day == day, Ticket.device_id.is_not(None))
        .group_by(Ticket.device_id)).all())
    figures = [
        DeviceFigure(d.id, d.kind, d.name, d.window_no, d.locked,
                     d.last_seen_at.isoformat() if d.last_seen_at else None, issued.get(d.id, 0))
        for d in session.scalars(select(Device).where(Device.hall_id == hall.id,
                                                      Device.revoked_at.is_(None))
                                 .order_by(Device.kind, Device.name))]
    alerts = [
        DeviceAlert(at.isoformat(), str(data.get("name", "")), int(data.get("tickets", 0)),
                    int(data.get("seconds", 0)))
        for at, data in session.execute(
            select(Event.at, Event.data).where(Event.hall_id == hall.id, Event.at >= since,
                                               Event.kind == "device.issuing_fast")
            .order_by(Event.id.desc()).limit(10))]
    return figures, alerts
