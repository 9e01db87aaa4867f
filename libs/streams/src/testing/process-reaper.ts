import { spawn, type ChildProcess } from 'node:child_process';
import type { Socket } from 'node:net';

/**
 * Kills every server still running when this process ends. `process.on('exit')` covers plain
 * Node; under Jest that `process` is a sandbox copy whose 'exit' never fires, and a worker can
 * be killed outright, so a detached shell also kills the tracked pids when our end of its
 * stdin pipe closes, however this process dies.
 */
class ProcessReaper {
  private readonly live = new Set<ChildProcess>();
  private guard?: ChildProcess;

  track(child: ChildProcess): void {
    if (child.pid === undefined) {
      return;
    }
    const pid = child.pid;
    this.ensureHooks();
    this.live.add(child);
    this.tellGuard(`add ${pid}`);
    child.once('exit', () => {
      this.live.delete(child);
      this.tellGuard(`del ${pid}`);
    });
  }

  private ensureHooks(): void {
    if (this.guard) {
      return;
    }
    process.on('exit', () => this.live.forEach((child) => child.kill('SIGKILL')));
    this.guard = spawn('/bin/sh', ['-c', GUARD_SCRIPT], { stdio: ['pipe', 'ignore', 'ignore'], detached: true });
    this.guard.on('error', () => undefined);
    this.guard.stdin?.on('error', () => undefined);
    (this.guard.stdin as Socket | null)?.unref();
    this.guard.unref();
  }

  private tellGuard(command: string): void {
    if (this.guard?.stdin?.writable) {
      this.guard.stdin.write(`${command}\n`);
    }
  }
}

const GUARD_SCRIPT = `
pids=" "
while read -r op pid; do
  case "$op" in
    add) pids="$pids$pid " ;;
    del) rest=" "; for p in $pids; do [ "$p" = "$pid" ] || rest="$rest$p "; done; pids="$rest" ;;
  esac
done
kill -KILL $pids 2>/dev/null
exit 0
`;

/** @internal The one reaper of this process: every spawned nats-server is tracked by it. */
export const processReaper = new ProcessReaper();
