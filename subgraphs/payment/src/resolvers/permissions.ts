import type { IRules } from 'graphql-shield';

/** Reads are checked per row in the service (owner or admin); every mutation is denied until listed. */
export const permissions: IRules = {};
