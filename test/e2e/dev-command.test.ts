import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { canConnect, getFreePort } from '@shop/platform/stack';
import { repoRoot } from '../../scripts/schema/subgraphs.ts';
import { DEMO_CUSTOMER, devToken, gql } from '../support/stack.ts';
import { waitFor } from '../support/wait.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'shop-dev-e2e-'));
// Postgres runs as the postgres user when the tests run as root: it must be able to enter the dir.
chmodSync(dataDir, 0o755);
const PORT_VARS = [
  'POSTGRES_PORT',
  'REDIS_PORT',
  'NATS_PORT',
  'GATEWAY_PORT',
  'CATALOG_PORT',
  'CART_PORT',
  'ORDER_PORT',
  'PAYMENT_PORT',
  'ACCOUNT_PORT',
  'SMTP_PORT',
] as const;
const ports: Record<string, number> = {};
for (const name of PORT_VARS) ports[name] = await getFreePort();
const env = { ...process.env, ...Object.fromEntries(Object.entries(ports).map(([k, v]) => [k, String(v)])) };
const gatewayUrl = `http://127.0.0.1:${ports.GATEWAY_PORT}/graphql`;
/**
 * One start-up of the whole stack: initdb on the first run, migrations, seeding, six processes.
 * Seconds on an idle machine, minutes on a busy 2-core one with a fresh clone (the suite's 60 s
 * default was hit there), so the bounds are explicit and generous; the waits poll for the output.
 */
const STARTUP_MS = 240_000;
/** Ctrl-C: every process drains and stops (the afterEach hook allows 30 s before SIGKILL). */
const STOP_MS = 60_000;

interface DevRun {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

const runs: DevRun[] = [];

/** `node scripts/dev.ts` as a user runs it (through ./scripts/dev after bootstrap). */
function startDev(args: string[] = []): DevRun {
  let output = '';
  const child = spawn(process.execPath, ['scripts/dev.ts', '--data-dir', dataDir, '--products', '30', ...args], { cwd: repoRoot, env });
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const run = { child, output: () => output, exited };
  runs.push(run);
  return run;
}

async function waitForOutput(run: DevRun, text: string): Promise<void> {
  const printed = () => {
    if (run.output().includes(text)) return true;
    if (run.child.exitCode !== null) throw new Error(`dev exited early:\n${run.output()}`);
    return false;
  };
  await waitFor(`"${text}" from scripts/dev`, printed, { timeoutMs: STARTUP_MS, intervalMs: 100 }).catch((error: Error) => {
    throw run.child.exitCode === null ? new Error(`${error.message}\n${run.output()}`) : error;
  });
}

async function myCartId(): Promise<string> {
  const res = await gql<{ me: { cart: { id: string } } }>(gatewayUrl, '{ me { cart { id } } }', {
    token: await devToken(DEMO_CUSTOMER, ['customer']),
  });
  expect(res.body.errors).toBeUndefined();
  return res.body.data!.me.cart.id;
}

async function stopWithCtrlC(run: DevRun): Promise<void> {
  run.child.kill('SIGINT');
  expect(await run.exited).toBe(0);
  // Nothing of ours is left listening: every server and service port is closed again.
  for (const [name, port] of Object.entries(ports)) {
    await expect(canConnect(port), `${name} ${port} still open`).rejects.toThrow();
  }
}

// A failed assertion must not leave a stack running: Ctrl-C whatever is still up.
afterEach(async () => {
  for (const run of runs.splice(0)) {
    if (run.child.exitCode !== null || run.child.signalCode !== null) continue;
    run.child.kill('SIGINT');
    const stopped = await Promise.race([run.exited.then(() => true), new Promise((r) => setTimeout(() => r(false), 30_000))]);
    if (!stopped) run.child.kill('SIGKILL');
  }
});

afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe('./scripts/dev (command 1)', () => {
  let firstCartId = '';

  it(
    'brings the stack up, prints URLs and tokens, and Ctrl-C stops everything',
    async () => {
      const run = startDev();
      await waitForOutput(run, 'Ctrl-C stops every process');
      expect(run.output()).toContain(`Gateway (GraphQL)   ${gatewayUrl}`);
      expect(run.output()).toMatch(/Customer token[^\n]*\n\s+ey[\w-]+\.[\w-]+\.[\w-]+/);
      expect(run.output()).toMatch(/Admin token[^\n]*\n\s+ey[\w-]+\.[\w-]+\.[\w-]+/);
      // The printed demo sign-in works: customerLogin, then `me` with the access token it returned.
      const [, email, password] = /demo customer\s+(\S+) \/ (\S+)/.exec(run.output()) ?? [];
      const signIn = await gql<{ customerLogin: { customerAccessToken: { accessToken: string } | null } }>(
        gatewayUrl,
        'mutation ($e: String!, $p: String!) { customerLogin(email: $e, password: $p) { customerAccessToken { accessToken } } }',
        { variables: { e: email, p: password } },
      );
      const token = signIn.body.data!.customerLogin.customerAccessToken!.accessToken;
      expect((await gql<{ me: { id: string; email: string } }>(gatewayUrl, '{ me { id email } }', { token })).body.data!.me).toEqual({
        id: DEMO_CUSTOMER,
        email,
      });
      const typename = await gql(gatewayUrl, '{ __typename }');
      expect(typename.body).toEqual({ data: { __typename: 'Query' } });
      firstCartId = await myCartId();
      await stopWithCtrlC(run);
    },
    STARTUP_MS + STOP_MS,
  );

  it(
    'reuses the data on the next run, and --reset starts clean',
    async () => {
      const again = startDev();
      await waitForOutput(again, 'Ctrl-C stops every process');
      expect(await myCartId()).toBe(firstCartId);
      await stopWithCtrlC(again);

      const reset = startDev(['--reset']);
      await waitForOutput(reset, 'Ctrl-C stops every process');
      expect(await myCartId()).not.toBe(firstCartId);
      await stopWithCtrlC(reset);
    },
    2 * (STARTUP_MS + STOP_MS),
  );

  it(
    'names the port and its variable when a port is taken',
    async () => {
      const blocker = net.createServer().listen(ports.GATEWAY_PORT, '127.0.0.1');
      await new Promise((r) => blocker.once('listening', r));
      try {
        const run = startDev();
        expect(await run.exited).toBe(1);
        expect(run.output()).toContain(`Port ${ports.GATEWAY_PORT} is already in use (set GATEWAY_PORT to use another port)`);
      } finally {
        blocker.close();
      }
    },
    STARTUP_MS,
  );
});
