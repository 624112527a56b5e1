"""Every integration test, declared once: which function, on which
accelerators, booted how, with what QEMU options and timeout.

accels: "tcg" always runs; "kvm" runs where /dev/kvm works and is otherwise a
SKIP with its reason; "host" runs on the host alone. boot: None = the
accelerator's normal path (ISO through GRUB; -kernel under kvm_pvm), "kernel" =
QEMU's multiboot1 loader. monitor=False: the runner boots nothing and calls
func(accel); the test starts its own QEMU (a host tool does) or none.
"""
import qemu
import test_debug as debug
import test_lazy as lazy
import test_mutate as mutate
import test_nmi as nmi
import test_prof as prof
import test_shell as shell
import test_tools as tools

BOTH = ("tcg", "kvm")
INT3 = ("tcg",) if qemu.kvm_is_pvm() else BOTH


def t(func, accels=BOTH, boot=None, timeout=120, reboot=False, icount=None, name=None,
      monitor=True):
    group = func.__module__[len("test_"):]
    return dict(name="%s/%s" % (group, name or func.__name__[len("test_"):]), func=func, accels=accels,
                boot=boot, timeout=timeout, reboot=reboot, icount=icount, monitor=monitor)


TESTS = [
    t(shell.test_boot_banner_and_prompt),
    t(shell.test_boot_banner_and_prompt, accels=("tcg",), boot="kernel",
      name="boot_banner_and_prompt_multiboot1"),
    t(shell.test_help_lists_every_command),
    t(shell.test_info_reports_the_machine),
    t(shell.test_md_of_symbol_shows_its_bytes),
    t(shell.test_md_line_format),
    t(shell.test_mw_md_round_trip),
    t(shell.test_md_unmapped_address_is_an_error),
    t(shell.test_md_noncanonical_address_is_an_error),
    t(shell.test_md_stops_at_first_unreadable_byte),
    t(shell.test_mw_into_text_is_refused),
    t(shell.test_sym_agrees_with_nm),
    t(shell.test_unknown_command_is_an_error),
    t(shell.test_overlong_line_is_refused),
    t(shell.test_random_bytes_then_command_works),
    t(shell.test_line_editing_keys),
    t(shell.test_history_up_and_down),
    t(shell.test_cr_lf_and_crlf_each_end_one_line),
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
    t(nmi.test_nmi_test_passes_while_sampling, accels=("tcg",), timeout=420),
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

    t(prof.test_prof_status_at_boot_and_errors),
    t(prof.test_prof_report_finds_the_mix_leaves, timeout=200),
    t(prof.test_prof_dumps_are_framed_with_crc, timeout=200),
    # -icount makes virtual time follow instructions: repeatable samples
    t(prof.test_prof_identical_runs_give_identical_profiles, accels=("tcg",), icount=3,
      timeout=300),
    t(prof.test_prof_accuracy_within_2pp_and_repeatable, accels=("tcg",), icount=3,
      timeout=300),
    t(prof.test_prof_lazy_workload_with_lazy_reset_between, timeout=200),
    t(prof.test_prof_trace_breakpoint_on_the_sampler, accels=INT3, timeout=300),

    # profcap.py boots its own QEMU, under TCG with -icount as make profile does
    t(tools.test_profcap_boot_writes_folded_and_perf, accels=("tcg",), monitor=False),
    t(tools.test_profcap_monitor_error_is_one_line, accels=("tcg",), monitor=False),
    t(tools.test_parse_dump_accepts_a_good_dump, accels=("host",), monitor=False),
    t(tools.test_parse_dump_rejects_a_changed_byte, accels=("host",), monitor=False),
    t(tools.test_parse_dump_rejects_a_missing_end_line, accels=("host",), monitor=False),
    t(tools.test_parse_dump_rejects_a_wrong_sample_count, accels=("host",), monitor=False),
    t(tools.test_parse_dump_reports_the_monitor_error, accels=("host",), monitor=False),

    # tools/mutate.py's mutant generator on snippets: no monitor built
    t(mutate.test_generator_mutates_c_code_only, accels=("host",), monitor=False),
    t(mutate.test_generator_mutates_asm_instructions_only, accels=("host",), monitor=False),
    t(mutate.test_mutants_apply_as_described, accels=("host",), monitor=False),
    t(mutate.test_sample_is_stratified_and_seeded, accels=("host",), monitor=False),
    t(mutate.test_equivalent_list_is_read_by_key, accels=("host",), monitor=False),
    t(mutate.test_suite_verdict_names_the_first_failing_test, accels=("host",), monitor=False),
    t(mutate.test_a_hung_suite_is_a_timeout_and_its_children_die, accels=("host",),
      monitor=False),
]
