"""Router simulators for the lab: SSH servers that talk like Cisco IOS and MikroTik RouterOS. They are devices
under test, not part of the shipped `wardctl` package; one subpackage per dialect.

One process simulates one router (`python -m wardsim --state-dir DIR`); its state lives in DIR
so the lab manager and the tests can inspect it through plain files.
"""
