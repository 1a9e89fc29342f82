"""The application layer: one function per use case, store and clock in, typed values out.

Routes (``service/api``), CLI commands (``service/cli*``), reports (``service/reports``), maps data and
alerts ask this package for their figures; none of them assembles figures itself or imports another's
private helpers, and nothing here knows HTTP. Each use case lives in a module named for what it answers
(for example district figures, station series, water and sea figures, zone summaries, report data, map
data, exports); import the function from its module.
"""
