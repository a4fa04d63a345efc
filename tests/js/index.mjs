// Re-exports the official npm clients and Node peers for the tests under tests/, so that a test file
// anywhere in the tree resolves them from tests/js/node_modules (ES modules ignore NODE_PATH).
export { Socket as EngineSocket, transports as engineTransports, Fetch as EngineFetch } from "engine.io-client";
export { io, Manager, Socket as SocketIOClientSocket } from "socket.io-client";
export { Server as SocketIOServer } from "socket.io";
export { Server as EngineServer } from "engine.io";
export { default as msgpackParser } from "socket.io-msgpack-parser";
export { instrument as instrumentAdminUi } from "@socket.io/admin-ui";
export { default as parsePrometheusText } from "parse-prometheus-text-format";
export { WebSocket } from "ws";
