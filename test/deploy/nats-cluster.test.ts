// The Kubernetes NATS configuration, run for real: three nats-server processes started from the
// nats.conf of deploy/k8s/base (addresses and store moved to loopback ports and a temp dir) form one
// JetStream cluster; the subgraphs' stream declarations at NATS_STREAM_REPLICAS=3 put each stream
// on all three servers, and with one server stopped the streams still take writes (quorum of 2).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { ensureStreams, streamDeclarations, STREAMS } from '@shop/platform';
import { findServerBinary, getFreePort, spawnLogged, waitUntilReady, type ManagedProcess } from '@shop/platform/stack';
import { waitFor } from '../support/wait.ts';
import { build } from '../../scripts/lib/kustomize.ts';
import { repoRoot } from '../../scripts/lib/deploy-env.ts';

interface Server {
  client: number;
  cluster: number;
  monitor: number;
  proc?: ManagedProcess;
}

/** Every replacement must hit: if the config's shape changes, this test must be updated, not pass by accident. */
function replaceOnce(text: string, pattern: RegExp, replacement: (...groups: string[]) => string, what: string): string {
  const hits = text.match(new RegExp(pattern.source, 'g'))?.length ?? 0;
  if (hits === 0) throw new Error(`nats.conf: ${what} not found`);
  return text.replace(new RegExp(pattern.source, 'g'), (_m, ...groups: string[]) => replacement(...groups));
}

/** For waitFor, whose probe must answer falsy (not throw) while the condition does not hold yet. */
const succeeds = (attempt: () => Promise<unknown>) => async () =>
  attempt().then(
    () => true,
    () => false,
  );

const objects = build(join(repoRoot, 'deploy/k8s/base'));
const conf = (objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'nats-config') as unknown as { data: Record<string, string> }).data[
  'nats.conf'
]!;
const replicas = (objects.find((o) => o.kind === 'StatefulSet' && o.metadata.name === 'nats')!.spec as { replicas: number }).replicas;
const streamReplicas = Number(
  (objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'shop-config') as unknown as { data: Record<string, string> }).data
    .NATS_STREAM_REPLICAS,
);

describe('the Kubernetes NATS cluster (deploy/k8s/base/nats.yaml)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'shop-nats-cluster-'));
  const servers: Server[] = [];
  let nc: NatsConnection;

  beforeAll(async () => {
    for (let i = 0; i < replicas; i++) servers.push({ client: await getFreePort(), cluster: await getFreePort(), monitor: await getFreePort() });
    const binary = findServerBinary('nats-server') ?? 'nats-server';
    for (const [i, server] of servers.entries()) {
      let local = replaceOnce(conf, /listen: 0\.0\.0\.0:4222/, () => `listen: 127.0.0.1:${server.client}`, 'client listen');
      local = replaceOnce(local, /http: 0\.0\.0\.0:8222/, () => `http: 127.0.0.1:${server.monitor}`, 'monitoring listen');
      local = replaceOnce(local, /listen: 0\.0\.0\.0:6222/, () => `listen: 127.0.0.1:${server.cluster}`, 'cluster listen');
      local = replaceOnce(local, /store_dir: \/data/, () => `store_dir: ${join(dir, `store-${i}`)}`, 'store_dir');
      local = replaceOnce(local, /nats:\/\/nats-(\d+)\.nats-headless:6222/, (n) => `nats://127.0.0.1:${servers[Number(n)]!.cluster}`, 'routes');
      const file = join(dir, `nats-${i}.conf`);
      writeFileSync(file, local);
      // SERVER_NAME: the pod name in the StatefulSet (fieldRef metadata.name).
      server.proc = spawnLogged(`nats-${i}`, binary, ['-c', file], join(dir, `nats-${i}.log`), { env: { ...process.env, SERVER_NAME: `nats-${i}` } });
    }
    // Ready: every server answers /healthz (JetStream up and caught up with the cluster's meta leader).
    await Promise.all(
      servers.map((s) =>
        waitUntilReady(
          s.proc!,
          async () => {
            const res = await fetch(`http://127.0.0.1:${s.monitor}/healthz`);
            if (!res.ok) throw new Error(`healthz ${res.status}`);
          },
          60_000,
        ),
      ),
    );
    nc = await connect({ servers: servers.map((s) => `nats://127.0.0.1:${s.client}`), maxReconnectAttempts: -1, reconnectTimeWait: 200 });
  });

  afterAll(async () => {
    await nc?.close();
    await Promise.all(servers.map((s) => s.proc?.stop()));
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs as many servers as the streams have replicas', () => {
    expect(replicas).toBe(3);
    expect(streamReplicas).toBe(replicas);
  });

  it('keeps every declared stream on all three servers', async () => {
    // Stream creation needs a meta leader; until one is elected the request fails: retry.
    await waitFor(
      'streams declared',
      succeeds(() => ensureStreams(nc, streamDeclarations(streamReplicas))),
      { timeoutMs: 30_000 },
    );
    const jsm = await jetstreamManager(nc);
    for (const { name } of STREAMS) {
      // The leader and two current followers.
      const info = await waitFor(
        `stream ${name} on 3 servers`,
        async () => {
          const info = await jsm.streams.info(name);
          return info.cluster?.leader && info.cluster.replicas?.filter((r) => r.current).length === 2 ? info : undefined;
        },
        { timeoutMs: 30_000 },
      );
      expect(info.config.num_replicas).toBe(3);
    }
  }, 120_000);

  it('takes writes with the server leading the stream down', async () => {
    const jsm = await jetstreamManager(nc);
    // Stop the ORDER stream's leader (server names are the pod names, nats-<index>): the other two elect a new one.
    const leader = (await jsm.streams.info('ORDER')).cluster!.leader!;
    await servers[Number(leader.replace('nats-', ''))]!.proc!.stop();
    const js = jetstream(nc);
    // A stream whose leader was the stopped server elects another first.
    await waitFor(
      'a publish acknowledged by the 2 remaining servers',
      succeeds(() => js.publish('order.replica-check', new TextEncoder().encode('{}'), { timeout: 2000 })),
      {
        timeoutMs: 30_000,
      },
    );
    const info = await jsm.streams.info('ORDER');
    expect(info.cluster?.leader).not.toBe(leader);
    expect(info.state.messages).toBeGreaterThanOrEqual(1);
  }, 60_000);
});
