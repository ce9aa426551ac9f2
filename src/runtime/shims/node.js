// kfn's Node.js worker: loads the user's module once, then answers framed requests from the
// kfn runtime on fd 3 with framed responses on fd 4. The user's console output stays the
// process's, so it reaches the function's log.
//
// Frame: u32 header length, u32 body length (little endian), a JSON header, the body.
'use strict';
const fs = require('fs');
const path = require('path');

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

/** What `event.extensions.response` offers: status, headers and body of the answer. */
class Response {
  constructor(done) {
    this.statusCode = 200;
    this.headers = {};
    this.chunks = [];
    this.finished = false;
    this.done = done;
  }
  status(code) { this.statusCode = code; return this; }
  sendStatus(code) { this.statusCode = code; return this.end(); }
  set(name, value) {
    if (typeof name === 'object') { for (const k of Object.keys(name)) this.headers[k] = String(name[k]); }
    else this.headers[name] = String(value);
    return this;
  }
  setHeader(name, value) { return this.set(name, value); }
  header(name, value) { return this.set(name, value); }
  getHeader(name) { return this.headers[name]; }
  write(chunk) { this.chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk))); return true; }
  end(chunk) {
    if (chunk !== undefined && chunk !== null) this.write(chunk);
    if (!this.finished) { this.finished = true; this.done(); }
    return this;
  }
  send(body) {
    if (body !== null && typeof body === 'object' && !Buffer.isBuffer(body)) return this.json(body);
    return this.end(body);
  }
  json(value) {
    if (!this.headers['Content-Type']) this.headers['Content-Type'] = 'application/json; charset=utf-8';
    return this.end(JSON.stringify(value));
  }
}

function encodeResult(value, res) {
  if (res.finished) return;
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
  send({ id: 0, ready: true });

  const queue = [];
  let busy = false;
  let buf = Buffer.alloc(0);

  function next() {
    if (busy || queue.length === 0) return;
    busy = true;
    const { req, body } = queue.shift();
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
      send({ id: req.id, s: res.statusCode, h: Object.entries(res.headers) }, Buffer.concat(res.chunks));
      busy = false;
      setImmediate(next);
    });
    const fail = (e) => {
      if (settled) return;
      settled = true;
      console.error('Function failed to execute: ' + (e && e.stack || e));
      const message = e && e.message !== undefined ? `${e.name || 'Error'}: ${e.message}` : String(e);
      send({ id: req.id, s: 500, h: [['Content-Type', 'text/plain; charset=utf-8']], f: true }, message);
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

  const input = fs.createReadStream(null, { fd: REQ_FD, highWaterMark: 65536 });
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
