"""Every integration test, declared once: which function, on which
accelerators, booted how, with what QEMU options and timeout.

accels: "tcg" always runs; "kvm" runs where /dev/kvm works and is otherwise a
SKIP with its reason; "host" runs on the host alone. boot: None = the
accelerator's normal path (ISO through GRUB; -kernel under kvm_pvm), "kernel" =
QEMU's multiboot1 loader. monitor=False: the runner boots nothing and calls
func(accel); the test starts its own QEMU (a host tool does) or none.
"""
import qemu
import test_bpnest as bpnest
import test_break_watch as bwatch
import test_debug as debug
import test_dis as dis
import test_lava as lava
import test_lazy as lazy
import test_ledger as ledger
import test_mutate as mutate
import test_nmi_breakdown as nmi_breakdown
import test_nmi as nmi
import test_nmi_smp as nmi_smp
import test_prof as prof
import test_promises as promises
import test_shell as shell
import test_smp as smp
import test_world as world
import test_tcp as tcp
import test_timer as timer
import test_tools as tools
import test_view as view
import test_fuzz as fuzz
import test_uefi as uefi
import test_values as values
import test_watch as watch
import test_gdb as gdb
import test_acpi as acpi

BOTH = ("tcg", "kvm")
INT3 = ("tcg",) if qemu.kvm_is_pvm() else BOTH
# what a machine does not change (values, promises, ledgers): one accelerator keeps
# make test short; info, the TSC and the PMU differ by machine and run on both
TCG = ("tcg",)


def t(func, accels=BOTH, boot=None, timeout=120, reboot=False, icount=None, name=None,
      monitor=True, firmware="bios", memory="256M", cmdline=(), extra=(), smp=None):
    """memory: QEMU -m; cmdline: the monitor's boot options (they boot with
    -kernel); extra: more QEMU arguments (a test may add its own per run);
    smp: QEMU -smp (None: QEMU's default, one CPU)."""
    group = func.__module__[len("test_"):]
    return dict(name="%s/%s" % (group, name or func.__name__[len("test_"):]), func=func, accels=accels,
                boot=boot, timeout=timeout, reboot=reboot, icount=icount, monitor=monitor,
                firmware=firmware, memory=memory, cmdline=cmdline, extra=extra, smp=smp)


