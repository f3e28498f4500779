"""What reads the run record: `wardctl status`, `wardctl report` (ward and city) and the JUnit file for CI.

Nothing here writes the record; docs/rollout.md describes the formats and the JSON contract.
"""
