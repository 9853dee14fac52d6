"""The README's command-line examples run as written, on the files that the demo provides.

Each line of the README's "The command line" block is run through bash from the project root,
with the demo loaded into a fresh data folder (the README's ``~/.local/share/nmguard`` becomes
that folder). ``serve`` blocks and the interactive ``createuser`` asks at a terminal by design, so
those two are left out; everything else must exit 0.
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
INTERACTIVE = ("nmguard serve", "asks for the password")


def readme_examples() -> list[str]:
    text = (ROOT / "README.md").read_text()
    block = text.split("## The command line", 1)[1].split("```sh", 1)[1].split("```", 1)[0]
    lines = [line.strip() for line in block.splitlines() if line.strip()]
    return [line for line in lines if not any(word in line for word in INTERACTIVE)]


def test_readme_lists_the_examples():
    examples = readme_examples()
    assert len(examples) >= 15
    assert any("qc uniformity" in line for line in examples)
    assert any("dosimetry run" in line for line in examples)


def test_every_readme_example_runs_as_written(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("NMGUARD_DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
    env["NMGUARD_DATA_DIR"] = str(tmp_path / "data")
    env["PASSWORD"] = "tricky-horse-battery-9"
    demo = subprocess.run(
        [".venv/bin/nmguard", "demo", "--no-serve"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600
    )
    assert demo.returncode == 0, demo.stderr
    assert "flood.dcm" in demo.stdout
    for line in readme_examples():
        command = re.sub(r"~/\.local/share/nmguard", env["NMGUARD_DATA_DIR"], line)
        command = command.replace("/tmp/lu177-run", str(tmp_path / "lu177-run"))
        command = command.replace("--to /tmp/", f"--to {tmp_path}/")  # the backup tar stays in the test's folder
        done = subprocess.run(["bash", "-c", command], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
        assert done.returncode == 0, f"{line}\n{done.stderr[-2000:]}"
