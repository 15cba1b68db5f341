"""Service Hall: the domain of a public-service hall.

Modules directly under ``hall`` (models, queue engine, numbers, events, transactions) never
import Flask or the web packages; ``hall.web`` and the ``kiosk``, ``display`` and ``tracking``
blueprints sit on top of them.
"""
