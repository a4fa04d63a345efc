// Redis pieces for the cluster tests: the Node client (single node and Redis Cluster), the
// official adapters (pub/sub, sharded pub/sub, Redis Streams) and the emitter.
export { createClient, createCluster } from "redis";
export { createAdapter, createShardedAdapter } from "@socket.io/redis-adapter";
export { createAdapter as createStreamsAdapter } from "@socket.io/redis-streams-adapter";
export { Emitter } from "@socket.io/redis-emitter";
