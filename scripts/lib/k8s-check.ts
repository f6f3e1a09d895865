// Validates rendered Kubernetes objects offline: each against the Kubernetes OpenAPI schema of its
// kind (kubernetes-models: validators generated from the API's schemas), then what a schema cannot
// see: images set, probes and Services on ports the containers declare, selectors that select,
// references to ConfigMaps/Secrets/keys that exist, each process's env against its zod config
// model (scripts/lib/deploy-env.ts), URLs naming a Service and one of its ports, and the NATS
// cluster size agreeing with the streams' replica count.
import { envProblems, listeningPort, missingScripts, nodeScripts, processModel, repoRoot, serverRoutes, urlTarget } from './deploy-env.ts';
import { podSpecOf, type K8sObject } from './kustomize.ts';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const id = (o: K8sObject) => `${o.kind}/${o.metadata.name}`;

/** Schema errors of each object, from the model class of its apiVersion and kind. */
export async function schemaProblems(objects: K8sObject[]): Promise<string[]> {
  const problems: string[] = [];
  for (const object of objects) {
    let Model: new (data: unknown) => { validate(): void };
    try {
      const module = (await import(/* @vite-ignore */ `kubernetes-models/${object.apiVersion}/${object.kind}`)) as Record<string, typeof Model>;
      Model = module[object.kind]!;
    } catch {
      problems.push(`${id(object)}: no schema for ${object.apiVersion} ${object.kind}`);
      continue;
    }
    try {
      new Model(object).validate();
    } catch (error) {
      const errors = (error as { errors?: Array<{ instancePath: string; message?: string }> }).errors;
      if (!errors) throw error;
      problems.push(...errors.map((e) => `${id(object)}: ${e.instancePath || '/'} ${e.message}`));
    }
  }
  return problems;
}

const matches = (selector: Record<string, string> | undefined, labels: Record<string, string> | undefined) =>
  !!selector && Object.keys(selector).length > 0 && Object.entries(selector).every(([k, v]) => labels?.[k] === v);

const podLabels = (o: K8sObject): Record<string, string> | undefined => (o.spec as Json)?.template?.metadata?.labels;

/** A container's env as the process sees it: envFrom first, then env entries (which win). */
function resolveEnv(
  container: Json,
  byName: (kind: string, name: string) => K8sObject | undefined,
  say: (p: string) => void,
): Record<string, string> {
  const env: Record<string, string> = {};
  const dataOf = (o: K8sObject): Record<string, string> => {
    const raw = o as Json;
    const decoded = Object.fromEntries(
      Object.entries((raw.data ?? {}) as Record<string, string>).map(([k, v]) => [k, o.kind === 'Secret' ? Buffer.from(v, 'base64').toString() : v]),
    );
    return { ...decoded, ...(raw.stringData ?? {}) };
  };
  for (const from of container.envFrom ?? []) {
    const ref = from.configMapRef ?? from.secretRef;
    const source = byName(from.configMapRef ? 'ConfigMap' : 'Secret', ref?.name);
    if (!source) say(`envFrom ${from.configMapRef ? 'ConfigMap' : 'Secret'} ${ref?.name} does not exist`);
    else Object.assign(env, dataOf(source));
  }
  for (const entry of container.env ?? []) {
    if (entry.value !== undefined) env[entry.name] = String(entry.value);
    const keyRef = entry.valueFrom?.secretKeyRef ?? entry.valueFrom?.configMapKeyRef;
    if (!keyRef) continue;
    const source = byName(entry.valueFrom.secretKeyRef ? 'Secret' : 'ConfigMap', keyRef.name);
    const value = source && dataOf(source)[keyRef.key];
    if (value === undefined && !keyRef.optional) say(`env ${entry.name}: ${keyRef.name} has no key ${keyRef.key}`);
    else if (value !== undefined) env[entry.name] = value;
  }
  return env;
}

