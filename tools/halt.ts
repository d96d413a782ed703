/**
 * Stopping a child process by its own pid, the way every test, tool and
 * benchmark here does: SIGTERM, then SIGKILL if it is still running after a
 * grace period. Never by name: other sessions run the same binaries.
 *
 * @module
 */

/** How a halted process ended. */
export interface Halted {
  /** Its exit code (or the signal's, as `Deno.CommandStatus` reports it). */
  code: number;
  /** Whether it outlived the grace period and was killed. */
  killed: boolean;
}

/**
 * Sends `child` SIGTERM and waits for it to exit, and for `after` (its
 * output drained, say); sends SIGKILL if that takes longer than `graceMs`.
 */
export async function halt(
  child: Deno.ChildProcess,
  graceMs: number,
  after?: Promise<unknown>,
): Promise<Halted> {
  try {
    child.kill("SIGTERM");
  } catch {
    // Already exited.
  }
  let killed = false;
  const killer = setTimeout(() => {
    try {
      child.kill("SIGKILL");
      killed = true;
    } catch {
      // Exited meanwhile.
    }
  }, graceMs);
  try {
    const { code } = await child.status;
    await after;
    return { code, killed };
  } finally {
    clearTimeout(killer);
  }
}
