"""Ledgers that can fail: NMIs counted against QEMU's own log of what it
delivered, a sample ring driven full (lost) and memory driven empty
(dropped) with samples + lost + dropped = NMIs checked there, probes that
must not map lazy pages, console input the NMI path had to drop."""
import os
import re
import tempfile

from monitor import Monitor, expect, expect_eq
from test_lazy import lazy_info
from test_nmi import nmi_stats, run_nmi_test
from test_prof import counts
from test_shell import still_works


def test_qemu_int_log_agrees_with_nmi_counts(accel):
    """QEMU -d int logs every interrupt and exception TCG delivers, one
    `v=NN` line each. After `nmi test 200` on a fresh boot (no NMI before it:
    the timer is off until something asks for it, nmi/nmi_stats_at_boot):
    NMIs delivered (v=02) = the monitor's total, #BP (v=03) = #BP taken in
    NMI context (no breakpoint is set, nmi test's int3s are all in NMIs), #PF
    (v=0e) = page faults the lazy region served (the only #PFs there are)."""
    with tempfile.TemporaryDirectory() as d:
        log = os.path.join(d, "int.log")
        with Monitor(accel="tcg", extra=["-d", "int", "-D", log]) as mon:
            mon.boot()
            run_nmi_test(mon, 200, timeout=300)
            st, out = nmi_stats(mon)
            faults = lazy_info(mon)["faults"]
        with open(log, errors="replace") as f:
            vectors = re.findall(r"^ +\d+: v=([0-9a-f]{2}) ", f.read(), re.M)
    delivered = {v: vectors.count(v) for v in set(vectors)}
    m = re.search(r"faults in NMI: .*#BP (\d+)", out)
    expect(m, "no #BP in NMI:\n" + out)
    expect(st["total"] > 1000, "nmi test 200 raised only %d NMIs" % st["total"])
    expect_eq(delivered.get("02", 0), st["total"], "NMIs QEMU delivered vs nmi total")
    expect_eq(delivered.get("03", 0), int(m.group(1)), "#BP QEMU delivered vs #BP in NMI")
    expect_eq(delivered.get("0e", 0), faults, "#PF QEMU delivered vs lazy faults served")


def test_ring_full_counts_lost_samples(mon):
    """-icount: 50 kHz for 3 s is 150,000 ticks, more than one CPU's ring
    holds (16 MiB of 136-byte samples: 123,361): the rest are lost, none
    overwritten, and samples + lost = NMIs still."""
    out = mon.cmd("prof record hz=50000 work spin 3000", timeout=300)
    c = counts(out)
    m = re.search(r"achieved (\d+) Hz", out)
    expect(m and abs(int(m.group(1)) - 50000) <= 500, "achieved rate under -icount:\n" + out)
    expect_eq(c["samples"], (16 << 20) // 136, "samples: a full ring")
    expect(c["lost"] > 20000, "lost samples: %d\n%s" % (c["lost"], out))
    expect_eq(c["dropped"], 0, "dropped")
    info = lazy_info(mon)
    expect_eq(info["faults_nmi"], 4096, "ring pages faulted in inside NMIs (16 MiB)")
    still_works(mon)


def test_memory_empty_counts_dropped_samples(mon):
    """-m 64M: lazy touch takes all but about 100 frames, so the ring can map
    only so many pages; later samples are dropped (never an out-of-memory
    fault in the NMI), and samples + lost + dropped = NMIs."""
    free = lazy_info(mon)["frames_free"]
    # a page table per 512 pages, and the tables above it
    pages = (free - 100) * 512 // 513 - 4
    out = mon.cmd("lazy touch 0 %d" % (pages * 4096), timeout=200)
    expect("touched %d pages" % pages in out, out)
    before = lazy_info(mon)
    expect(50 < before["frames_free"] < 150, "frames left: %d" % before["frames_free"])
    out = mon.cmd("prof record hz=10000 work spin 1000", timeout=200)
    c = counts(out)
    expect(c["samples"] > 1000 and c["dropped"] > 1000,
           "want both samples and drops:\n" + out)
    after = lazy_info(mon)
    expect_eq(after["oom"], before["oom"], "out-of-memory faults")
    expect(after["frames_free"] < 8, "frames left after the drops: %d" % after["frames_free"])
    # the ring's samples fill exactly the pages it got (30 samples a page)
    ring_pages = after["mapped"] - before["mapped"]
    expect_eq(c["samples"], ring_pages * 4096 // 136, "samples in %d ring pages" % ring_pages)
    still_works(mon)


def test_wild_frame_pointer_maps_no_lazy_page(mon):
    """A callchain walk from a frame pointer into an unmapped lazy page ends
    there: the probe fails, no page is mapped, nothing allocated in the NMI.
    The only pages that fault in are the ring's own: ceil(samples * 136 B /
    4 KiB) (the ring fills from its start on a fresh boot)."""
    before = lazy_info(mon)
    expect_eq(before["mapped"], 0, "lazy pages at boot")
    out = mon.cmd("prof record hz=1000 callchain work wildfp 500", timeout=120)
    expect("with rbp 0xffffc0003ffff000" in out, out)
    c = counts(out)
    expect(c["samples"] > 20, "samples:\n" + out)
    after = lazy_info(mon)
    ring_pages = (c["samples"] * 136 + 4095) // 4096
    expect_eq((after["mapped"], after["faults_nmi"]), (ring_pages, ring_pages),
              "lazy pages mapped and faults in NMIs after %d samples" % c["samples"])
    out = mon.cmd("prof report top=3")
    expect(re.search(r"^\s+[\d.]+%\s+\d+\s+work_wild_fp_loop$", out, re.M),
           "samples are not in the wild-fp loop:\n" + out)
    still_works(mon)


def test_nmi_console_input_drops_are_counted(mon):
    """spin-cli runs with interrupts off; the Ctrl-C watch (20 Hz) reads the
    UART from the NMI and queues other bytes into the 256-byte input ring.
    400 bytes typed meanwhile: every byte read there past the ring's 256 is
    dropped and counted. How many bytes QEMU hands the UART per tick
    depends on the host (its 16550 takes one at a time at the 1-byte
    trigger level the monitor sets, and refills as its I/O thread gets to
    it): one a tick, at least, is over 256 in 15 s."""
    def taken_dropped():
        out = mon.cmd("nmi")
        m = re.search(r"console input read in NMI: (\d+) bytes, dropped \(input ring full\): "
                      r"(\d+) bytes", out)
        expect(m, "nmi lacks the console input line:\n" + out)
        return int(m.group(1)), int(m.group(2)), out
    expect_eq(taken_dropped()[:2], (0, 0), "console input read and dropped in NMI at boot")
    start = mon.mark()
    mon.send("work spin-cli 15000\r")
    mon.wait_for(r"running for 15000 ms", 30, start)
    mon.send("x" * 400)
    mon.wait_for(r"work spin-cli: \d+ iterations", 90, start)
    # the 256 queued bytes are now a line being edited: abandon it
    mon.send("\x03")
    mon.wait_for(r"\^C\r\nmon> $", 30, start)
    taken, dropped, out = taken_dropped()
    expect(256 < taken <= 400 and dropped == taken - 256,
           "NMI input: %d read, %d dropped (want all past 256):\n%s" % (taken, dropped, out))
