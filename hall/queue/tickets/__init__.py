"""Tickets (号票): issuing, appointments, calling, staff sessions, the calling order and views."""
