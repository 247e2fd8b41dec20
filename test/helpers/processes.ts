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

/** Spawns `node script ...args`; resolves once the child printed `marker` on stdout. */
export function startNode(script: string, args: string[], marker: string, timeoutMs: number): Promise<{ child: ChildProcess; exited: Promise<RunResult> }> {
  return new Promise((res, rej) => {
    const child = spawn(process.execPath, [script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let ready = false;
    const exited = new Promise<RunResult>((r) => child.on('exit', (code, signal) => r({ code, signal, stdout, stderr })));
    const timer = setTimeout(() => {
      if (ready) return;
      child.kill('SIGKILL');
      rej(new Error(`${script} did not become ready within ${timeoutMs} ms; stderr: ${stderr.slice(-2000)}`));
    }, timeoutMs);
    child.stderr!.on('data', (d) => (stderr += d));
    child.stdout!.on('data', (d) => {
      stdout += d;
      if (!ready && stdout.includes(marker)) {
        ready = true;
        clearTimeout(timer);
        res({ child, exited });
      }
    });
    void exited.then((r) => {
      if (ready) return;
      clearTimeout(timer);
      rej(new Error(`${script} exited (${r.code ?? r.signal}) before it was ready; stderr: ${r.stderr.slice(-2000)}`));
    });
  });
}
