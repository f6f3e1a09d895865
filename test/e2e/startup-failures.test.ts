import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { getFreePort } from '@shop/platform/stack';
import { repoRoot } from '../../scripts/schema/subgraphs.ts';
import { waitFor } from '../support/wait.ts';

function startCatalog(env: Record<string, string>) {
  let output = '';
  const child = spawn(process.execPath, [join(repoRoot, 'subgraphs/catalog/src/index.ts')], { cwd: repoRoot, env: { ...process.env, ...env } });
  child.stdout.on('data', (c) => (output += c));
  child.stderr.on('data', (c) => (output += c));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, exited, output: () => output };
}

describe('a service that cannot start', () => {
  it('lists every bad variable in one message and exits 1', async () => {
    const run = startCatalog({ CATALOG_PORT: 'eighty', CATALOG_DATABASE_URL: 'not-a-url', LOG_LEVEL: 'loud' });
    expect(await run.exited).toBe(1);
    const text = run.output();
    expect(text).toContain('Invalid configuration');
    for (const variable of ['CATALOG_PORT', 'CATALOG_DATABASE_URL', 'LOG_LEVEL']) expect(text).toContain(variable);
  });

  it('retries an unreachable database with backoff and a log line per try', async () => {
    const closedPort = await getFreePort();
    const run = startCatalog({ CATALOG_PORT: '0', CATALOG_DATABASE_URL: `postgres://shop:shop@127.0.0.1:${closedPort}/catalog`, LOG_LEVEL: 'info' });
    try {
      await waitFor('three tries logged', () => (run.output().match(/not reachable yet, retrying/g) ?? []).length >= 3, {
        timeoutMs: 30_000,
        intervalMs: 100,
      });
    } finally {
      run.child.kill('SIGKILL');
      await run.exited;
    }
    const tries = run
      .output()
      .split('\n')
      .filter((line) => line.includes('not reachable yet'))
      .map((line) => JSON.parse(line));
    expect(tries.length).toBeGreaterThanOrEqual(3);
    expect(tries.map((t) => t.attempt)).toEqual([...tries.keys()].map((i) => i + 1));
    // Backoff: each wait is longer than the one before.
    expect(tries[1].retryInMs).toBeGreaterThan(tries[0].retryInMs);
    expect(tries[2].retryInMs).toBeGreaterThan(tries[1].retryInMs);
  });
});
