// Writes msgpack_parser_vectors.json: Socket.IO packets and their bytes as socket.io-msgpack-parser
// (the npm package, from tests/js) encodes them, for msgpack_parser_test.cpp.
//
//   node tests/unit/msgpack_parser_vectors.mjs   (after `npm ci` in tests/js)
//
// A packet is written in JSON form: binary arguments are placeholders {"_placeholder":true,"num":n}
// with the bytes (hex) in "attachments"; the script turns them into Buffers. Each vector is checked
// here against the npm Decoder before it is written.
// - "server": the object in the key order Node's socket.io 4.x server builds it; sio must encode
//   the packet to exactly these bytes and decode them back to it.
// - "client": what socket.io-client 4.x sends (its "options" key, an undefined CONNECT payload);
//   sio must decode it to the packet ("undefined" marks a JavaScript undefined, read as null).
// - "invalid": bytes the npm Decoder refuses; sio must refuse them too.
import { createRequire } from "node:module";
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";
import assert from "node:assert/strict";

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(join(here, "../js/package.json"));
const parser = require("socket.io-msgpack-parser");
const notepack = require("socket.io-msgpack-parser/node_modules/notepack.io");

const UNDEFINED = "undefined";
const hex = (b) => Buffer.from(b).toString("hex");

// JSON form -> JavaScript value (placeholders become Buffers, "undefined" becomes undefined).
function toJs(v, att) {
  if (v === UNDEFINED) return undefined;
  if (Array.isArray(v)) return v.map((e) => toJs(e, att));
  if (v && typeof v === "object") {
    if (v._placeholder === true) return Buffer.from(att[v.num], "hex");
    return Object.fromEntries(Object.entries(v).map(([k, e]) => [k, toJs(e, att)]));
  }
  return v;
}

// The packet object with its keys in the order Node's server sets them.
function serverObject(p) {
  const data = toJs(p.data, p.attachments ?? []);
  switch (p.type) {
    case 0:
    case 4:
      return { type: p.type, data, nsp: p.nsp };
    case 1:
      return { type: p.type, nsp: p.nsp };
    case 2:
      return p.id === undefined ? { type: 2, data, nsp: p.nsp } : { type: 2, data, id: p.id, nsp: p.nsp };
    case 3:
      return { id: p.id, type: 3, data, nsp: p.nsp };
  }
  throw new Error("type " + p.type);
}

function decodeWithNpm(bytes) {
  const d = new parser.Decoder();
  let out;
  d.on("decoded", (p) => (out = p));
  d.add(bytes);
  return out;
}

const str = (n) => "x".repeat(n);
const bytes = (n) => Buffer.alloc(n, 7).toString("hex");
const map16 = Object.fromEntries(Array.from({ length: 16 }, (_, i) => ["k" + i, i]));

const server = [
  ["connect", { type: 0, nsp: "/", data: { sid: "q1Ua9VTDJ5Lb0gp0AAAB" } }],
  ["connect with pid", { type: 0, nsp: "/admin", data: { sid: "q1Ua9VTDJ5Lb0gp0AAAB", pid: "d2hhdGV2ZXI" } }],
  ["connect_error", { type: 4, nsp: "/", data: { message: "Not authorized" } }],
  ["connect_error with data", { type: 4, nsp: "/", data: { message: "nope", data: { code: 42 } } }],
  ["disconnect", { type: 1, nsp: "/" }],
  ["disconnect /chat", { type: 1, nsp: "/chat" }],
  ["event", { type: 2, nsp: "/", data: ["hello"] }],
  ["event numbers", { type: 2, nsp: "/", data: ["n", 0, 1, 127, 128, 255, 256, 65535, 65536, 4294967295, 4294967296, 9007199254740991, -1, -32, -33, -128, -129, -32768, -32769, -2147483648, -2147483649, -9007199254740991, 1.5, -0.25, 1e-300, 3.141592653589793] }],
  ["event scalars", { type: 2, nsp: "/", data: ["s", true, false, null, "", "é€😀"] }],
  ["event sizes", { type: 2, nsp: "/", data: ["z", str(31), str(32), str(255), str(256), str(300), Array.from({ length: 16 }, (_, i) => i), map16] }],
  ["event nested", { type: 2, nsp: "/", data: ["deep", { a: [1, { b: [2, [3]] }], c: {} }, []] }],
  ["event numeric name", { type: 2, nsp: "/", data: [42, "x"] }],
  ["event with ack id", { type: 2, nsp: "/", id: 7, data: ["ask", 1] }],
  ["event with ack id 300 in /admin", { type: 2, nsp: "/admin", id: 300, data: ["ask"] }],
  ["event unicode namespace", { type: 2, nsp: "/ü", data: ["e"] }],
  ["ack", { type: 3, nsp: "/", id: 7, data: ["ok"] }],
  ["ack empty", { type: 3, nsp: "/x", id: 12, data: [] }],
  ["ack large id", { type: 3, nsp: "/", id: 4294967296, data: [null] }],
  ["event binary", { type: 2, nsp: "/", data: ["file", { _placeholder: true, num: 0 }], attachments: ["010203"] }],
  ["event binaries nested", { type: 2, nsp: "/", data: ["two", { a: { _placeholder: true, num: 0 }, b: [{ _placeholder: true, num: 1 }] }], attachments: ["", bytes(300)] }],
  ["event binary with ack id", { type: 2, nsp: "/", id: 3, data: ["bin", { _placeholder: true, num: 0 }], attachments: [bytes(256)] }],
  ["ack binary", { type: 3, nsp: "/", id: 1, data: [{ _placeholder: true, num: 0 }], attachments: ["ff00"] }],
];

