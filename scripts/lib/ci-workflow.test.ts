import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { repoRoot } from './deploy-env.ts';

interface Step {
  name?: string;
  uses?: string;
  run?: string;
  if?: string;
  env?: Record<string, string>;
}
interface Workflow {
  on: Record<string, unknown>;
  jobs: Record<string, { 'runs-on': string; steps: Step[] }>;
}

const workflow = parse(readFileSync(join(repoRoot, '.github/workflows/ci.yml'), 'utf8')) as Workflow;
const steps = Object.values(workflow.jobs).flatMap((job) => job.steps);

describe('.github/workflows/ci.yml', () => {
  it('runs on pushes and pull requests, on Ubuntu', () => {
    expect(Object.keys(workflow.on)).toEqual(expect.arrayContaining(['push', 'pull_request']));
    expect(Object.values(workflow.jobs).every((job) => job['runs-on'].startsWith('ubuntu'))).toBe(true);
  });

  it('runs ./scripts/test with the servers the bootstrap needs installed', () => {
    expect(steps.some((s) => s.run?.trim() === './scripts/test')).toBe(true);
    const install = steps.find((s) => s.run?.includes('apt-get install'));
    expect(install?.run).toMatch(/redis-server/);
    expect(install?.run).toMatch(/nats-server/);
  });

  it('on pull requests writes the schema check report into the job summary', () => {
    const report = steps.find((s) => s.run?.includes('schema:check'));
    expect(report?.if).toContain("github.event_name == 'pull_request'");
    expect(report?.run).toContain('$GITHUB_STEP_SUMMARY');
    expect(report?.run).toContain('--base "$BASE"');
    // The script's package.json entry exists (the step would fail silently otherwise).
    const scripts = (JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
    expect(scripts['schema:check']).toBeDefined();
  });
});
