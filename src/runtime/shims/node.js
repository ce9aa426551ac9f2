// kfn's Node.js worker: loads the user's module once, then answers framed requests from the
// kfn runtime on fd 3 with framed responses on fd 4. The user's console output stays the
// process's, so it reaches the function's log.
//
// Frame: u32 header length, u32 body length (little endian), a JSON header, the body.
'use strict';
const fs = require('fs');
const net = require('net');
const path = require('path');
const { Writable } = require('stream');

const REQ_FD = 3;
const RESP_FD = 4;

function send(header, body) {
  const h = Buffer.from(JSON.stringify(header));
  const b = body === undefined || body === null ? Buffer.alloc(0) : Buffer.isBuffer(body) ? body : Buffer.from(String(body));
  const head = Buffer.alloc(8);
  head.writeUInt32LE(h.length, 0);
  head.writeUInt32LE(b.length, 4);
  const data = Buffer.concat([head, h, b]);
  let off = 0;
  while (off < data.length) {
    try {
      off += fs.writeSync(RESP_FD, data, off);
    } catch (e) {
      if (e.code !== 'EAGAIN') throw e;
    }
  }
}

function isJson(contentType) {
  const media = String(contentType || '').split(';')[0].trim().toLowerCase();
  return media === 'application/json' || media.endsWith('+json');
}

function toChunk(chunk) {
  return typeof chunk === 'string' || chunk instanceof Uint8Array ? chunk : String(chunk);
}

/**
 * `event.extensions.response`: a writable stream with the methods of Node's
 * http.ServerResponse and Express's response, as Kubeless gave (`stream.pipe(response)` works).
 * What is written is the body, sent when the response ends.
 */
class Response extends Writable {
  constructor(done, fail) {
    super();
    this.statusCode = 200;
    this.statusMessage = undefined;
    this.headers = {};
    this.chunks = [];
    this.headersSent = false;
    this.piped = false;
    this.on('pipe', () => { this.piped = true; });
    this.on('finish', () => done());
    // A write after the end must not bring the worker down nor lose what was ended; a response
    // destroyed before its end (a failed stream.pipeline) fails the call.
    this.on('error', (e) => {
      console.error('The response failed: ' + (e && e.stack || e));
      if (this.writableEnded) done(); else fail(e);
    });
  }
  get finished() { return this.writableEnded; }
  _write(chunk, encoding, callback) {
    this.headersSent = true;
    this.chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk, encoding));
    callback();
  }
  write(chunk, encoding, callback) { return super.write(toChunk(chunk), encoding, callback); }
  end(chunk, encoding, callback) {
    if (typeof chunk === 'function') return super.end(chunk);
    if (chunk === undefined || chunk === null) return super.end(encoding, callback);
    return super.end(toChunk(chunk), encoding, callback);
  }
  writeHead(code, message, headers) {
    if (typeof message !== 'string') { headers = message; message = undefined; }
    this.statusCode = code;
    if (message !== undefined) this.statusMessage = message;
    if (Array.isArray(headers)) { for (let i = 0; i + 1 < headers.length; i += 2) this.setHeader(headers[i], headers[i + 1]); }
    else if (headers) this.set(headers);
    return this;
  }
  status(code) { this.statusCode = code; return this; }
  sendStatus(code) { this.statusCode = code; return this.end(); }
  set(name, value) {
    if (typeof name === 'object') { for (const k of Object.keys(name)) this.setHeader(k, name[k]); }
    else this.setHeader(name, value);
    return this;
  }
  setHeader(name, value) {
    this.removeHeader(name);
    this.headers[name] = Array.isArray(value) ? value.map(String) : String(value);
    return this;
  }
  header(name, value) { return this.set(name, value); }
  getHeader(name) {
    const key = Object.keys(this.headers).find((k) => k.toLowerCase() === String(name).toLowerCase());
    return key === undefined ? undefined : this.headers[key];
  }
  hasHeader(name) { return this.getHeader(name) !== undefined; }
  removeHeader(name) {
    for (const k of Object.keys(this.headers)) if (k.toLowerCase() === String(name).toLowerCase()) delete this.headers[k];
  }
  getHeaderNames() { return Object.keys(this.headers).map((k) => k.toLowerCase()); }
  headerPairs() {
    const pairs = [];
    for (const [k, v] of Object.entries(this.headers)) for (const one of Array.isArray(v) ? v : [v]) pairs.push([k, one]);
    return pairs;
  }
  send(body) {
    if (body !== null && typeof body === 'object' && !Buffer.isBuffer(body)) return this.json(body);
    return this.end(body);
  }
  json(value) {
    if (!this.hasHeader('Content-Type')) this.setHeader('Content-Type', 'application/json; charset=utf-8');
    return this.end(JSON.stringify(value));
  }
}

function encodeResult(value, res) {
  if (res.writableEnded) return;
  // A stream piped into the response ends it itself.
  if (value === undefined && res.piped) return;
  if (value === undefined) return res.end();
  if (typeof value === 'string' || Buffer.isBuffer(value)) return res.end(value);
  if (typeof value === 'object') return res.json(value);
  return res.end(JSON.stringify(value));
}

