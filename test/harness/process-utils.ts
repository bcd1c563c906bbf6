// Shared plumbing for the throwaway-service launchers: free ports, temp folders, starting a
// server as the leader of its own process group, and stopping it by pid (never by name).
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import {
  accessSync,
  closeSync,
  constants,
  existsSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

/** Every harness folder starts with this prefix, so a crashed run's leftovers can be found. */
export const TEMP_PREFIX = '/tmp/vt-';

/** Thrown from a waitFor callback to stop waiting at once (e.g. the server process died). */
export class GiveUp extends Error {}

export interface WaitOptions {
  timeoutMs?: number;
  intervalMs?: number;
  /** Shown in the timeout error. */
  what?: string;
}

/**
 * Polls `fn` until it returns a value other than undefined/false/null (a thrown error counts as
 * "not yet"). Bounded: throws after timeoutMs with the last error, so a test never hangs.
 */
export async function waitFor<T>(fn: () => T | Promise<T>, opts: WaitOptions = {}): Promise<NonNullable<Exclude<T, false>>> {
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const intervalMs = opts.intervalMs ?? 100;
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await fn();
      if (value !== undefined && value !== null && value !== false) return value as NonNullable<Exclude<T, false>>;
    } catch (err) {
      if (err instanceof GiveUp) throw err;
      lastError = err;
    }
    if (Date.now() >= deadline) {
      const why = lastError instanceof Error ? `: last error: ${lastError.message}` : '';
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${opts.what ?? 'condition'}${why}`);
    }
    await sleep(intervalMs);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A timer that does not keep the process alive (for races whose other side usually wins). */
function unrefSleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

/** A port that was free on 127.0.0.1 a moment ago (the OS picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port ? resolve(port) : reject(new Error('could not get a free port'))));
    });
  });
}

function isPortConflict(err: unknown): boolean {
  const message = err instanceof Error ? err.message : String(err);
  return /address already in use|could not bind|address in use/i.test(message);
}

/**
 * Runs `start` on `fixed`, or on a free port, retrying with another free port when the server
 * lost a race for it (several runs share this machine, so a port free a moment ago may be taken).
 */
export async function onFreePort<T>(fixed: number | undefined, start: (port: number) => Promise<T>, attempts = 3): Promise<T> {
  if (fixed) return start(fixed);
  for (let attempt = 1; ; attempt++) {
    try {
      return await start(await freePort());
    } catch (err) {
      if (attempt >= attempts || !isPortConflict(err)) throw err;
    }
  }
}

/** Throws the exact install line when a service binary is missing. */
export function requireBinary(path: string, name: string, aptPackage: string): string {
  try {
    accessSync(path, constants.X_OK);
    return path;
  } catch {
    throw new Error(`${name} not found at ${path}: apt-get install -y ${aptPackage}`);
  }
}

/**
 * Set by the global setup to the vitest main process's pid: folders made in test workers then
 * belong to the run, and its teardown removes those a test forgot to stop.
 */
export const OWNER_ENV = 'VIGIL_HARNESS_OWNER';

/** A fresh folder under /tmp with a short path (unix sockets must stay below 108 characters). */
export function makeTempDir(kind: string): string {
  const dir = mkdtempSync(`${TEMP_PREFIX}${kind}-`);
  // Records which process owns the folder, so a later run can clean up after a SIGKILLed one.
  writeFileSync(join(dir, 'owner.pid'), process.env[OWNER_ENV] ?? String(process.pid));
  return dir;
}

function readPid(file: string): number {
  try {
    const pid = Number(readFileSync(file, 'utf8').trim());
    return Number.isInteger(pid) && pid > 1 ? pid : 0;
  } catch {
    return 0;
  }
}

export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  // A zombie still answers kill(0); it is dead for our purposes.
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // already gone
  }
}

function readlinkSafe(path: string): string {
  try {
    return readlinkSync(path).replace(/ \(deleted\)$/, '');
  } catch {
    return '';
  }
}

/** Pids of every process whose command line or working folder mentions `needle` (a harness folder). */
export function pidsMentioning(needle: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    if (pid === process.pid) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      // Redis rewrites its command line, but every harness server runs inside its folder.
      const cwd = readlinkSafe(`/proc/${entry}/cwd`);
      if (cmdline.includes(needle) || cwd === needle || cwd.startsWith(`${needle}/`)) found.push(pid);
    } catch {
      // exited meanwhile
    }
  }
  return found;
}

/** Direct and indirect children of `pid`, from /proc (read before the parent dies). */
export function descendants(pid: number): number[] {
  const out: number[] = [];
  const queue = [pid];
  for (let guard = 0; queue.length > 0 && guard < 10_000; guard++) {
    const current = queue.shift()!;
    let tasks: string[] = [];
    try {
      tasks = readdirSync(`/proc/${current}/task`);
    } catch {
      continue;
    }
    for (const task of tasks) {
      let children = '';
      try {
        children = readFileSync(`/proc/${current}/task/${task}/children`, 'utf8');
      } catch {
        continue;
      }
      for (const c of children.trim().split(/\s+/).filter(Boolean)) {
        out.push(Number(c));
        queue.push(Number(c));
      }
    }
  }
  return out;
}

/** Unmounts (lazily, deepest first) every mount point under `dir`; dockerd leaves overlay mounts. */
export function unmountUnder(dir: string): void {
  let mountinfo = '';
  try {
    mountinfo = readFileSync('/proc/self/mountinfo', 'utf8');
  } catch {
    return;
  }
  const points = mountinfo
    .split('\n')
    .map((line) => line.split(' ')[4])
    .filter((p): p is string => !!p && (p === dir || p.startsWith(`${dir}/`)))
    .sort((a, b) => b.length - a.length);
  for (const point of points) {
    try {
      execFileSync('umount', ['-l', point], { stdio: 'ignore' });
    } catch {
      // not mounted any more
    }
  }
}

export interface ManagedProcessOptions {
  command: string;
  args: string[];
  /** Log file for stdout and stderr (shown when start-up fails). */
  logFile: string;
  uid?: number;
  gid?: number;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Signal that asks for a quick clean shutdown (PostgreSQL: SIGINT = fast shutdown). */
  stopSignal?: NodeJS.Signals;
  /** Where the server's pid is recorded on start (removeDir() kills it even from another process). */
  pidFile: string;
}

/**
 * One server process started as the leader of a new process group (detached), so stopping it
 * can also reach the helpers it forks. Not unref'd-from-stdio: output goes to a log file.
 */
export class ManagedProcess {
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();

  constructor(private readonly opts: ManagedProcessOptions) {}

  get pid(): number {
    return this.child?.pid ?? 0;
  }

  start(): void {
    const fd = openSync(this.opts.logFile, 'a');
    try {
      const child = spawn(this.opts.command, this.opts.args, {
        detached: true,
        stdio: ['ignore', fd, fd],
        env: this.opts.env ?? process.env,
        cwd: this.opts.cwd,
        uid: this.opts.uid,
        gid: this.opts.gid,
      });
      this.child = child;
      if (child.pid) writeFileSync(this.opts.pidFile, String(child.pid));
      this.exited = new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) resolve();
        child.once('exit', () => resolve());
        child.once('error', () => resolve());
      });
      // The harness must not keep vitest alive because of a server it forgot; stop() is explicit.
      child.unref();
    } finally {
      closeSync(fd);
    }
  }

  /** True while the process has not exited. */
  running(): boolean {
    const c = this.child;
    return !!c && c.exitCode === null && c.signalCode === null && pidAlive(c.pid ?? 0);
  }

  /** Last lines of the log, for error messages. */
  logTail(lines = 25): string {
    try {
      return readFileSync(this.opts.logFile, 'utf8').split('\n').slice(-lines).join('\n');
    } catch {
      return '(no log)';
    }
  }

  /**
   * Asks the process to stop, waits up to graceMs, then SIGKILLs its whole process group and any
   * recorded descendants. Resolves once the leader has exited.
   */
  async stop(graceMs = 10_000): Promise<void> {
    const child = this.child;
    if (!child?.pid) return;
    const pid = child.pid;
    const family = descendants(pid);
    // The child is unref'd, so without this Node could exit mid-teardown with nothing left to
    // wait for (leaving the process and its folder behind).
    const keepAlive = setInterval(() => undefined, 1_000);
    try {
      if (this.running()) {
        signal(pid, this.opts.stopSignal ?? 'SIGTERM');
        const done = await Promise.race([this.exited.then(() => true), unrefSleep(graceMs).then(() => false)]);
        if (!done) signal(-pid, 'SIGKILL');
      }
      await Promise.race([this.exited, unrefSleep(5_000)]);
      signal(-pid, 'SIGKILL');
      for (const p of family) if (pidAlive(p)) signal(p, 'SIGKILL');
      this.child = undefined;
    } finally {
      clearInterval(keepAlive);
    }
  }

  /** Synchronous last resort (process 'exit' handler): SIGKILL the group. */
  killSync(): void {
    const pid = this.child?.pid;
    if (!pid) return;
    for (const p of descendants(pid)) signal(p, 'SIGKILL');
    signal(-pid, 'SIGKILL');
    signal(pid, 'SIGKILL');
  }
}

/** Removes a harness folder after killing anything still running from it. */
export function removeDir(dir: string): void {
  if (!dir.startsWith(TEMP_PREFIX)) throw new Error(`refusing to remove ${dir}: not a harness folder`);
  // The recorded server (its group too: PostgreSQL backends, dockerd's containerd) ...
  const server = readPid(join(dir, 'server.pid'));
  if (server && pidAlive(server)) {
    for (const p of descendants(server)) signal(p, 'SIGKILL');
    signal(-server, 'SIGKILL');
    signal(server, 'SIGKILL');
  }
  // ... and anything else naming the folder (containerd shims re-parent away from dockerd).
  for (const pid of pidsMentioning(dir)) signal(pid, 'SIGKILL');
  unmountUnder(dir);
  try {
    rmSync(dir, { recursive: true, force: true, maxRetries: 3, retryDelay: 100 });
  } catch {
    // a busy mount may need a moment after lazy unmount; one more try
    unmountUnder(dir);
    rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
  }
}

/**
 * Cleans folders left by an earlier run that was killed before its teardown (owner pid dead):
 * kills the processes still using them, unmounts, removes. Live runs' folders are left alone.
 */
export function sweepOrphans(): string[] {
  return sweep((owner) => !owner || !pidAlive(owner));
}

/** Removes the folders (and kills the servers) owned by `owner`: what a run's tests forgot to stop. */
export function sweepOwnedBy(owner: number): string[] {
  return sweep((o) => o === owner);
}

function sweep(shouldRemove: (owner: number) => boolean): string[] {
  const removed: string[] = [];
  for (const name of readdirSync('/tmp')) {
    const dir = `/tmp/${name}`;
    if (!dir.startsWith(TEMP_PREFIX)) continue;
    const ownerFile = join(dir, 'owner.pid');
    // A folder without owner file is being created right now by someone else: leave it.
    if (!existsSync(ownerFile)) continue;
    if (!shouldRemove(readPid(ownerFile))) continue;
    try {
      removeDir(dir);
      removed.push(dir);
    } catch {
      // another run may be removing it at the same moment
    }
  }
  return removed;
}

/** GET until the answer is 2xx; fails early if the server process exits. */
export async function waitForHttp(url: string, proc: ManagedProcess, timeoutMs: number, name: string): Promise<void> {
  await waitFor(
    async () => {
      if (!proc.running()) throw new GiveUp(`${name} exited during start-up`);
      const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      return res.ok;
    },
    { timeoutMs, intervalMs: 150, what: `${name} at ${url}` },
  ).catch((err: Error) => {
    throw new Error(`${err.message}\n--- ${name} log ---\n${proc.logTail()}`);
  });
}

/** Numeric uid/gid of a system user (from /etc/passwd). */
export function userIds(user: string): { uid: number; gid: number } {
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${user}:`));
  if (!line) throw new Error(`user ${user} not found in /etc/passwd`);
  const parts = line.split(':');
  return { uid: Number(parts[2]), gid: Number(parts[3]) };
}
