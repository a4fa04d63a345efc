// Redis pieces for the cluster tests: the Node client, the official adapter and emitter.
export { createClient } from "redis";
export { createAdapter } from "@socket.io/redis-adapter";
export { Emitter } from "@socket.io/redis-emitter";
