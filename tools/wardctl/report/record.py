"""The report side's name for the run record reader (wardctl.record.read owns it; this only re-exports)."""

from wardctl.record.read import (
    LATEST,
    NO_RUNS,
    REPORT_KINDS,
    FailureEntry,
    HostResult,
    Record,
    RunInfo,
    WardRecord,
    contract_status,
    kind_name,
)

__all__ = [
    "LATEST", "NO_RUNS", "REPORT_KINDS", "FailureEntry", "HostResult", "Record", "RunInfo", "WardRecord",
    "contract_status", "kind_name",
]  # fmt: skip
