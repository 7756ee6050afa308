// @ts-check
// Ports for code-server: a free one, or whether a preferred one is free.
import net from 'node:net';

/**
 * A port that was free a moment ago; startCodeServer retries with another one if it was taken meanwhile.
 * @returns {Promise<number>}
 */
export function freePort(host = '127.0.0.1') {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, host, () => {
      const { port } = /** @type {net.AddressInfo} */ (srv.address());
      srv.close(() => resolve(port));
    });
  });
}

/**
 * Whether `port` on `host` can be listened on right now.
 * @param {number} port
 * @param {string} host
 * @returns {Promise<boolean>}
 */
export function portFree(port, host) {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, host, () => srv.close(() => resolve(true)));
  });
}
