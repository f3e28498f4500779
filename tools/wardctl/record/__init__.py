"""The run record: the one owner of `runs.db` (schema, migrations, writes, queries) and of the state directory.

`wardctl rollout` writes it through `store.Store`; `wardctl status`/`report` read it through `read.Record`;
the CI JSON contract (`contract.py`) and the JUnit file (`junit.py`) are built here once from what `read`
returns. Neither rollout nor report touches the tables directly.
"""
