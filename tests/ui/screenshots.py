"""Where the browser tests save their screenshots: artifacts/screenshots/<test>/ in the project
(gitignored; CI keeps artifacts/ and scripts/test prints where it is), or the same layout under
$ZWQA_ARTIFACTS_DIR."""
from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS_ENV = "ZWQA_ARTIFACTS_DIR"


def artifacts_root() -> Path:
    """Return the artifacts folder: $ZWQA_ARTIFACTS_DIR, or artifacts/ in the project."""
    configured = os.environ.get(ARTIFACTS_ENV)
    return Path(configured).resolve() if configured else PROJECT_ROOT / "artifacts"


def screenshot_dir(test_name: str) -> Path:
    """Return an empty folder for one test's screenshots (a previous run's are removed, so
    what is there after a run is what this run saw)."""
    folder = artifacts_root() / "screenshots" / re.sub(r"[^\w.-]+", "_", test_name)
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    return folder