/** Every problem a schema cannot see; empty when the objects are consistent. */
export async function manifestProblems(objects: K8sObject[], root = repoRoot): Promise<string[]> {
  const problems: string[] = [];
  const byName = (kind: string, name: string) => objects.find((o) => o.kind === kind && o.metadata.name === name);
  const services = objects.filter((o) => o.kind === 'Service');
  const workloads = objects.filter((o) => podSpecOf(o));
  // In-cluster names: `svc`, `svc.namespace`, `svc.namespace.svc[.cluster.local]`; other hosts are outside.
  const namespaces = new Set(objects.map((o) => o.metadata.namespace ?? 'default'));
  const inCluster = (host: string) =>
    !host.includes('.') || /\.svc(\.cluster\.local)?$/.test(host) || (host.split('.').length === 2 && namespaces.has(host.split('.')[1]!));
  const streamReplicas: number[] = [];

  for (const workload of workloads) {
    const spec = workload.spec as Json;
    if (workload.kind !== 'Job' && !matches(spec.selector?.matchLabels, podLabels(workload)))
      problems.push(`${id(workload)}: its selector does not select its own pod template`);
    for (const container of podSpecOf(workload)!.containers as Json[]) {
      const say = (p: string) => problems.push(`${id(workload)} container ${container.name}: ${p}`);
      if (!container.image) say('has no image');
      missingScripts(container.command, root).forEach(say);
      const requests = container.resources?.requests ?? {};
      if (!requests.cpu || !requests.memory) say('has no cpu and memory requests');
      const ports = (container.ports ?? []) as Json[];
      const entry = nodeScripts(container.command).at(-1);
      const routes = entry ? serverRoutes(entry, root) : undefined;
      for (const probeName of ['startupProbe', 'livenessProbe', 'readinessProbe']) {
        const probe = container[probeName];
        if (!probe) {
          if (probeName !== 'startupProbe' && workload.kind !== 'Job') say(`has no ${probeName}`);
          continue;
        }
        const action = probe.httpGet ?? probe.tcpSocket ?? probe.grpc;
        if (!action) continue;
        const port = action.port;
        const known = typeof port === 'string' ? ports.some((p) => p.name === port) : ports.some((p) => p.containerPort === port);
        if (!known) say(`${probeName} port ${JSON.stringify(port)} is not a port the container declares`);
        const path = probe.httpGet?.path?.split('?')[0];
        if (routes && path && !routes.has(path)) say(`${probeName} asks ${path}, which the process does not serve`);
      }
      const env = resolveEnv(container, byName, say);
      if (env.NATS_STREAM_REPLICAS) streamReplicas.push(Number(env.NATS_STREAM_REPLICAS));
      const model = entry && (await processModel(entry, root));
      if (!model) continue;
      envProblems(model.model, env).forEach((p) => say(`${model.configPath}: ${p}`));
      if (model.model.safeParse(env).success && entry!.endsWith('index.ts')) {
        const listening = listeningPort(model.model, env);
        if (!ports.some((p) => p.containerPort === listening)) say(`the process listens on ${listening}, which the container does not declare`);
      }
      for (const [key, value] of Object.entries(env)) {
        const target = urlTarget(value);
        if (!target || /^(127\.0\.0\.1|localhost)$/.test(target.host)) continue;
        if (!inCluster(target.host)) continue;
        const service = services.find((s) => s.metadata.name === target.host.split('.')[0]);
        const servicePorts = ((service?.spec as Json)?.ports ?? []) as Json[];
        if (!service) say(`${key}=${value} names host ${target.host}, which is not a Service`);
        else if (servicePorts.length > 0 && !servicePorts.some((p) => p.port === target.port))
          say(`${key}=${value}: Service ${service.metadata.name} has no port ${target.port}`);
      }
    }
  }

  for (const service of services) {
    const spec = service.spec as Json;
    if (spec.type === 'ExternalName') continue;
    const selected = workloads.filter((w) => matches(spec.selector, podLabels(w)));
    if (selected.length === 0) problems.push(`${id(service)}: its selector matches no pod template`);
    for (const port of spec.ports ?? []) {
      const target = port.targetPort ?? port.port;
      const served = selected.some((w) =>
        (podSpecOf(w)!.containers as Json[]).some((c) =>
          (c.ports ?? []).some((p: Json) => (typeof target === 'string' ? p.name === target : p.containerPort === target)),
        ),
      );
      if (selected.length > 0 && !served)
        problems.push(`${id(service)}: targetPort ${JSON.stringify(target)} is no container port of the pods it selects`);
    }
  }

  for (const deployment of workloads.filter((w) => w.kind === 'Deployment')) {
    const name = deployment.metadata.name;
    const hpa = objects.find((o) => o.kind === 'HorizontalPodAutoscaler' && (o.spec as Json).scaleTargetRef?.name === name);
    if (!hpa) problems.push(`${id(deployment)}: no HorizontalPodAutoscaler scales it`);
    if (!objects.some((o) => o.kind === 'PodDisruptionBudget' && matches((o.spec as Json).selector?.matchLabels, podLabels(deployment))))
      problems.push(`${id(deployment)}: no PodDisruptionBudget covers it`);
  }
  for (const hpa of objects.filter((o) => o.kind === 'HorizontalPodAutoscaler')) {
    const ref = (hpa.spec as Json).scaleTargetRef;
    if (!byName(ref.kind, ref.name)) problems.push(`${id(hpa)}: scales ${ref.kind}/${ref.name}, which does not exist`);
  }
  for (const pdb of objects.filter((o) => o.kind === 'PodDisruptionBudget')) {
    if (!workloads.some((w) => matches((pdb.spec as Json).selector?.matchLabels, podLabels(w)))) problems.push(`${id(pdb)}: selects no pods`);
  }

  problems.push(...natsProblems(objects, streamReplicas));
  return problems;
}

/** The StatefulSet runs as many servers as the config routes to, JetStream is on, and streams fit the cluster. */
function natsProblems(objects: K8sObject[], streamReplicas: number[]): string[] {
  const problems: string[] = [];
  const nats = objects.find((o) => o.kind === 'StatefulSet' && o.metadata.name === 'nats');
  if (!nats) return ['StatefulSet/nats: missing'];
  const spec = nats.spec as Json;
  if (!objects.some((o) => o.kind === 'Service' && o.metadata.name === spec.serviceName && (o.spec as Json).clusterIP === 'None'))
    problems.push(`StatefulSet/nats: serviceName ${spec.serviceName} is not a headless Service`);
  const config = String(
    (objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'nats-config') as Json | undefined)?.data?.['nats.conf'] ?? '',
  );
  const routes = [...config.matchAll(/nats:\/\/(nats-\d+)\.([\w-]+):6222/g)];
  if (routes.length !== spec.replicas) problems.push(`nats-config routes to ${routes.length} servers, the StatefulSet runs ${spec.replicas}`);
  routes.forEach(([, pod, host], i) => {
    if (pod !== `nats-${i}` || host !== spec.serviceName) problems.push(`nats-config route ${i} (${pod}.${host}) is not a server of the StatefulSet`);
  });
  if (!/jetstream\s*\{/.test(config)) problems.push('nats-config does not enable JetStream');
  for (const replicas of new Set(streamReplicas)) {
    if (replicas > spec.replicas) problems.push(`NATS_STREAM_REPLICAS=${replicas} exceeds the ${spec.replicas} NATS servers`);
  }
  return problems;
}
