// The control half of every launcher's handle: stop for good, or halt and restart on the same
// address and data (fault tests stop a service mid-run and bring it back).
import { type ManagedProcess, removeDir } from './process-utils.js';

export interface ServiceControl {
  /** Service name, for messages. */
  readonly name: string;
  /** The harness folder holding the service's data, config, sockets and log. */
  readonly dir: string;
  /** Pid of the server process (0 while halted). */
  readonly pid: number;
  /** Kills the server (process group), waits for exit, removes its folder. Idempotent. */
  stop(): Promise<void>;
  /** Kills the server but keeps its folder and port, for restart(). */
  halt(): Promise<void>;
  /** Starts the server again on the same address with the same data; resolves when it answers. */
  restart(): Promise<void>;
  /** Synchronous last resort for process 'exit' handlers: SIGKILL and remove the folder. */
  killSync(): void;
}

export interface ServiceHooks {
  name: string;
  dir: string;
  process: ManagedProcess;
  /** Resolves once the freshly started process answers; throws (with the log) otherwise. */
  ready(): Promise<void>;
  /** Runs before the final stop only (docker: remove containers). Errors are ignored. */
  beforeStop?(): Promise<void>;
  /** Runs before every halt while the server still answers (docker: kill containers). Errors are ignored. */
  beforeHalt?(): Promise<void>;
  /** Runs after every halt/stop, once the process has exited (docker: sweep shims). */
  afterExit?(): void;
  /** How long a clean shutdown may take before SIGKILL. */
  graceMs?: number;
}

/**
 * Every service started in this process and not yet removed. A test worker that exits without
 * stopping its own instance still kills it here; a SIGKILLed process leaves folders that the next
 * run's sweepOrphans() removes.
 */
const live = new Set<Service>();
let exitHookInstalled = false;

function trackLive(service: Service): void {
  live.add(service);
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const s of [...live]) {
      try {
        s.killSync();
      } catch {
        // keep going: the others must still be stopped
      }
    }
  });
}

export class Service implements ServiceControl {
  private stopped = false;
  private removed = false;

  constructor(private readonly hooks: ServiceHooks) {}

  get name(): string {
    return this.hooks.name;
  }

  get dir(): string {
    return this.hooks.dir;
  }

  get pid(): number {
    return this.hooks.process.pid;
  }

  /** First start: on failure, everything is cleaned up before the error propagates. */
  async start(): Promise<void> {
    trackLive(this);
    try {
      this.hooks.process.start();
      await this.hooks.ready();
    } catch (err) {
      await this.stop().catch(() => undefined);
      throw err;
    }
  }

  async halt(): Promise<void> {
    if (this.hooks.beforeHalt && this.hooks.process.running()) await this.hooks.beforeHalt().catch(() => undefined);
    await this.hooks.process.stop(this.hooks.graceMs);
    this.hooks.afterExit?.();
  }

  async restart(): Promise<void> {
    if (this.stopped) throw new Error(`${this.name} was stopped for good; start a new one`);
    if (this.hooks.process.running()) await this.halt();
    this.hooks.process.start();
    await this.hooks.ready();
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    const keepAlive = setInterval(() => undefined, 1_000);
    try {
      if (this.hooks.process.running() && this.hooks.beforeStop) {
        await this.hooks.beforeStop().catch(() => undefined);
      }
      await this.halt();
    } finally {
      clearInterval(keepAlive);
      removeDir(this.dir);
      this.removed = true;
      live.delete(this);
    }
  }

  /** Works even while an async stop() is under way (the process may exit at any moment). */
  killSync(): void {
    if (this.removed) return;
    this.stopped = true;
    this.removed = true;
    live.delete(this);
    this.hooks.process.killSync();
    try {
      this.hooks.afterExit?.();
    } finally {
      removeDir(this.dir);
    }
  }
}
