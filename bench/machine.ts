import { availableParallelism, cpus, freemem, loadavg, totalmem } from 'node:os';

/** What the bench ran on; recorded beside the figures because absolute rates mean nothing without it. */
export interface MachineInfo {
  /** Logical cores Node may use (`os.availableParallelism()`). */
  readonly cores: number;
  /** CPU model string of the first core. */
  readonly cpuModel: string;
  /** Total memory, in MiB. */
  readonly totalMemoryMB: number;
  /** Free memory when the bench started, in MiB. */
  readonly freeMemoryMB: number;
  /** 1-minute load average when the bench started: above `cores` means others were competing for the CPU. */
  readonly loadAverage1m: number;
  /** `process.version`, e.g. `v20.20.2`. */
  readonly nodeVersion: string;
  /** `process.platform` and `process.arch`, e.g. `linux-x64`. */
  readonly platform: string;
}

const MIB = 1024 * 1024;

/** Describes the machine the bench is running on, now. */
export function describeMachine(): MachineInfo {
  return {
    cores: availableParallelism(),
    cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
    totalMemoryMB: Math.round(totalmem() / MIB),
    freeMemoryMB: Math.round(freemem() / MIB),
    loadAverage1m: Math.round(loadavg()[0] * 100) / 100,
    nodeVersion: process.version,
    platform: `${process.platform}-${process.arch}`,
  };
}
