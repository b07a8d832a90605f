"""Where the project's data lives: language resources, alias tables and the embedded store."""
from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = Path(os.environ.get("TIMELINE_DATA", REPO_ROOT / "data"))
LEXICON_DIR = DATA_DIR / "lexicon"
ACTORS_DIR = DATA_DIR / "actors"
DEFAULT_DB = DATA_DIR / "timeline.duckdb"
SEEDS_DIR = REPO_ROOT / "seeds"