TESTS = [
    t(shell.test_boot_banner_and_prompt),
    t(shell.test_boot_banner_and_prompt, accels=("tcg",), boot="kernel",
      name="boot_banner_and_prompt_multiboot1"),
    t(shell.test_info_reports_the_machine),
    t(shell.test_md_of_symbol_shows_its_bytes),
    t(shell.test_mw_md_round_trip),
    t(shell.test_md_unmapped_address_is_an_error),
    t(shell.test_md_stops_at_first_unreadable_byte),
    t(shell.test_mw_into_text_is_refused),
    # the shell's parsing, line editing and symbol lookup are the same
    # portable code under either accelerator (and unit-tested and fuzzed on
    # the host): TCG keeps make test inside its time
    t(shell.test_help_lists_every_command, accels=TCG),
    t(shell.test_md_line_format, accels=TCG),
    t(shell.test_md_noncanonical_address_is_an_error, accels=TCG),
    t(shell.test_sym_agrees_with_nm, accels=TCG),
    t(shell.test_unknown_command_is_an_error, accels=TCG),
    t(shell.test_overlong_line_is_refused, accels=TCG),
    t(shell.test_random_bytes_then_command_works, accels=TCG),
    t(shell.test_line_editing_keys, accels=TCG),
    t(shell.test_history_up_and_down, accels=TCG),
    t(shell.test_cr_lf_and_crlf_each_end_one_line, accels=TCG),
    t(shell.test_regs_shows_the_shell),
    t(shell.test_trap_de_reports_and_returns),
    t(shell.test_trap_ud_reports_and_returns),
    t(shell.test_trap_gp_reports_and_returns),
    t(shell.test_trap_pf_reports_and_returns),
    t(shell.test_repeated_traps_do_not_leak_the_stack),
    t(shell.test_reboot_comes_back, reboot=True),

    t(lazy.test_touch_maps_each_page_once),
    t(lazy.test_reset_unmaps_and_pages_fault_back),
    t(lazy.test_md_mw_inside_region_fault_pages_in),
    t(lazy.test_md_past_the_region_is_an_error),
    # TCG only: a lazy #PF costs ~14 ms under kvm_pvm (measured: 16 faults in
    # 0.22 s), so touching all 256 MiB there would take about 15 minutes
    t(lazy.test_exhausting_memory_is_an_error, accels=("tcg",), timeout=240),

    t(nmi.test_nmi_stats_at_boot),
    t(nmi.test_nmi_test_1000_passes_and_counts_agree, timeout=420),
    t(nmi.test_nmi_test_with_debug_unmask, timeout=420),
    # TCG only: kvm_pvm runs about 300 NMIs/s here, 100000 iterations would take hours
    t(nmi.test_nmi_test_100000, accels=("tcg",), timeout=300),
    # TCG only: under kvm_pvm this run sometimes takes minutes instead of 13 s
    # (the entry hooks wait out their bounded spins when kvm_pvm merges their
    # self-NMI with a timer NMI), too slow and uneven for make test
    # -icount: the timer's rate is deterministic there, so checked tightly
    t(nmi.test_nmi_test_passes_while_sampling, accels=("tcg",), icount=3, timeout=420),
    t(nmi.test_nmi_bad_arguments),
    t(nmi.test_nmi_stack_overflow_ends_in_double_fault_report),
    t(nmi.test_int3_refused_under_kvm_pvm, accels=("kvm",) if qemu.kvm_is_pvm() else ()),

    # int3 stops a kvm_pvm guest: there, nmi/int3_refused_under_kvm_pvm
    # checks the refusal instead
    t(debug.test_breakpoint_stop_regs_bt_step_cont, accels=INT3),
    t(debug.test_trace_breakpoint_counts_leaf_calls, accels=INT3),
    t(debug.test_trace_breakpoint_in_nmi_context_during_nmi_test, accels=INT3, timeout=200),
    t(debug.test_breakpoint_errors, accels=INT3),
    t(debug.test_ctrl_c_stops_a_running_workload_and_cont_resumes),
    t(debug.test_ctrl_c_stops_a_workload_with_interrupts_off),
    t(debug.test_workloads_run_and_report),

    t(bpnest.test_nmi_hit_between_an_outer_hit_and_its_step, accels=INT3, timeout=200),
    t(bpnest.test_trace_hits_inside_a_stop_then_cont, accels=INT3),
    t(bpnest.test_trace_breakpoint_on_a_faulting_instruction, accels=INT3),
    t(bpnest.test_debug_path_refuses_breakpoints, accels=INT3),
    t(bpnest.test_debug_path_check_on_the_image, accels=("host",), monitor=False),
    t(bpnest.test_bp_add_only_at_instruction_boundaries, accels=INT3),
    t(bpnest.test_out_of_line_steps_of_branches_and_calls, accels=INT3, timeout=200),
    # -icount: the same work and so the same number of hits however busy the host
    t(bpnest.test_stress_hits_from_every_context, accels=("tcg",), icount=3, timeout=400),

    t(prof.test_prof_status_at_boot_and_errors),
    # TCG under -icount: a loaded host thins a wall-clock rate out (221 of
    # 1000 Hz seen, too few samples), virtual time cannot be
    t(prof.test_prof_report_finds_the_mix_leaves, accels=("tcg",), icount=3, timeout=200),
    t(prof.test_prof_report_finds_the_mix_leaves, accels=("kvm",), timeout=200),
    t(prof.test_prof_dumps_are_framed_with_crc, accels=("tcg",), icount=3, timeout=200),
    t(prof.test_prof_dumps_are_framed_with_crc, accels=("kvm",), timeout=200),
    # -icount makes virtual time follow instructions: repeatable samples
    t(prof.test_prof_identical_runs_give_identical_profiles, accels=("tcg",), icount=3,
      timeout=300),
    t(prof.test_prof_accuracy_within_2pp_and_repeatable, accels=("tcg",), icount=3,
      timeout=300),
    t(prof.test_prof_lazy_workload_with_lazy_reset_between, timeout=200),
    t(prof.test_prof_trace_breakpoint_on_the_sampler, accels=INT3, timeout=300),
    t(prof.test_fast_pass_takes_the_ticks_and_yields_to_breakpoints, accels=("tcg",), icount=3,
      timeout=300),

    # profcap.py boots its own QEMU, under TCG with -icount as make profile does
    t(tools.test_profcap_boot_writes_folded_and_perf, accels=("tcg",), monitor=False),
    t(tools.test_profcap_monitor_error_is_one_line, accels=("tcg",), monitor=False),
    t(tools.test_parse_dump_accepts_a_good_dump, accels=("host",), monitor=False),
    t(tools.test_parse_dump_rejects_a_changed_byte, accels=("host",), monitor=False),
    t(tools.test_parse_dump_rejects_a_missing_end_line, accels=("host",), monitor=False),
    t(tools.test_parse_dump_rejects_a_wrong_sample_count, accels=("host",), monitor=False),
    t(tools.test_parse_dump_reports_the_monitor_error, accels=("host",), monitor=False),

    # make view's page in headless Chromium (installed as root, else a SKIP)
    t(view.test_view_page_in_chromium, accels=("tcg",), monitor=False),
    t(view.test_view_opens_the_page_with_xdg_open_on_a_display, accels=("host",), monitor=False),

    # profcap.py --tcp: QEMU's TCP serial on loopback, and a fake console
    t(tcp.test_profcap_tcp_captures_from_qemu_serial, accels=("tcg",), monitor=False),
    t(tcp.test_profcap_tcp_connection_refused_is_one_line, accels=("host",), monitor=False),
    t(tcp.test_profcap_tcp_fake_console_good_dump, accels=("host",), monitor=False),
    t(tcp.test_profcap_tcp_bad_crc_is_one_line, accels=("host",), monitor=False),
    t(tcp.test_profcap_tcp_wrong_sample_count_is_one_line, accels=("host",), monitor=False),
    t(tcp.test_profcap_tcp_hang_up_mid_dump_is_one_line, accels=("host",), monitor=False),
    t(tcp.test_profcap_tcp_address_forms, accels=("host",), monitor=False),

    # the decoder against objdump -d over the whole text (tests/host/insn_walk.c)
    t(dis.test_insn_oracle_agrees_with_objdump, accels=("host",), monitor=False),
    t(dis.test_dis_lists_what_objdump_says),
    t(dis.test_dis_errors, accels=TCG),
    # the same portable code under either accelerator: TCG is enough
    t(dis.test_dis_knows_every_boundary_of_a_function, accels=("tcg",)),
    t(dis.test_dis_shows_the_byte_under_a_breakpoint, accels=INT3),

    # the fuzz corpus through every harness (gcc ASan/UBSan builds) and profcap's parser
    t(fuzz.test_corpus_replays_clean, accels=("host",), monitor=False),
    t(fuzz.test_corpus_is_small, accels=("host",), monitor=False),
    t(fuzz.test_profcap_huge_count_is_a_dump_error, accels=("host",), monitor=False),

    # UEFI: OVMF on q35, TCG only (GRUB never starts under kvm_pvm); one boot
    # for the smoke set, each UEFI boot costs seconds under TCG
    t(uefi.test_uefi_smoke_boot_info_md_bp_nmi_prof, accels=("tcg",), firmware="uefi",
      monitor=False, timeout=400),
    t(uefi.test_bios_console_on_com2_from_spcr, accels=("tcg",), monitor=False),
    t(uefi.test_bios_serial_option_beats_spcr, accels=("tcg",), monitor=False),
    t(uefi.test_bios_spcr_mmio_uart_is_named_and_com1_used, accels=("tcg",), monitor=False),
    t(uefi.test_bios_bad_serial_option_is_named_and_com1_used, accels=("tcg",), monitor=False),

    # lava-run boots its own QEMU (TCG -icount, lava/devices/qemu-tcg.yaml);
    # SKIP when lava-dispatcher is missing and cannot be installed (not root)
    t(lava.test_make_lava_every_case_passes, accels=("tcg",), monitor=False, timeout=600),
    t(lava.test_lava_impossible_pattern_fails_the_job, accels=("tcg",), monitor=False,
      timeout=600),
    t(lava.test_prof_check_agrees_with_the_report, accels=("tcg",)),

    t(values.test_info_values),
    t(values.test_info_reads_no_cpuid_leaf_past_the_maximum, accels=TCG, extra=values.OLD_CPU),
    # kvm_pvm's guest TSC runs ahead of the host clock at times (a 2000 ms TSC
    # spin ended after 1.67 s of host time, one run in two): TCG only
    t(values.test_tsc_rate_follows_the_host_clock, accels=TCG if qemu.kvm_is_pvm() else BOTH),
    t(values.test_pmu_line_matches_what_prof_can_do),
    t(values.test_exception_error_codes_and_cr2, accels=TCG),
    t(values.test_md_error_names_the_first_unreadable_byte, accels=TCG),
    t(values.test_stack_pointer_same_after_100_traps, accels=TCG, timeout=200),
    t(values.test_regs_names_rip, accels=TCG),
    t(values.test_nmi_context_hit_registers, accels=INT3),
    # -icount where a test needs samples: host load cannot thin them out
    t(values.test_report_percentages_match_counts, accels=TCG, icount=3, timeout=200),
    t(values.test_identical_runs_give_identical_profiles, accels=TCG, icount=3, timeout=200),
    t(values.test_perf_frames_match_the_symbol_table, accels=TCG, icount=3, timeout=200),
    t(values.test_rep_cli_copies_64k_each, accels=TCG, icount=3),

    # QEMU's -d int log is TCG's: it lists every NMI and exception delivered
    t(ledger.test_qemu_int_log_agrees_with_nmi_counts, accels=("tcg",), monitor=False,
      timeout=300),
    t(ledger.test_ring_full_counts_lost_samples, accels=("tcg",), icount=3, timeout=300),
    t(ledger.test_memory_empty_counts_dropped_samples, accels=("tcg",), memory="64M", icount=3,
      timeout=300),
    t(ledger.test_wild_frame_pointer_maps_no_lazy_page, accels=TCG, icount=3),
    t(ledger.test_nmi_console_input_drops_are_counted, accels=TCG, timeout=200),

    t(promises.test_md_default_length_and_64k_cap, accels=TCG, timeout=200),
    t(promises.test_sixteen_breakpoints_at_most, accels=INT3),
    t(promises.test_bp_del_restores_the_original_byte, accels=INT3),
    t(promises.test_history_holds_32_lines, accels=TCG),
    t(promises.test_line_of_255_accepted_256_refused, accels=TCG),
    # -icount: QEMU's periodic HPET fires twice a period there (README)
    t(promises.test_hpet_periodic_option_and_early_tick_drops, accels=("tcg",), icount=3,
      cmdline=("hpet=periodic",)),
    t(promises.test_hpet_option_loses_to_quirk_nmi_late, accels=("tcg",),
      cmdline=("hpet=oneshot", "quirk=nmi-late")),
    # one-shot is already TCG's default: only a KVM other than kvm_pvm (whose
    # quirk=nmi-late keeps it periodic) shows the option taking effect
    t(promises.test_hpet_oneshot_option, accels=() if qemu.kvm_is_pvm() else ("kvm",),
      cmdline=("hpet=oneshot",)),
    t(promises.test_period_and_the_50000_bound, accels=("tcg",), icount=3),
    t(promises.test_report_top_n, accels=TCG, icount=3),
    t(promises.test_profcap_unix_raw, accels=("tcg",), monitor=False),
    t(promises.test_profcap_pty, accels=("tcg",), monitor=False),
    t(promises.test_profcap_does_not_write_a_bad_dump, accels=("host",), monitor=False),
    t(promises.test_make_profile, accels=("tcg",), monitor=False, timeout=300),
    t(promises.test_make_run_console_argv, accels=("host",), monitor=False),
    t(promises.test_idle_shell_is_sampled_between_start_and_stop, accels=TCG),
    t(promises.test_make_test_only_and_accel, accels=("host",), monitor=False),
]

