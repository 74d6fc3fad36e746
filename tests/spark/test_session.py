"""The local Spark session binds its driver to loopback (issue 25 item 6)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.filterwarnings("ignore::FutureWarning")


def listening_addresses(port: int) -> set[str]:
    """The IPv4/IPv6 addresses a TCP socket listens on `port` at (from /proc/net)."""
    found = set()
    for name in ("tcp", "tcp6"):
        table = Path("/proc/net") / name
        if not table.exists():
            continue
        for line in table.read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, hex_port = local.rsplit(":", 1)
            if state == "0A" and int(hex_port, 16) == port:
                found.add(address)
    return found


def test_local_mode_binds_the_driver_to_127_0_0_1_issue25_item6(spark: Any) -> None:
    conf = spark.sparkContext.getConf()
    assert conf.get("spark.driver.bindAddress") == "127.0.0.1"
    assert conf.get("spark.driver.host") == "127.0.0.1"
    if not Path("/proc/net/tcp").exists():
        pytest.skip("no /proc/net to see where the driver listens")
    # The driver's RPC port really listens on loopback only: 127.0.0.1, as IPv4 or as an
    # IPv4-mapped IPv6 address; not 0.0.0.0, not the machine's network interface.
    loopback = {"0100007F", "0000000000000000FFFF00000100007F"}
    found = listening_addresses(int(conf.get("spark.driver.port")))
    assert found and found <= loopback, found
