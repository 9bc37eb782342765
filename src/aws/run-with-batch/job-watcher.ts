/**
 * Follows the Batch jobs of a local run with one DescribeJobs call per interval for all of them
 * (up to 100 ids a call), rather than one call per job: a 500-item foreach on Batch would
 * otherwise send 100 requests a second and meet Batch's API throttling.
 *
 * @see https://docs.aws.amazon.com/batch/latest/APIReference/API_DescribeJobs.html
 */
import type { JobDetail } from "@aws-sdk/client-batch";
import type { BatchDeployClient } from "../deploy/batch-client.js";

/** Called with each new description of the job until it returns true (the job is done with). */
export type JobListener = (job: JobDetail) => boolean;

export class JobWatcher {
  readonly #client: BatchDeployClient;
  readonly #intervalMs: number;
  readonly #listeners = new Map<string, { listener: JobListener; onError: (error: unknown) => void }>();
  #timer: NodeJS.Timeout | undefined;

  constructor(options: { client: BatchDeployClient; intervalSeconds: number }) {
    this.#client = options.client;
    this.#intervalMs = options.intervalSeconds * 1000;
  }

  /** Follows `jobId` until `listener` returns true; `onError` hears a failed DescribeJobs. */
  watch(jobId: string, listener: JobListener, onError: (error: unknown) => void): void {
    this.#listeners.set(jobId, { listener, onError });
    this.#schedule();
  }

  /** Stops following `jobId` (a job the stopped run no longer waits for). */
  unwatch(jobId: string): void {
    this.#listeners.delete(jobId);
  }

  /** Polls at once (after a TerminateJob, so its outcome is not a whole interval late). */
  poke(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#schedule(0);
  }

  #schedule(delay = this.#intervalMs): void {
    if (this.#timer || this.#listeners.size === 0) return;
    this.#timer = setTimeout(() => void this.#poll(), delay);
  }

  async #poll(): Promise<void> {
    const ids = [...this.#listeners.keys()];
    try {
      const jobs = await this.#client.describeJobs(ids);
      for (const job of jobs) {
        const entry = this.#listeners.get(job.jobId ?? "");
        if (entry?.listener(job)) this.#listeners.delete(job.jobId!);
      }
    } catch (error) {
      // A failed describe fails the attempts that wait on it (each records why); the run decides.
      for (const id of ids) this.#listeners.get(id)?.onError(error);
      for (const id of ids) this.#listeners.delete(id);
    }
    this.#timer = undefined;
    this.#schedule();
  }
}
