// A small kustomize renderer for the subset deploy/k8s uses, so the manifest test runs offline with
// no binary: `resources` (files and directories with their own kustomization), `namespace`,
// `patches` (strategic-merge patch files without lists) and `images`. Any other field is refused
// rather than ignored, so the output never silently differs from `kubectl kustomize`
// (k8s.test.ts compares the two when kubectl is on PATH).
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseAllDocuments } from 'yaml';

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; [key: string]: unknown };
  [key: string]: unknown;
}

interface Kustomization {
  apiVersion?: string;
  kind?: string;
  namespace?: string;
  resources?: string[];
  patches?: Array<{ path: string }>;
  images?: Array<{ name: string; newName?: string; newTag?: string }>;
}

const SUPPORTED = new Set(['apiVersion', 'kind', 'namespace', 'resources', 'patches', 'images']);
/** Kinds without a namespace among those we use (the namespace field leaves them alone). */
const CLUSTER_SCOPED = new Set(['Namespace', 'PersistentVolume', 'StorageClass', 'ClusterRole', 'ClusterRoleBinding']);

/** Every YAML document of a file, empty ones dropped. */
export function readObjects(file: string): K8sObject[] {
  return parseAllDocuments(readFileSync(file, 'utf8'))
    .map((doc) => {
      if (doc.errors.length > 0) throw new Error(`${file}: ${doc.errors[0]!.message}`);
      return doc.toJS() as K8sObject | null;
    })
    .filter((o): o is K8sObject => o !== null);
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Strategic merge for maps only: a patch with a list would need merge keys per field, which we do not implement. */
function mergeMaps(target: Record<string, unknown>, patch: Record<string, unknown>, path: string): void {
  for (const [key, value] of Object.entries(patch)) {
    if (Array.isArray(value)) throw new Error(`patch ${path}.${key}: lists in patches are not supported by this renderer`);
    if (value === null) delete target[key];
    else if (isObject(value) && isObject(target[key])) mergeMaps(target[key], value, `${path}.${key}`);
    else target[key] = structuredClone(value);
  }
}

const sameObject = (a: K8sObject, b: K8sObject) =>
  a.kind === b.kind && a.metadata.name === b.metadata.name && (b.metadata.namespace === undefined || a.metadata.namespace === b.metadata.namespace);

/** Pod specs of the workloads we render (Deployment, StatefulSet, Job, bare Pod). */
export function podSpecOf(
  object: K8sObject,
): { containers: Array<Record<string, unknown>>; initContainers?: Array<Record<string, unknown>> } | undefined {
  const spec = object.spec as Record<string, any> | undefined; // eslint-disable-line @typescript-eslint/no-explicit-any
  if (object.kind === 'Pod') return spec as never;
  return spec?.template?.spec;
}

/** Renders the kustomization in `dir` (base first, then this layer's transformations), like `kustomize build`. */
export function build(dir: string): K8sObject[] {
  const file = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'].map((f) => join(dir, f)).find((f) => existsSync(f));
  if (!file) throw new Error(`${dir}: no kustomization.yaml`);
  const [kustomization] = readObjects(file) as unknown as Kustomization[];
  const unsupported = Object.keys(kustomization ?? {}).filter((k) => !SUPPORTED.has(k));
  if (unsupported.length > 0) throw new Error(`${file}: fields not supported by this renderer: ${unsupported.join(', ')}`);
  const k = kustomization!;

  const objects: K8sObject[] = [];
  for (const resource of k.resources ?? []) {
    const path = resolve(dir, resource);
    objects.push(...(statSync(path).isDirectory() ? build(path) : readObjects(path)));
  }
  const keys = new Set<string>();
  for (const o of objects) {
    const key = `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;
    if (keys.has(key)) throw new Error(`${key} is declared twice`);
    keys.add(key);
  }
  for (const { path } of k.patches ?? []) {
    for (const patch of readObjects(resolve(dir, path))) {
      const target = objects.find((o) => sameObject(o, patch));
      if (!target) throw new Error(`patch ${path}: no ${patch.kind}/${patch.metadata.name} to patch`);
      mergeMaps(target as Record<string, unknown>, patch as Record<string, unknown>, `${patch.kind}/${patch.metadata.name}`);
    }
  }
  if (k.namespace) {
    for (const object of objects) if (!CLUSTER_SCOPED.has(object.kind)) object.metadata.namespace = k.namespace;
  }
  for (const image of k.images ?? []) {
    for (const object of objects) {
      const pod = podSpecOf(object);
      for (const container of [...(pod?.containers ?? []), ...(pod?.initContainers ?? [])]) {
        const current = String(container.image ?? '');
        const [name, tag] = current.split(/:(?=[^/]*$)/);
        if (name !== image.name) continue;
        container.image = `${image.newName ?? name}${image.newTag ? `:${image.newTag}` : tag ? `:${tag}` : ''}`;
      }
    }
  }
  return objects;
}
