// Certificates for the TLS tests, made at run time with the openssl command-line tool (no key is
// ever committed): a test CA and server certificates it signs for localhost and 127.0.0.1.
import { execFileSync } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import tls from "node:tls";

function openssl(args) {
  execFileSync("openssl", args, { stdio: ["ignore", "ignore", "pipe"] });
}

const EC_KEY = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];

/**
 * A fresh directory holding a test CA. Returns { dir, ca (PEM text), caFile, issue(name) } where
 * issue(name) makes a server certificate signed by the CA and returns { cert, key } (file paths).
 */
export function makeTestCA() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sio-tls-"));
  const caKey = path.join(dir, "ca.key");
  const caFile = path.join(dir, "ca.pem");
  openssl([
    "req", "-x509", ...EC_KEY, "-keyout", caKey, "-out", caFile, "-days", "2",
    "-subj", "/CN=sio test CA",
    "-addext", "basicConstraints=critical,CA:TRUE",
    "-addext", "keyUsage=critical,keyCertSign,cRLSign",
  ]);
  const ext = path.join(dir, "server.ext");
  fs.writeFileSync(
    ext,
    "subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n"
  );
  let serial = 1;
  return {
    dir,
    caFile,
    ca: fs.readFileSync(caFile, "utf8"),
    issue(name) {
      const key = path.join(dir, `${name}.key`);
      const csr = path.join(dir, `${name}.csr`);
      const cert = path.join(dir, `${name}.pem`);
      openssl(["req", ...EC_KEY, "-keyout", key, "-out", csr, "-subj", `/CN=${name}`]);
      openssl([
        "x509", "-req", "-in", csr, "-CA", caFile, "-CAkey", caKey, "-set_serial", String(++serial),
        "-days", "2", "-extfile", ext, "-out", cert,
      ]);
      return { cert, key };
    },
    remove() {
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Opens a TLS connection to 127.0.0.1:port with `options` (node:tls) and resolves with
 * { protocol, fingerprint } of the session it got, or rejects with the handshake's error.
 */
export function tlsProbe(port, options = {}) {
  return new Promise((resolve, reject) => {
    const sock = tls.connect({ host: "127.0.0.1", port, ...options }, () => {
      const result = {
        protocol: sock.getProtocol(),
        fingerprint: sock.getPeerCertificate().fingerprint256,
      };
      sock.destroy();
      resolve(result);
    });
    sock.setTimeout(10000, () => sock.destroy(new Error("TLS probe timed out")));
    sock.once("error", reject);
  });
}

/** The SHA-256 fingerprint of a PEM certificate file, as node:tls prints it. */
export function fingerprint(certFile) {
  return new crypto.X509Certificate(fs.readFileSync(certFile)).fingerprint256;
}
