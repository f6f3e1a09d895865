/**
 * The whole machine's CPU from `/proc/stat` (Linux), read before and after a round: every process
 * counts, the stack's servers and the load generator too. The same checkouts have cost this shared
 * 2-core VM from 31 to 52 ms of CPU each from one minute to the next, every process by about the same
 * factor: a rate alone cannot tell a slow minute from a slow change, the CPU per unit of work can.
 */
import { readFileSync } from 'node:fs';

export interface MachineCpu {
  /** ms of CPU spent by everything on the machine (user, system, interrupts, steal). */
  busyMs: number;
  /** ms the hypervisor gave to someone else while this machine wanted to run. */
  stealMs: number;
}

/** `/proc/stat` counts in USER_HZ, which Linux fixes at 100 for user space whatever the kernel's tick. */
const TICKS_PER_SECOND = 100;

/** The machine's CPU so far, or undefined where there is no `/proc/stat`. */
export function machineCpu(): MachineCpu | undefined {
  let stat: string;
  try {
    stat = readFileSync('/proc/stat', 'utf8');
  } catch {
    return undefined;
  }
  // cpu user nice system idle iowait irq softirq steal guest guest_nice (guest is inside user)
  const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = stat.split('\n', 1)[0]!.trim().split(/\s+/).slice(1).map(Number);
  const ms = (ticks: number) => (ticks * 1000) / TICKS_PER_SECOND;
  return { busyMs: ms(user + nice + system + irq + softirq + steal), stealMs: ms(steal) };
}

/** CPU between two readings, per unit of work (e.g. per checkout). */
export function cpuPer(before: MachineCpu | undefined, after: MachineCpu | undefined, units: number): MachineCpu | undefined {
  if (!before || !after || units <= 0) return undefined;
  return { busyMs: (after.busyMs - before.busyMs) / units, stealMs: (after.stealMs - before.stealMs) / units };
}
