"""The set-up scripts on a fresh machine: a stock Debian PostgreSQL (password on 127.0.0.1, peer on the socket)
and an apt that another process holds."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

ROOT = Path(__file__).resolve().parents[2]


def test_apt_install_waits_for_another_apt_instead_of_failing(tmp_path):
    """A fake apt-get records how it is called: both update and install must wait on the dpkg lock."""
    calls = tmp_path / "calls"
    fake = tmp_path / "bin" / "apt-get"
    fake.parent.mkdir()
    fake.write_text(f'#!/bin/sh\necho "$*" >> {calls}\n')
    fake.chmod(0o755)
    env = {**os.environ, "PATH": f"{fake.parent}:{os.environ['PATH']}"}
    script = f'source {ROOT}/scripts/lib.sh; apt_install cr-no-such-package-0'
    subprocess.run(["bash", "-c", script], env=env, check=True, capture_output=True)
    lines = calls.read_text().splitlines()
    assert len(lines) == 2 and all("DPkg::Lock::Timeout=600" in line for line in lines)
    assert "update" in lines[0] and "install" in lines[1] and "cr-no-such-package-0" in lines[1]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.skipif(os.geteuid() != 0 or not shutil.which("pg_createcluster"),
                    reason="needs root and Debian's postgresql-common (CI has both)")
def test_services_script_prepares_a_stock_debian_postgresql(tmp_path):
    """A new cluster with Debian's default authentication (scram-sha-256 on 127.0.0.1, peer on the socket):
    scripts/services.sh starts it and creates the suite's role and database, reachable with the password."""
    version = sorted(os.listdir("/etc/postgresql"), key=lambda v: [int(p) for p in v.split(".")])[-1]
    cluster, port = f"crtest{os.getpid()}", _free_port()
    subprocess.run(["pg_createcluster", version, cluster, "-p", str(port)], check=True, capture_output=True)
    try:
        hba = Path(f"/etc/postgresql/{version}/{cluster}/pg_hba.conf").read_text()
        assert "scram-sha-256" in hba and " trust" not in hba  # really the stock, password-asking set-up
        env = {**os.environ, "CR_TEST_PG_PORT": str(port), "CR_TEST_PG_CLUSTER": cluster}
        for _ in range(2):  # idempotent: a second run changes nothing and still succeeds
            done = subprocess.run(["bash", str(ROOT / "scripts/services.sh")], env=env, capture_output=True,
                                  text=True, timeout=120)
            assert done.returncode == 0, done.stderr[-2000:]
        engine = create_engine(f"postgresql://cr_test:cr_test@127.0.0.1:{port}/cr_test")
        with engine.connect() as conn:
            assert conn.execute(text("SELECT current_user")).scalar() == "cr_test"
            assert conn.execute(text("SELECT rolcreatedb FROM pg_roles WHERE rolname = 'cr_test'")).scalar()
        engine.dispose()
        wrong = create_engine(f"postgresql://cr_test:wrong@127.0.0.1:{port}/cr_test")
        with pytest.raises(OperationalError, match="password authentication failed"):
            wrong.connect()
        wrong.dispose()
    finally:
        subprocess.run(["pg_dropcluster", "--stop", version, cluster], capture_output=True)