const client = [
  ["client connect without auth", { type: 0, data: UNDEFINED, nsp: "/" }, { type: 0, nsp: "/", data: null }],
  ["client connect with auth", { type: 0, data: { token: "abc" }, nsp: "/admin" }, { type: 0, nsp: "/admin", data: { token: "abc" } }],
  ["client event", { type: 2, data: ["hi", 1], options: { compress: true }, nsp: "/" }, { type: 2, nsp: "/", data: ["hi", 1] }],
  ["client event with ack", { type: 2, data: ["ask"], options: { compress: false }, id: 0, nsp: "/chat" }, { type: 2, nsp: "/chat", id: 0, data: ["ask"] }],
  ["client event binary", { type: 2, data: ["up", { _placeholder: true, num: 0 }, "t"], options: { compress: true }, nsp: "/" }, { type: 2, nsp: "/", data: ["up", { _placeholder: true, num: 0 }, "t"], attachments: ["0a0b"] }],
  ["client event undefined argument", { type: 2, data: ["u", UNDEFINED], options: { compress: true }, nsp: "/" }, { type: 2, nsp: "/", data: ["u", null] }],
  ["client ack", { type: 3, id: 5, data: ["r"], nsp: "/" }, { type: 3, nsp: "/", id: 5, data: ["r"] }],
  ["client disconnect", { type: 1, nsp: "/chat" }, { type: 1, nsp: "/chat", data: null }],
];

const invalid = [
  ["array", [2, "/", ["x"]]],
  ["number", 5],
  ["string", "2"],
  ["nil", null],
  ["type 5", { type: 5, nsp: "/", data: ["x"] }],
  ["type -1", { type: -1, nsp: "/", data: ["x"] }],
  ["type 1.5", { type: 1.5, nsp: "/", data: ["x"] }],
  ["type string", { type: "2", nsp: "/", data: ["x"] }],
  ["type missing", { nsp: "/", data: ["x"] }],
  ["nsp missing", { type: 2, data: ["x"] }],
  ["nsp number", { type: 2, nsp: 1, data: ["x"] }],
  ["connect data array", { type: 0, nsp: "/", data: [1] }],
  ["connect data string", { type: 0, nsp: "/", data: "x" }],
  ["disconnect with data", { type: 1, nsp: "/", data: {} }],
  ["connect_error data number", { type: 4, nsp: "/", data: 5 }],
  ["connect_error without data", { type: 4, nsp: "/" }],
  ["event data string", { type: 2, nsp: "/", data: "x" }],
  ["event without data", { type: 2, nsp: "/" }],
  ["ack data object", { type: 3, nsp: "/", id: 1, data: {} }],
  ["id string", { type: 2, nsp: "/", id: "1", data: ["x"] }],
  ["id float", { type: 2, nsp: "/", id: 1.5, data: ["x"] }],
];
// Bytes that are not one MessagePack value.
const invalidBytes = [
  ["truncated map", "83a474797065"],
  ["trailing byte", hex(notepack.encode({ type: 1, nsp: "/" })) + "00"],
  ["empty", ""],
];

const out = { server: [], client: [], invalid: [] };
for (const [name, p] of server) {
  const b = parser.Encoder.prototype.encode(serverObject(p))[0];
  const back = decodeWithNpm(b);
  assert.equal(back.type, p.type, name);
  out.server.push({ name, packet: p, hex: hex(b) });
}
for (const [name, obj, p] of client) {
  const b = notepack.encode(toJs(obj, p.attachments ?? []));
  decodeWithNpm(b);
  out.client.push({ name, packet: p, hex: hex(b) });
}
for (const [name, obj] of invalid) {
  const b = notepack.encode(obj);
  assert.throws(() => decodeWithNpm(b), undefined, name);
  out.invalid.push({ name, hex: hex(b) });
}
for (const [name, h] of invalidBytes) {
  assert.throws(() => decodeWithNpm(Buffer.from(h, "hex")), undefined, name);
  out.invalid.push({ name, hex: h });
}
writeFileSync(join(here, "msgpack_parser_vectors.json"), JSON.stringify(out, null, 1) + "\n");
console.log(`${out.server.length} server, ${out.client.length} client, ${out.invalid.length} invalid vectors`);
