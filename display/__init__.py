"""Wall displays of a hall: the current call in large type, recent calls, waiting counts,
spoken aloud; fed live over Socket.IO from the hall's events.

The pages and the ``/display`` Socket.IO namespace arrive with issue #3; until then this
package only holds the place the design card gives it.
"""
