export * from './process.ts';
export * from './ports.ts';
export * from './tools.ts';
export * from './postgres.ts';
export * from './redis.ts';
export * from './nats.ts';
