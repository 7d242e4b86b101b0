/** Runs a scheduled job now, as its schedule would (Lambda Invoke in AWS, the local runtime locally). */
export interface JobRunner {
  /** The jobs that can be run, by manifest name. */
  names(): string[];
  /** Runs the job and resolves with what it returned; rejects with its error. */
  run(name: string): Promise<unknown>;
}
