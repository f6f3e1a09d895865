import { readFile } from 'node:fs/promises';
import { watch } from 'node:fs';
import type { SupergraphManager } from '@apollo/gateway';
import type { Logger } from '@shop/platform';

/**
 * Serves the supergraph from a file and hands the gateway a new one when the file changes
 * (e.g. after `pnpm schema:compose`), so a schema change needs no restart.
 * A file that fails to load keeps the previous supergraph and logs why.
 */
export function supergraphFromFile(path: string, log: Logger, onLoaded: () => void): SupergraphManager {
  let stopWatching: (() => void) | undefined;
  return {
    async initialize({ update }) {
      const supergraphSdl = await readFile(path, 'utf8');
      let last = supergraphSdl;
      let timer: NodeJS.Timeout | undefined;
      const watcher = watch(path, () => {
        clearTimeout(timer);
        // Editors write in several steps; wait for the file to settle.
        timer = setTimeout(async () => {
          try {
            const next = await readFile(path, 'utf8');
            if (next === last) return;
            update(next);
            last = next;
            log.info({ path }, 'supergraph reloaded');
          } catch (error) {
            log.error({ err: error, path }, 'supergraph reload failed; keeping the previous one');
          }
        }, 200);
      });
      stopWatching = () => {
        clearTimeout(timer);
        watcher.close();
      };
      onLoaded();
      return { supergraphSdl, cleanup: async () => stopWatching?.() };
    },
  };
}
