import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { repoRoot } from './deploy-env.ts';
import { manifestProblems, schemaProblems } from './k8s-check.ts';
import { strictFieldProblems } from './k8s-strict.ts';
import { build, podSpecOf, type K8sObject } from './kustomize.ts';

const DEV = join(repoRoot, 'deploy/k8s/overlays/dev');
const render = () => build(DEV);
const find = (objects: K8sObject[], kind: string, name: string) => objects.find((o) => o.kind === kind && o.metadata.name === name)!;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const container = (objects: K8sObject[], kind: string, name: string): Record<string, any> => podSpecOf(find(objects, kind, name))!.containers[0]!;
const hasKubectl = (() => {
  try {
    execFileSync('kubectl', ['version', '--client'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

describe('deploy/k8s (dev overlay on the base)', () => {
  it('renders objects that all pass the Kubernetes schemas', async () => {
    expect(await schemaProblems(render())).toEqual([]);
  });

  it('has no field its Kubernetes type lacks (a typo the API server would drop)', () => {
    expect(strictFieldProblems(render())).toEqual([]);
  });

  it('is consistent: images, probes, ports, selectors, references, env against the config models, NATS', async () => {
    expect(await manifestProblems(render())).toEqual([]);
  });

  it('has a Deployment, Service, PodDisruptionBudget and HorizontalPodAutoscaler per subgraph and the gateway', () => {
    const objects = render();
    for (const name of ['gateway', 'catalog', 'cart', 'order', 'payment', 'account']) {
      for (const kind of ['Deployment', 'Service', 'PodDisruptionBudget', 'HorizontalPodAutoscaler'])
        expect(find(objects, kind, name), `${kind}/${name}`).toBeDefined();
    }
  });

  it('migrates every subgraph in a Job, runs NATS as 3 servers with streams at 3 replicas, and keeps Postgres and Redis external', () => {
    const objects = render();
    const migrate = podSpecOf(find(objects, 'Job', 'migrate'))!.containers.map((c) => (c.command as string[]).join(' '));
    expect(migrate.sort()).toEqual(['account', 'cart', 'catalog', 'order', 'payment'].map((n) => `node subgraphs/${n}/src/migrate.ts`));
    expect((find(objects, 'StatefulSet', 'nats').spec as { replicas: number }).replicas).toBe(3);
    expect((find(objects, 'ConfigMap', 'shop-config') as unknown as { data: Record<string, string> }).data.NATS_STREAM_REPLICAS).toBe('3');
    for (const name of ['postgres', 'redis']) expect((find(objects, 'Service', name).spec as { type: string }).type).toBe('ExternalName');
    expect(objects.every((o) => o.kind === 'Namespace' || o.metadata.namespace === 'shop-dev')).toBe(true);
  });

  it("lets only the shop's own pods reach a subgraph or NATS (the gateway, the other subgraphs), no client straight", () => {
    const objects = render();
    type Selector = { matchLabels?: Record<string, string>; matchExpressions?: Array<{ key: string; operator: string; values: string[] }> };
    type Policy = { podSelector: Selector; ingress: Array<{ from: Array<{ podSelector: Selector }> }> };
    const selects = (selector: Selector, labels: Record<string, string>) =>
      Object.entries(selector.matchLabels ?? {}).every(([k, v]) => labels[k] === v) &&
      (selector.matchExpressions ?? []).every((e) => e.operator === 'In' && e.values.includes(labels[e.key]!));
    const labelsOf = (kind: string, name: string) =>
      (find(objects, kind, name).spec as { template: { metadata: { labels: Record<string, string> } } }).template.metadata.labels;
    const guarded = (kind: string, name: string) =>
      objects
        .filter((o) => o.kind === 'NetworkPolicy')
        .map((o) => o.spec as unknown as Policy)
        .find((p) => selects(p.podSelector, labelsOf(kind, name)));
    for (const [kind, name] of [
      ...['catalog', 'cart', 'order', 'payment', 'account'].map((n) => ['Deployment', n]),
      ['StatefulSet', 'nats'],
    ] as const) {
      const policy = guarded(kind, name);
      expect(policy, `${kind}/${name} has a NetworkPolicy`).toBeDefined();
      const from = policy!.ingress.flatMap((rule) => rule.from.map((peer) => peer.podSelector));
      expect(
        from.some((peer) => selects(peer, labelsOf('Deployment', 'gateway'))),
        `the gateway reaches ${name}`,
      ).toBe(true);
      expect(
        from.some((peer) => selects(peer, { 'app.kubernetes.io/name': 'storefront' })),
        `a foreign pod reaches ${name}`,
      ).toBe(false);
    }
    // The gateway takes the clients' traffic: no policy stands in its way.
    expect(guarded('Deployment', 'gateway')).toBeUndefined();
  });

  // The base runs NODE_ENV=production, whose config models refuse the dev defaults: with the Secret
  // an environment provides, every process must start.
  const DATABASES = { CATALOG: 'catalog', CART: 'cart', ORDER: 'orders', PAYMENT: 'payments', ACCOUNT: 'accounts' };
  it('base: starts in production once an environment provides the Secret', async () => {
    const secret = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'shop-secrets' },
      stringData: {
        ...Object.fromEntries(
          Object.entries(DATABASES).map(([service, db]) => [`${service}_DATABASE_URL`, `postgres://shop:pw@postgres:5432/${db}`]),
        ),
        ORDER_ACCESS_TOKEN_SECRET: 'a-production-secret-of-at-least-32-characters',
        CLIENT_ADDRESS_SECRET: 'another-production-secret-of-32-characters-or-more',
        ACCOUNT_KEY_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64'),
        SMTP_URL: 'smtp://smtp:587',
      },
    } as unknown as K8sObject;
    const objects = [...build(join(repoRoot, 'deploy/k8s/base')), secret];
    expect((find(objects, 'ConfigMap', 'shop-config') as unknown as { data: Record<string, string> }).data.NODE_ENV).toBe('production');
    expect(await schemaProblems(objects)).toEqual([]);
    expect(strictFieldProblems(objects)).toEqual([]);
    expect(await manifestProblems(objects)).toEqual([]);
  });

  it('reports a probe on a port name the container does not declare', async () => {
    const objects = render();
    container(objects, 'Deployment', 'cart').readinessProbe.httpGet.port = 'htpp';
    expect(await manifestProblems(objects)).toContain(
      'Deployment/cart container cart: readinessProbe port "htpp" is not a port the container declares',
    );
  });

  it('reports a container without an image', async () => {
    const objects = render();
    delete container(objects, 'Deployment', 'order').image;
    expect(await manifestProblems(objects)).toContain('Deployment/order container order: has no image');
  });

  it('reports a misspelt field', () => {
    const objects = render();
    const cart = container(objects, 'Deployment', 'cart');
    cart.readinessProb = cart.readinessProbe;
    delete cart.readinessProbe;
    expect(strictFieldProblems(objects)).toEqual([
      `Deployment/cart: readinessProb: Object literal may only specify known properties, and 'readinessProb' does not exist in type 'IContainer'.`,
    ]);
  });

  it('reports a schema violation', async () => {
    const objects = render();
    (find(objects, 'StatefulSet', 'nats').spec as { replicas: unknown }).replicas = 'three';
    expect(await schemaProblems(objects)).toContain('StatefulSet/nats: /spec/replicas must be integer');
  });

  it('reports a secret key a container needs that the Secret lacks, and a URL to a port no Service has', async () => {
    const objects = render();
    delete (find(objects, 'Secret', 'shop-secrets') as unknown as { stringData: Record<string, string> }).stringData.PAYMENT_DATABASE_URL;
    (find(objects, 'ConfigMap', 'shop-config') as unknown as { data: Record<string, string> }).data.CART_URL = 'http://cart:4003/graphql';
    const problems = await manifestProblems(objects);
    expect(problems).toContain('Deployment/payment container payment: env PAYMENT_DATABASE_URL: shop-secrets has no key PAYMENT_DATABASE_URL');
    expect(problems).toContain('Deployment/gateway container gateway: CART_URL=http://cart:4003/graphql: Service cart has no port 4003');
  });

  it('reports streams with more replicas than NATS servers', async () => {
    const objects = render();
    (find(objects, 'StatefulSet', 'nats').spec as { replicas: number }).replicas = 1;
    const problems = await manifestProblems(objects);
    expect(problems).toContain('NATS_STREAM_REPLICAS=3 exceeds the 1 NATS servers');
  });

  // The renderer implements a subset of kustomize; where the real one is installed, they must agree.
  it.skipIf(!hasKubectl)('renders what kubectl kustomize renders', () => {
    const key = (o: K8sObject) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;
    const sorted = (objects: K8sObject[]) => objects.map((o) => [key(o), o] as const).sort(([a], [b]) => a.localeCompare(b));
    const kubectl = parseAllDocuments(execFileSync('kubectl', ['kustomize', DEV], { encoding: 'utf8' })).map((d) => d.toJS() as K8sObject);
    expect(sorted(render())).toEqual(sorted(kubectl));
  });
});
