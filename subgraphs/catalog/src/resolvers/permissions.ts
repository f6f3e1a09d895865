import type { IRules } from 'graphql-shield';

/** Catalog reads are public; every mutation is denied unless listed here (see protectSchema). */
export const permissions: IRules = {
  Query: {},
};
