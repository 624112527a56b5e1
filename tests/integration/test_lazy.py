"""The lazily mapped region: pages appear on first touch, through #PF."""
import re

from monitor import expect, expect_eq
from test_shell import one_error, parse_md, still_works

LAZY_BASE = 0xffffc00000000000
LAZY_SIZE = 1 << 30


def lazy_info(mon):
    out = mon.cmd("lazy info")
    m = {
        "mapped": r"pages mapped: (\d+)",
        "faults": r"faults served: (\d+)",
        "faults_nmi": r"in NMI context: (\d+)\), lost",
        "oom": r"out of memory: (\d+)",
        "frames_total": r"frames: (\d+) total",
        "frames_free": r"(\d+) free",
    }
    info = {}
    for k, rx in m.items():
        g = re.search(rx, out)
        expect(g, "lazy info lacks %s:\n%s" % (k, out))
        info[k] = int(g.group(1))
    return info


def test_touch_maps_each_page_once(mon):
    before = lazy_info(mon)
    expect_eq(before["mapped"], 0, "pages mapped at boot")
    out = mon.cmd("lazy touch 0 1m")
    expect("touched 256 pages: 256 faults, 256 pages mapped" in out, out)
    after = lazy_info(mon)
    expect_eq(after["mapped"], 256, "pages mapped after 1 MiB")
    expect_eq(after["faults"] - before["faults"], 256, "faults for 1 MiB")
    expect(before["frames_free"] - after["frames_free"] >= 256, "frames not taken")
    out = mon.cmd("lazy touch 0 1m")
    expect("touched 256 pages: 0 faults, 256 pages mapped" in out, "second touch: " + out)
    expect_eq(lazy_info(mon)["faults"], after["faults"], "faults after touching again")


def test_reset_unmaps_and_pages_fault_back(mon):
    mon.cmd("lazy touch 0x10000 64k")
    free_touched = lazy_info(mon)["frames_free"]
    out = mon.cmd("lazy reset")
    expect("unmapped 16 pages" in out, out)
    info = lazy_info(mon)
    expect_eq(info["mapped"], 0, "pages mapped after reset")
    expect_eq(info["frames_free"], free_touched + 16, "frames returned by reset")
    faults = info["faults"]
    got = parse_md(mon.cmd("md 0x%x 16" % (LAZY_BASE + 0x10000)))
    expect_eq(len(got), 16, "md of a reset page shows its bytes")
    expect(all(v == 0 for v in got.values()), "a fresh lazy page reads as zeros")
    info = lazy_info(mon)
    expect_eq(info["mapped"], 1, "md faulted exactly one page back in")
    expect_eq(info["faults"], faults + 1, "faults after md")


def test_md_mw_inside_region_fault_pages_in(mon):
    addr = LAZY_BASE + 0x123458
    out = mon.cmd("mw 0x%x 0x1122334455667788" % addr)
    expect("-> 0x1122334455667788" in out, out)
    expect_eq(lazy_info(mon)["mapped"], 1, "pages mapped after mw")
    got = parse_md(mon.cmd("md 0x%x 8" % addr))
    expect_eq(bytes(got[addr + i] for i in range(8)), bytes.fromhex("8877665544332211"),
              "md after mw in the lazy region")
    # a write that straddles two pages maps both
    mon.cmd("mw 0x%x 0xffffffff 4" % (LAZY_BASE + 0x200ffe))
    expect_eq(lazy_info(mon)["mapped"], 3, "pages mapped after a straddling write")


def test_md_past_the_region_is_an_error(mon):
    one_error(mon.cmd("md 0x%x 16" % (LAZY_BASE + LAZY_SIZE)), "0x%x" % (LAZY_BASE + LAZY_SIZE),
              "page fault", "not present")
    expect_eq(lazy_info(mon)["mapped"], 0, "no page mapped past the end")
    one_error(mon.cmd("lazy touch 1g"), "outside")
    one_error(mon.cmd("lazy touch 0x3ffff000 8k"), "outside")
    one_error(mon.cmd("lazy touch zz"), "zz")
    one_error(mon.cmd("lazy frob"), "usage")
    still_works(mon)


def test_exhausting_memory_is_an_error(mon):
    before = lazy_info(mon)
    out = mon.cmd("lazy touch 0 1g", timeout=120)
    err = one_error(out, "out of memory")
    info = lazy_info(mon)
    expect(info["oom"] >= 1, "out-of-memory not counted")
    expect(info["frames_free"] < 16, "memory not exhausted: %d free" % info["frames_free"])
    expect(info["mapped"] > 50000, "too few pages mapped: %d" % info["mapped"])
    still_works(mon)
    out = mon.cmd("lazy reset", timeout=60)
    expect("unmapped %d pages" % info["mapped"] in out, out)
    after = lazy_info(mon)
    # every data frame is back; only the page tables of the region stay
    tables = before["frames_free"] - after["frames_free"]
    expect(0 < tables <= 1 + 1 + 512, "frames kept as page tables: %d" % tables)
    out = mon.cmd("lazy touch 0 8k")
    expect("touched 2 pages: 2 faults" in out, "after recovering: " + out)
    one_error(mon.cmd("md 0x%x" % LAZY_BASE + "zz"), "zz")
