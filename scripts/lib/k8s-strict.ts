// Unknown fields: the API server drops (or, with kubectl's strict field validation, refuses) a field
// its schema does not have, so a typo such as `readinessProb:` would silently disable a probe. The
// JSON-schema validators of kubernetes-models allow extra fields; the same package's TypeScript
// types do not: each object is typechecked as an object literal of its kind's interface, where
// TypeScript's excess-property check names every field the type lacks (and every wrong type).
import { join } from 'node:path';
import ts from 'typescript';
import { repoRoot } from './deploy-env.ts';
import type { K8sObject } from './kustomize.ts';

export function strictFieldProblems(objects: K8sObject[], root = repoRoot): string[] {
  // A file that exists only in memory, placed in the repository so node_modules resolves.
  const file = join(root, 'scripts/lib/k8s-objects.generated.ts');
  // One object per line, so a diagnostic's line names its object.
  const source = objects
    .map(
      (o, i) =>
        `import type { I${o.kind} as T${i} } from 'kubernetes-models/${o.apiVersion}/${o.kind}'; export const o${i}: T${i} = ${JSON.stringify(o)};`,
    )
    .join('\n');
  const options: ts.CompilerOptions = {
    strict: true,
    noEmit: true,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    target: ts.ScriptTarget.ES2022,
    skipLibCheck: true,
    types: [],
  };
  const host = ts.createCompilerHost(options);
  const { getSourceFile, fileExists, readFile } = host;
  host.getSourceFile = (name, language, ...rest) =>
    name === file ? ts.createSourceFile(name, source, language) : getSourceFile.call(host, name, language, ...rest);
  host.fileExists = (name) => name === file || fileExists.call(host, name);
  host.readFile = (name) => (name === file ? source : readFile.call(host, name));
  const program = ts.createProgram([file], options, host);
  return ts
    .getPreEmitDiagnostics(program)
    .filter((d) => d.file?.fileName === file)
    .map((d) => {
      const { line } = d.file!.getLineAndCharacterOfPosition(d.start ?? 0);
      const object = objects[line]!;
      // The first line of a chain names the field; the rest repeats the types it came through.
      const message = ts.flattenDiagnosticMessageText(d.messageText, '\n').split('\n').at(-1)!.trim().replaceAll(`'"`, `'`).replaceAll(`"'`, `'`);
      const field = source.slice(d.start ?? 0, (d.start ?? 0) + (d.length ?? 0)).replaceAll('"', '');
      return `${object.kind}/${object.metadata.name}: ${field}: ${message}`;
    });
}
