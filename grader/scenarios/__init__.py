"""Truth files, for every phase: a phase's ``scenarios/`` folder of YAML files, validated by its own schema.

- ``Catalogue(phase, folder, schema)`` — ``.load(id)`` (cached, hidden truth: server-side only),
  ``.list()`` (public ``ScenarioMeta``, safe for any page), ``.parse(text, file=...)`` (an upload, a test).
- ``ScenarioError`` — unknown or malformed scenario; ``str(err)`` is "file: field: reason" and the parts are
  ``err.file``, ``err.field``, ``err.reason``.
"""

from grader.scenarios.loader import Catalogue, ScenarioError, ScenarioMeta, parse_truth_file

__all__ = ["Catalogue", "ScenarioError", "ScenarioMeta", "parse_truth_file"]