function main() {
  const codeDir = process.env.KUBELESS_INSTALL_VOLUME || '/kubeless';
  const modName = process.env.MOD_NAME || '';
  const handlerName = process.env.FUNC_HANDLER || '';
  let handler;
  try {
    const mod = require(path.join(codeDir, modName));
    handler = typeof mod === 'function' ? mod : mod && mod[handlerName];
    if (typeof handler !== 'function') throw new TypeError(`${modName}.${handlerName} is not a function`);
  } catch (e) {
    console.error(e && e.stack || String(e));
    send({ id: 0, fatal: `cannot load ${modName}.${handlerName}: ${e && e.message || e}` });
    process.exit(3);
  }
  const context = {
    'function-name': process.env.KFN_FUNCTION_NAME || handlerName,
    timeout: Number(process.env.FUNC_TIMEOUT || 180),
    runtime: process.env.FUNC_RUNTIME,
    'memory-limit': process.env.FUNC_MEMORY_LIMIT,
  };
  // As in Node.js before version 15 (Kubeless's runtimes): a promise nobody awaited that
  // rejects is logged, and the worker goes on serving.
  process.on('unhandledRejection', (reason) => {
    console.error('Unhandled promise rejection: ' + (reason && reason.stack || reason));
  });
  send({ id: 0, ready: true });

  const queue = [];
  let busy = false;
  let buf = Buffer.alloc(0);

  function next() {
    if (busy || queue.length === 0) return;
    const { req, body } = queue.shift();
    if (req.d && Number(process.hrtime.bigint()) / 1e9 >= req.d) {
      // Its deadline passed while it waited behind other calls: its caller has its 408.
      send({ id: req.id, skip: true });
      setImmediate(next);
      return;
    }
    busy = true;
    const headers = {};
    for (const [k, v] of req.h) headers[k.toLowerCase()] = v;
    let data;
    if (isJson(headers['content-type'])) {
      try { data = body.length ? JSON.parse(body.toString('utf8')) : {}; } catch (e) { data = body.toString('utf8'); }
    } else {
      data = body.length ? body.toString('utf8') : {};
    }
    const query = {};
    for (const [k, v] of new URLSearchParams(req.q)) if (!(k in query)) query[k] = v;
    const request = {
      method: req.m, path: req.p, url: req.q ? `${req.p}?${req.q}` : req.p, query, headers, body: data, rawBody: body,
      get(name) { return headers[String(name).toLowerCase()]; },
      header(name) { return headers[String(name).toLowerCase()]; },
    };
    let settled = false;
    const res = new Response(() => {
      if (settled) return;
      settled = true;
      send({ id: req.id, s: res.statusCode, h: res.headerPairs() }, Buffer.concat(res.chunks));
      busy = false;
      setImmediate(next);
    }, (e) => fail(e));
    const fail = (e) => {
      if (settled) return;
      settled = true;
      console.error('Function failed to execute: ' + (e && e.stack || e));
      const message = e && e.message !== undefined ? `${e.name || 'Error'}: ${e.message}` : String(e);
      const oom = e instanceof RangeError && /allocation failed/i.test(e.message);
      // The error's name, for a flow's Retry and Catch (kfn's own header; the body is what
      // Kubeless gave).
      const name = e && typeof e.name === 'string' && /^[\x21-\x7e]+$/.test(e.name) ? e.name : 'Error';
      const h = [['Content-Type', 'text/plain; charset=utf-8'], ['x-kfn-error', name]];
      send({ id: req.id, s: 500, h, f: true, oom }, message);
      busy = false;
      setImmediate(next);
    };
    const event = {
      data,
      'event-id': headers['event-id'],
      'event-type': headers['event-type'],
      'event-time': headers['event-time'],
      'event-namespace': headers['event-namespace'],
      extensions: { request, response: res },
    };
    try {
      Promise.resolve(handler(event, context)).then((value) => encodeResult(value, res), fail);
    } catch (e) {
      fail(e);
    }
  }

  // A socket on the pipe is read from the event loop (epoll); fs.createReadStream would read
  // through libuv's thread pool, a thread hand-off and wake-up on each side of every call.
  const input = new net.Socket({ fd: REQ_FD, readable: true, writable: false });
  input.on('error', (e) => {
    console.error('kfn worker: reading requests failed: ' + (e && e.stack || e));
    process.exit(1);
  });
  input.on('data', (chunk) => {
    buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
    while (buf.length >= 8) {
      const hlen = buf.readUInt32LE(0);
      const blen = buf.readUInt32LE(4);
      if (buf.length < 8 + hlen + blen) break;
      const req = JSON.parse(buf.subarray(8, 8 + hlen).toString('utf8'));
      const body = Buffer.from(buf.subarray(8 + hlen, 8 + hlen + blen));
      buf = buf.subarray(8 + hlen + blen);
      queue.push({ req, body });
    }
    next();
  });
  input.on('end', () => process.exit(0));
}

main();
