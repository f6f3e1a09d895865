/**
 * Prints the plain closing line CI reads, "N passed, N failed", from vitest's JSON report.
 * A missing or unreadable report counts as one failure (the run did not finish).
 */
import { readFileSync } from 'node:fs';

interface VitestJsonReport {
  numPassedTests: number;
  numFailedTests: number;
  numFailedTestSuites?: number;
  numPendingTests?: number;
  numTodoTests?: number;
  success?: boolean;
}

const file = process.argv[2];
let passed = 0;
let failed = 1;
let skipped = 0;
try {
  const report = JSON.parse(readFileSync(file ?? '', 'utf8')) as VitestJsonReport;
  passed = report.numPassedTests;
  failed = report.numFailedTests;
  skipped = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
  if (report.success === false && failed === 0) {
    // A run that broke outside any test (global setup, an unhandled error) still failed.
    failed = Math.max(1, report.numFailedTestSuites ?? 0);
    console.error('the run failed outside the tests (see the errors above); counted as failed');
  }
} catch {
  console.error(`no test report at ${file ?? '(none given)'}: the test run did not complete`);
}
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
