import { describe, expect, it } from 'vitest';
import { keyedLanes } from './keyed-lanes.ts';

/** A promise the test settles when it chooses: tasks stay running until their gate opens. */
function gate() {
  let open!: () => void;
  let fail!: (error: Error) => void;
  const opened = new Promise<void>((resolve, reject) => ((open = resolve), (fail = reject)));
  return { opened, open, fail };
}
const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('keyed lanes', () => {
  it('runs the tasks of one key one after another in the order added, and other keys meanwhile', async () => {
    const lanes = keyedLanes(4);
    const started: string[] = [];
    const gates = new Map(['a1', 'a2', 'b1'].map((name) => [name, gate()]));
    const task = (name: string) => () => (started.push(name), gates.get(name)!.opened);
    const done = [lanes.run('a', task('a1')), lanes.run('a', task('a2')), lanes.run('b', task('b1'))];
    await tick();
    expect(started).toEqual(['a1', 'b1']);
    gates.get('b1')!.open();
    await tick();
    expect(started).toEqual(['a1', 'b1']); // a2 waits for a1, not for b1
    gates.get('a1')!.open();
    await tick();
    expect(started).toEqual(['a1', 'b1', 'a2']);
    gates.get('a2')!.open();
    await Promise.all(done);
  });

  it('never runs more than its concurrency at once, and hands a freed slot to the next waiting key', async () => {
    const lanes = keyedLanes(2);
    let running = 0;
    let most = 0;
    const gates = Array.from({ length: 5 }, gate);
    const done = gates.map((g, i) =>
      lanes.run(`k${i}`, async () => {
        most = Math.max(most, ++running);
        await g.opened;
        running--;
      }),
    );
    await tick();
    expect(running).toBe(2);
    for (const g of gates) {
      g.open();
      await tick();
    }
    await Promise.all(done);
    expect(most).toBe(2);
  });

  it("lets a key's next task run after a failed one; the failure reaches only its own caller", async () => {
    const lanes = keyedLanes(1);
    const first = gate();
    const failed = lanes.run('a', () => first.opened);
    const ran: string[] = [];
    const next = lanes.run('a', async () => void ran.push('a2'));
    const other = lanes.run('b', async () => void ran.push('b1'));
    first.fail(new Error('boom'));
    await expect(failed).rejects.toThrow('boom');
    await Promise.all([next, other]);
    // b1 asked for the one slot while a1 ran, a2 only once a1 had failed.
    expect(ran).toEqual(['b1', 'a2']);
    await lanes.idle();
  });

  it('idle() waits for every task added, including ones added while it waits', async () => {
    const lanes = keyedLanes(3);
    const finished: number[] = [];
    const g = gate();
    void lanes.run('a', async () => {
      await g.opened;
      finished.push(1);
      void lanes.run('b', async () => void finished.push(2));
    });
    const idle = lanes.idle();
    g.open();
    await idle;
    expect(finished).toEqual([1, 2]);
  });
});
