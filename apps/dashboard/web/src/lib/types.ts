/** The namespace "/dashboard" as the page sees it (apps/dashboard/API.md). */

/** One node's metrics of one second. */
export interface Sample {
  /** When the node took it, epoch ms on the node's clock. */
  at: number;
  node: string;
  /** Open Engine.IO connections of the node. */
  connections: number;
  /** Connected sockets per namespace. */
  sockets: Record<string, number>;
  /** Rooms of the node, the sockets' own id rooms excluded. */
  rooms: number;
  packetsInPerS: number;
  packetsOutPerS: number;
  bytesInPerS: number;
  bytesOutPerS: number;
  /** Event-loop lag of each worker, ms. */
  loopLagMs: number[];
  rssBytes: number;
  /** Percent of one core over the last second. */
  cpuPct: number;
}

/** A node of the subscribe reply: its name and the `at` of its last sample. */
export interface NodeInfo {
  node: string;
  lastAt: number;
}

/** The subscribe reply: the nodes heard from and their samples of the last 5 minutes, oldest first. */
export interface Snapshot {
  nodes: NodeInfo[];
  history: Sample[];
}