TESTS += [
    # -icount: the timer's rate is exact there, so it is checked to a tick
    t(timer.test_timer_rate_exact_at_100hz_through_nmi_test, accels=("tcg",), icount=3,
      timeout=300),
    t(timer.test_timer_rate_exact_at_1000hz_through_nmi_test, accels=("tcg",), icount=3,
      timeout=300),
    t(timer.test_timer_rate_exact_at_50000hz_through_nmi_test, accels=("tcg",), icount=3,
      timeout=300),
    t(timer.test_timer_alone_claims_each_tick_once, accels=("tcg",), icount=3),
    t(timer.test_status_ledger_holds_while_sampling_at_50khz, accels=("tcg",), icount=3),
]

TESTS += [
    t(bwatch.test_ctrl_c_stops_a_rep_movsb_with_interrupts_off),
    t(bwatch.test_fault_in_stopped_shell_keeps_the_outer_watch),
    t(bwatch.test_prof_record_aborted_stops_sampling),
]
TESTS += [t(timer.test_timer_32bit_runs_past_the_wrap, accels=("tcg",), monitor=False)]
# TCG only: kvm_pvm delivers timer NMIs late and twice (quirk=nmi-late), so
# there the timer takes every NMI that comes while it runs
TESTS += [t(timer.test_foreign_nmis_count_as_unknown_while_the_timer_runs, accels=("tcg",),
            monitor=False)]
