/** What `tane` exits with; scripts may rely on these. */
export const ExitCode = {
  OK: 0,
  /** The run failed (transport lost, a stage cannot start, …). */
  FAILURE: 1,
  /** Bad usage or an invalid pipeline/config file: nothing was done. */
  USAGE: 2,
  /** Partly done: e.g. `publish` sent the valid lines and rejected others. */
  PARTIAL: 3,
  /** Interrupted before it could drain (second Ctrl-C). */
  INTERRUPTED: 130,
} as const;
