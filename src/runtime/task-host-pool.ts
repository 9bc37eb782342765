/**
 * The task hosts of one local run (isolation "host"): processes started when attempts need them,
 * each lent to one attempt at a time and lent again once that attempt ended cleanly. A host that
 * died, timed out or was stopped is never lent again; the next attempt gets a new one. At most
 * one host per running attempt, so at most `maxWorkers` hosts.
 */
import type { ChildProcess } from "node:child_process";
import os from "node:os";
import { FlowshipError } from "../errors.js";
import type { HostLease, HostListener } from "../task/task-host-attempt.js";
import type { HostMessage, RunMessage } from "../task/task-host-main.js";
import { CpuIdleSampler } from "../util/cpu-idle.js";
import { compileTaskHost } from "./task-host-program.js";
import { builtTaskHost, spawnTaskHost } from "./task-host-spawn.js";

class TaskHost implements HostLease {
  readonly #child: ChildProcess;
  readonly #pool: TaskHostPool;
  #listener: HostListener | undefined;
  #dead = false;
  #lentAt: number | undefined;
  /** Resolves once the host process has exited (and was reaped: its CPU time is counted). */
  readonly gone: Promise<void>;

  /** `child`: a host process (task-host-spawn.ts), just started or started early and not yet lent. */
  constructor(child: ChildProcess, pool: TaskHostPool) {
    this.#pool = pool;
    this.#child = child;
    this.#child.on("message", (message: HostMessage) => this.#listener?.message(message));
    this.#child.stdout!.on("data", (chunk: Buffer) => this.#listener?.raw("stdout", chunk));
    this.#child.stderr!.on("data", (chunk: Buffer) => this.#listener?.raw("stderr", chunk));
    this.gone = new Promise((resolve) => this.#child.once("close", () => resolve()));
    this.#child.on("error", () => this.#died(null, null));
    this.#child.on("exit", (code, signal) => this.#died(code, signal));
  }

  get dead(): boolean {
    return this.#dead;
  }

  #died(code: number | null, signal: NodeJS.Signals | null): void {
    if (this.#dead) return;
    this.#dead = true;
    // A host that died by itself (a native crash, the OOM killer, a step's process.kill) could not
    // clear its process group: what its attempt started goes now, as with a task process.
    this.#killGroup();
    this.#pool.forget(this);
    this.#listener?.hostExit(code, signal);
  }

  run(message: RunMessage, listener: HostListener): void {
    this.#listener = listener;
    this.#lentAt = performance.now();
    if (this.#dead) {
      listener.hostExit(null, null);
      return;
    }
    this.#child.send(message, (error) => {
      // The host died before it could take the attempt: its exit event tells the attempt.
      if (error) this.kill();
    });
  }

  kill(): void {
    if (!this.#dead) this.#killGroup();
  }

  #killGroup(): void {
    const pid = this.#child.pid;
    if (pid === undefined) return;
    try {
      process.kill(-pid, "SIGKILL");
    } catch {
      // No process of the group is left, or the host never started.
      if (!this.#dead) this.#child.kill("SIGKILL");
    }
  }

  release(): void {
    this.#listener = undefined;
    if (this.#lentAt !== undefined) this.#pool.took(performance.now() - this.#lentAt);
    this.#lentAt = undefined;
    if (!this.#dead) this.#pool.idle(this);
  }
}

/**
 * How the pool grows. Up to one host per core starts at once. Beyond that, attempts that find no
 * free host wait, and every so often (as long as recent attempts took, between these bounds) one
 * more host starts — but only while the CPUs were idle part of that time: attempts that wait on
 * I/O get their hosts (up to --max-workers) within a second or so, while short CPU-bound attempts
 * are not slowed by Node starts (~50 ms of CPU each) they would have no core to use. Nor does it
 * grow while short attempts keep ending (one did in the last SHORT_ATTEMPT_MS, and recent ones
 * took less than that): hosts are coming free, and a foreach of short attempts on 2 cores ran
 * ~7–15 % slower with the 1–3 extra hosts that the idle moments between its attempts started
 * (bench row 1).
 */
const GROW_EVERY_MS = { initial: 50, min: 10, max: 1000 };
const RECENT_ATTEMPTS = 16;
const IDLE_TO_GROW = 0.2;
const SHORT_ATTEMPT_MS = 200;

export class TaskHostPool {
  readonly #program: string;
  readonly #label: string;
  readonly #mark: string | undefined;
  readonly #idle: TaskHost[] = [];
  readonly #all = new Set<TaskHost>();
  /** Attempts waiting for a host to come free, first come first served. */
  readonly #waiting: ((host: TaskHost) => void)[] = [];
  readonly #eager = os.availableParallelism();
  /** How long recent attempts kept their hosts, in ms. */
  readonly #recent: number[] = [];
  readonly #cpu = new CpuIdleSampler();
  #growTimer: NodeJS.Timeout | undefined;
  /** When an attempt last gave its host back (the pool's creation until one has). */
  #lastEnded = performance.now();
  #closed = false;

  private constructor(program: string, label: string, mark: string | undefined) {
    this.#program = program;
    this.#label = label;
    this.#mark = mark;
  }

  /**
   * A pool whose hosts run the host program built beside dist/, else compiled into `codeDir`, for
   * run `label` (Flow/runId); each host carries `mark` in its environment.
   */
  static async create(codeDir: string, label: string, mark?: string): Promise<TaskHostPool> {
    try {
      return new TaskHostPool(builtTaskHost() ?? (await compileTaskHost(codeDir)), label, mark);
    } catch (error) {
      throw new FlowshipError(
        "FS_TASK_HOST_COMPILE",
        `Cannot prepare the task host program in '${codeDir}': ${(error as Error).message}. Run with --isolation process.`,
      );
    }
  }

  /**
   * Starts the first host before any attempt asks for one, so that its Node start overlaps what
   * the runtime still does before the first task (recording the run). Costs nothing extra when
   * that task comes: it is the host it would have started.
   */
  prestart(): void {
    if (this.#all.size === 0 && !this.#closed) this.#idle.push(this.#start());
  }

  /**
   * Takes in a host started before the run had an id (early-host.ts), as the first idle host.
   * False, and nothing taken, when it already exited or the pool is closed.
   */
  adopt(child: ChildProcess): boolean {
    if (this.#closed || child.exitCode !== null || child.signalCode !== null) return false;
    const host = new TaskHost(child, this);
    this.#all.add(host);
    this.#idle.push(host);
    return true;
  }

  /** An idle host; else a new one while there are fewer hosts than cores; else the first host to come free or to be started (see GROW_EVERY_MS). */
  async acquire(): Promise<HostLease> {
    for (let host = this.#idle.pop(); host; host = this.#idle.pop()) if (!host.dead) return host;
    if (this.#all.size < this.#eager) return this.#start();
    return new Promise<HostLease>((resolve) => {
      this.#waiting.push(resolve);
      this.#scheduleGrowth();
    });
  }

  #scheduleGrowth(): void {
    if (this.#growTimer || this.#waiting.length === 0 || this.#closed) return;
    this.#cpu.sample();
    this.#growTimer = setTimeout(() => {
      this.#growTimer = undefined;
      const idle = this.#cpu.sample() >= IDLE_TO_GROW;
      const shortOnesEnding =
        performance.now() - this.#lastEnded < SHORT_ATTEMPT_MS && this.#medianRecent() < SHORT_ATTEMPT_MS;
      const waiting = this.#waiting.length > 0 && idle && !shortOnesEnding;
      if (waiting) this.#waiting.shift()!(this.#start());
      this.#scheduleGrowth();
    }, this.#growEveryMs());
  }

  #growEveryMs(): number {
    if (this.#recent.length === 0) return GROW_EVERY_MS.initial;
    return Math.min(GROW_EVERY_MS.max, Math.max(GROW_EVERY_MS.min, this.#medianRecent()));
  }

  /** The median of how long recent attempts kept their hosts, in ms; 0 before any ended. */
  #medianRecent(): number {
    if (this.#recent.length === 0) return 0;
    const sorted = [...this.#recent].sort((a, b) => a - b);
    return sorted[Math.floor(sorted.length / 2)]!;
  }

  /** @internal How long an attempt kept its host. */
  took(ms: number): void {
    this.#lastEnded = performance.now();
    this.#recent.push(ms);
    if (this.#recent.length > RECENT_ATTEMPTS) this.#recent.shift();
  }

  #start(): TaskHost {
    const host = new TaskHost(spawnTaskHost(this.#program, this.#label, this.#mark), this);
    this.#all.add(host);
    return host;
  }

  /** @internal A host's attempt ended cleanly. */
  idle(host: TaskHost): void {
    if (this.#closed) host.kill();
    else {
      const waiting = this.#waiting.shift();
      if (waiting) waiting(host);
      else this.#idle.push(host);
    }
  }

  /** @internal A host died. */
  forget(host: TaskHost): void {
    this.#all.delete(host);
    const at = this.#idle.indexOf(host);
    if (at >= 0) this.#idle.splice(at, 1);
  }

  /** Kills every host and waits (at most a second) until they are gone: the run is over. */
  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#growTimer);
    const hosts = [...this.#all];
    for (const host of hosts) host.kill();
    this.#idle.length = 0;
    await Promise.race([
      Promise.all(hosts.map((host) => host.gone)),
      new Promise((resolve) => setTimeout(resolve, 1000).unref()),
    ]);
  }
}