TESTS += [t(timer.test_timer_periodic_rate_exact_through_nmi_test, accels=("tcg",), monitor=False,
            timeout=300)]
TESTS += [
    t(timer.test_ledger_holds_with_the_ring_full, accels=("tcg",), icount=3, timeout=240),
    t(timer.test_ledger_holds_with_memory_exhausted, accels=("tcg",), monitor=False, timeout=300),

    # watchpoints and the gdb stub (issue 19). TCG only: the gdb tests plant
    # int3s (kvm_pvm stops on those), and under kvm_pvm data watchpoints never
    # fire (measured: wp add scratch_area, work scratch 2: 0 hits; execute ones do)
    t(watch.test_write_watchpoint_stops_once_per_write_with_old_and_new, accels=("tcg",)),
    t(watch.test_execute_watchpoint_stops_and_cont_runs_the_instruction, accels=("tcg",)),
    t(watch.test_hits_inside_a_stop_only_count, accels=("tcg",)),
    t(watch.test_ctrl_c_break_keeps_its_register_when_watchpoints_take_the_rest,
      accels=("tcg",)),
    t(watch.test_wp_refusals, accels=("tcg",)),
    # the gdb tests boot their own QEMU with the serial port on TCP
    t(gdb.test_gdb_attach_break_bt_stepi_watch_monitor_detach, accels=("tcg",),
      monitor=False, timeout=300),
    t(gdb.test_packet_fuzz_then_gdb_attaches, accels=("tcg",), monitor=False, timeout=300),
    t(gdb.test_a_dollar_line_that_is_no_packet_is_one_error),
    t(gdb.test_qxfer_features_replies_exactly, accels=TCG),

    # every CPU (issue 15): APs from the MADT, cpu, work ... cpu=N, bt all by NMI
    t(smp.test_four_cpus_bt_all_and_work_elsewhere, accels=("tcg",), smp="4,maxcpus=6",
      timeout=240),
    t(smp.test_one_cpu_lists_the_shell_alone, accels=("tcg",)),
    t(smp.test_every_cpu_samples_its_own_context, accels=("tcg",), smp=2, icount=3, timeout=240),
    t(smp.test_kvm_two_cpus, accels=("kvm",), smp=2),
    t(smp.test_nine_cpus_eight_started, accels=("tcg",), smp="9", timeout=240),
    t(world.test_a_stop_on_cpu_3_stops_all_and_cont_resumes, accels=("tcg",), smp="4"),
    t(world.test_two_cpus_stop_at_once_and_take_turns, accels=("tcg",), smp="4"),
    t(world.test_trace_hits_from_every_cpu_at_once_all_count, accels=("tcg",), smp="4"),
    t(world.test_ctrl_c_at_the_prompt_stops_another_cpus_work, smp="4"),
    t(world.test_a_fault_on_an_ap_halts_it_and_the_others_go_on, smp="4"),

    # tools/mutate.py's mutant generator on snippets: no monitor built
    # tools/nmi_breakdown.py (make bench's breakdown) on a hand-made log
    t(nmi_breakdown.test_phases_and_functions_of_a_sample, accels=("host",), monitor=False),
    t(nmi_breakdown.test_slow_kinds_of_a_sample, accels=("host",), monitor=False),
    t(nmi_breakdown.test_a_nested_nmi_and_its_repeat, accels=("host",), monitor=False),
    t(mutate.test_generator_mutates_c_code_only, accels=("host",), monitor=False),
    t(mutate.test_generator_mutates_asm_instructions_only, accels=("host",), monitor=False),
    t(mutate.test_mutants_apply_as_described, accels=("host",), monitor=False),
    t(mutate.test_sample_is_stratified_and_seeded, accels=("host",), monitor=False),
    t(mutate.test_sample_gives_each_top_folder_a_quarter, accels=("host",), monitor=False),
    t(mutate.test_equivalent_list_is_read_by_key, accels=("host",), monitor=False),
    t(mutate.test_suite_verdict_names_the_first_failing_test, accels=("host",), monitor=False),
    t(mutate.test_a_kill_is_confirmed_or_the_mutant_is_flaky, accels=("host",), monitor=False),
    t(mutate.test_a_hung_suite_is_a_timeout_and_its_children_die, accels=("host",),
      monitor=False),

    # QEMU's ACPI tables for 4, 1 and 2 of 4 CPUs; under KVM (-kernel: the
    # RSDP from the BIOS area search) once
    t(acpi.test_smp4_tables_cpus_hpet_and_damaged_tables, extra=("-smp", "4")),
    t(acpi.test_smp1_one_cpu, accels=TCG, extra=("-smp", "1")),
    t(acpi.test_hotpluggable_cpus_are_listed_not_usable, accels=TCG, extra=("-smp", "2,maxcpus=4")),
    t(acpi.test_without_acpi_fixed_addresses_and_the_timer_works, accels=TCG,
      extra=("-machine", "acpi=off")),
]

# nmi test on all four CPUs at once: exact counts per CPU (issue 15). No
# -icount: the counts are exact by construction (each CPU's own self-NMIs),
# and only multi-threaded TCG runs the vCPUs truly at once (-icount's
# round-robin runs one at a time, and missed a counter the CPUs shared)
TESTS += [t(nmi_smp.test_nmi_test_on_every_cpu_at_once, accels=("tcg",), smp="4",
            timeout=300)]
