// Running worker processes from tests: bounded in time, output collected, killed on timeout.
import { spawn, type ChildProcess } from 'node:child_process';

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs `node script ...args` to its end (or kills it after `timeoutMs` and rejects). */
export function runNode(script: string, args: string[], timeoutMs: number, env: NodeJS.ProcessEnv = process.env): Promise<RunResult> {
  return new Promise((res, rej) => {
    const p = spawn(process.execPath, [script, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => {
      p.kill('SIGKILL');
      rej(new Error(`${script} did not finish within ${timeoutMs} ms; stderr: ${stderr.slice(-2000)}`));
    }, timeoutMs);
    p.on('error', (e) => {
      clearTimeout(timer);
      rej(e);
    });
    p.on('exit', (code, signal) => {
      clearTimeout(timer);
      res({ code, signal, stdout, stderr });
    });
  });
}

export interface StartedNode {
  child: ChildProcess;
  exited: Promise<RunResult>;
  /** Resolves once stdout contains `marker` (rejects on exit first or after `timeoutMs`). */
  waitFor(marker: string, timeoutMs: number): Promise<void>;
}

/** Spawns `node script ...args` with a stdin pipe (for go-signals) and stdout markers. */
export function spawnNode(script: string, args: string[]): StartedNode {
  const child = spawn(process.execPath, [script, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let done: RunResult | undefined;
  const listeners = new Set<() => void>();
  child.stderr!.on('data', (d) => (stderr += d));
  child.stdout!.on('data', (d) => {
    stdout += d;
    for (const l of [...listeners]) l();
  });
  child.stdin!.on('error', () => undefined); // the child may be killed before it reads
  const exited = new Promise<RunResult>((r) =>
    child.on('exit', (code, signal) => {
      done = { code, signal, stdout, stderr };
      for (const l of [...listeners]) l();
      r(done);
    }),
  );
  const waitFor = (marker: string, timeoutMs: number) =>
    new Promise<void>((res, rej) => {
      const check = () => {
        if (stdout.includes(marker)) finish(undefined);
        else if (done) finish(new Error(`${script} exited (${done.code ?? done.signal}) before printing ${marker}; stderr: ${stderr.slice(-2000)}`));
      };
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        finish(new Error(`${script} did not print ${marker} within ${timeoutMs} ms; stderr: ${stderr.slice(-2000)}`));
      }, timeoutMs);
      const finish = (e: Error | undefined) => {
        clearTimeout(timer);
        listeners.delete(check);
        if (e) rej(e);
        else res();
      };
      listeners.add(check);
      check();
    });
  return { child, exited, waitFor };
}
