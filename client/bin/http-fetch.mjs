// A small fetch for the CLI's API calls, on node:http. Node's own fetch (undici) is compiled on
// first use, which costs about as much CPU as starting Node itself: more than the rest of
// `stepwise ls` together. The tRPC client needs only this much: a method, string headers, a string
// body, an abort signal, and a response with ok/status/headers/json()/text(). Anything else (a
// Request object, a body that is not a string or bytes, another protocol, a redirect) goes to
// Node's fetch, so behaviour never differs, only start-up cost. Failures look like fetch's: a
// TypeError('fetch failed') whose cause carries the system error code (the CLI's messages read it).
import http from 'node:http';
import https from 'node:https';

const nativeFetch = globalThis.fetch;

class SmallHeaders {
  constructor(raw) {
    this.raw = raw;
  }
  get(name) {
    const v = this.raw[name.toLowerCase()];
    return v === undefined ? null : Array.isArray(v) ? v.join(', ') : String(v);
  }
  has(name) {
    return this.raw[name.toLowerCase()] !== undefined;
  }
  forEach(fn) {
    for (const [k, v] of Object.entries(this.raw)) fn(Array.isArray(v) ? v.join(', ') : String(v), k, this);
  }
  *entries() {
    for (const [k, v] of Object.entries(this.raw)) yield [k, Array.isArray(v) ? v.join(', ') : String(v)];
  }
  [Symbol.iterator]() {
    return this.entries();
  }
}

class SmallResponse {
  constructor(res, bytes, url) {
    this.status = res.statusCode ?? 0;
    this.statusText = res.statusMessage ?? '';
    this.ok = this.status >= 200 && this.status < 300;
    this.headers = new SmallHeaders(res.headers);
    this.url = url;
    this.redirected = false;
    this.bytes = bytes;
  }
  async text() {
    return this.bytes.toString('utf8');
  }
  async json() {
    return JSON.parse(this.bytes.toString('utf8'));
  }
  async arrayBuffer() {
    return this.bytes.buffer.slice(this.bytes.byteOffset, this.bytes.byteOffset + this.bytes.byteLength);
  }
  clone() {
    return Object.assign(Object.create(SmallResponse.prototype), this);
  }
}

function plainHeaders(h) {
  if (!h) return {};
  if (typeof h.forEach === 'function' && !Array.isArray(h)) {
    const out = {};
    h.forEach((v, k) => (out[k.toLowerCase()] = v));
    return out;
  }
  const entries = Array.isArray(h) ? h : Object.entries(h);
  return Object.fromEntries(entries.filter(([, v]) => v !== undefined).map(([k, v]) => [k.toLowerCase(), String(v)]));
}

const failed = (cause) => new TypeError('fetch failed', { cause });

export function httpFetch(input, init = {}) {
  const body = init.body;
  const simpleBody = body == null || typeof body === 'string' || body instanceof Uint8Array;
  let url;
  try {
    url = typeof input === 'string' ? new URL(input) : input instanceof URL ? input : null;
  } catch {
    url = null;
  }
  if (!url || !simpleBody || (url.protocol !== 'http:' && url.protocol !== 'https:')) return nativeFetch(input, init);
  const signal = init.signal ?? null;
  if (signal?.aborted) return Promise.reject(signal.reason ?? new DOMException('This operation was aborted', 'AbortError'));

  return new Promise((resolve, reject) => {
    const headers = plainHeaders(init.headers);
    if (body != null) headers['content-length'] = String(Buffer.byteLength(body));
    const lib = url.protocol === 'https:' ? https : http;
    const req = lib.request(url, { method: init.method ?? 'GET', headers }, (res) => {
      const status = res.statusCode ?? 0;
      if (status >= 300 && status < 400 && res.headers.location) {
        res.resume();
        resolve(nativeFetch(input, init)); // fetch's redirect rules, not ours
        return;
      }
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve(new SmallResponse(res, Buffer.concat(chunks), url.href)));
      res.on('error', (err) => reject(failed(err)));
    });
    req.on('error', (err) => reject(signal?.aborted ? (signal.reason ?? err) : failed(err)));
    if (signal) signal.addEventListener('abort', () => req.destroy(signal.reason ?? new DOMException('This operation was aborted', 'AbortError')), { once: true });
    req.end(body ?? undefined);
  });
}
