"""Design files and non-Qt exports (no Qt here)."""

from designer.io.dcplan import (
    DesignFileError, dumps_design, loads_design, read_design, remove_stale_temporaries, write_design,
)

__all__ = ["DesignFileError", "dumps_design", "loads_design", "read_design", "remove_stale_temporaries",
           "write_design"]
