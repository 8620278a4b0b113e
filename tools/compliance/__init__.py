"""The proof report: which tests prove each clause of the policy in force (``make compliance``).

``plugin`` is the pytest plugin that checks the ``policy``/``law`` markers at collection and
records each test's markers, first docstring line and outcome; ``policy`` reads the clauses of
the policy text; ``report`` turns one or more runs into ``report.{json,html,md}``.
"""
